"""dubweb as a small cluster on this machine, under load, with faults: what several processes give.

    .venv/bin/python bench/cluster.py             # the whole run: steady load, faults, saturation
    .venv/bin/python bench/cluster.py --reduced   # CI's run: a lighter load through the faults
    (on the 2-core machine with other work running, load average ~20: 12 and 3.5 minutes; most of the
    reduced run's is the migration of a fresh database and the processes' start-up)

Starts, on the loopback: PostgreSQL (the running one, database dubweb_d_cluster by default, made anew),
its own Redis (the broker; a port of its own, as the run restarts it), two gunicorn instances
(gunicorn.conf.py, production settings: DEBUG off, collectstatic into a temporary STATIC_ROOT) behind
HAProxy from Debian's packages (installed if absent; round robin, no sticky sessions), two qcluster
processes with the Redis broker, one shared MEDIA_ROOT, and the providers' sandbox on a gunicorn instance
of its own (the providers are elsewhere in production: the faults strike dubweb, never them). Then locust (headless; bench/cluster_locust.py) plays editors, reviewers and managers
through the balancer.

Phases (the reduced run has only the second, lighter and shorter):
1. Steady: E editors (--editors, 50) at human pace with reviewers and managers, arriving one after
   another over 20 s (each opens the editor and reads their rows), then working. Printed apart: the
   arrival, and the steady state once everyone is there. Target (steady): p99 of saves < 150 ms, 0 errors
   (arrival too), 0 lost updates.
2. Faults, under the same load: one gunicorn instance SIGKILLed and started again; one qcluster
   SIGKILLed while jobs are being sent, and started again; Redis restarted (its queue is lost); every
   database connection terminated. Printed: failed requests in each fault's window, jobs that ended
   wrong or twice (sandbox side too: one provider job per submission), acknowledged saves lost.
3. Saturation: editors only, stepped up; the saves/s at which the p99 of saves crosses 150 ms, through
   the cluster and through one `manage.py runserver` process, and their ratio.

Lost updates: every save answered 2xx with the saved row (its version and text) is checked in the
database at the end: the segment's text is the last acknowledged one at that version, or the segment is
at a later version. Conflicts (409) are counted apart. Exits 1 on errors outside the fault windows, lost
updates, duplicate provider jobs or jobs that ended wrong; never on timings (they are printed, with
the load average of this shared machine).
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
TARGET_P99_MS = 150.0
ARRIVAL_S = 20  # the steady phase's people arrive over this many seconds, not all in the same instant
SAVE = "editor: save"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text):
    print(f"==> [{time.strftime('%H:%M:%S')}] {text}", flush=True)


def have(command):
    return shutil.which(command) is not None


def ensure_haproxy():
    if have("haproxy"):
        return
    say("Installing HAProxy (Debian's package)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "haproxy"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


def ensure_postgres(host, port):
    ready = ["pg_isready", "-q", "-h", host, "-p", str(port)]
    if subprocess.run(ready).returncode == 0:
        return
    say(f"PostgreSQL is not answering at {host}:{port}: trying to start it")
    versions = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").exists() else []
    if not versions:
        sys.exit(f"No PostgreSQL at {host}:{port} and none installed (apt-get install postgresql).")
    version = versions[-1].parent.name
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    for _ in range(30):
        if subprocess.run(ready).returncode == 0:
            return
        time.sleep(1)
    sys.exit(f"PostgreSQL did not start at {host}:{port}.")


class Cluster:
    """The processes, each in its own process group (killed as a whole), logging into the run folder."""

    def __init__(self, run_dir, env, *, web_workers, q_workers):
        self.run_dir = run_dir
        self.env = env
        self.web_workers = web_workers
        self.q_workers = q_workers
        self.procs = {}
        self.lb_port = free_port()
        self.web_ports = [free_port(), free_port()]
        self.sandbox_port = free_port()
        self.redis_port = free_port()

    def spawn(self, name, command, env=None):
        log = (self.run_dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.procs[name]

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def talks_to(self, name, port):
        """The TCP connections (socket inodes) a process of `name`'s group has open to the loopback `port`."""
        proc = self.procs.get(name)
        if proc is None:
            return set()
        inodes = set()
        for pid in Path("/proc").iterdir():
            if not pid.name.isdigit():
                continue
            try:
                if os.getpgid(int(pid.name)) != proc.pid:
                    continue
                for fd in (pid / "fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
            except OSError:
                continue
        wanted, found = f":{port:04X}", set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[2].endswith(wanted) and fields[3] == "01" and fields[9] in inodes:  # ESTABLISHED
                    found.add(fields[9])
        return found

    def stop(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not leave processes behind
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    # Redis: the broker, on a port of its own (the run restarts it; the shared one is never touched).
    def start_redis(self):
        self.spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "",
                             "--appendonly", "no", "--dir", str(self.run_dir)])  # fmt: skip
        wait_for(lambda: port_open(self.redis_port), "Redis")

    def start_web(self, index):
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.web_ports[index]}",
               "WEB_CONCURRENCY": str(self.web_workers), "GUNICORN_ACCESS_LOG": "/dev/null"}  # fmt: skip
        self.spawn(
            f"web{index + 1}", [str(VENV_BIN / "gunicorn"), "dubweb.wsgi", "-c", "gunicorn.conf.py"], env
        )

    def start_sandbox(self):
        """The providers' sandbox, served by dubweb's code on a port no fault touches."""
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.sandbox_port}", "WEB_CONCURRENCY": "3",
               "GUNICORN_ACCESS_LOG": "/dev/null"}  # fmt: skip
        self.spawn("sandbox", [str(VENV_BIN / "gunicorn"), "dubweb.wsgi", "-c", "gunicorn.conf.py"], env)

    def wait_sandbox(self):
        wait_for(lambda: http_ok(self.sandbox_port, "/accounts/login/"), "the sandbox's gunicorn", 60)

    def wait_web(self, index):
        wait_for(lambda: http_ok(self.web_ports[index], "/accounts/login/"), f"gunicorn {index + 1}", 60)

    def start_worker(self, index):
        self.spawn(f"worker{index + 1}", [PYTHON, "manage.py", "qcluster"],
                   {**self.env, "Q_WORKERS": str(self.q_workers)})  # fmt: skip

    def start_lb(self):
        config = self.run_dir / "haproxy.cfg"
        servers = "\n".join(
            f"    server web{n + 1} 127.0.0.1:{port} check" for n, port in enumerate(self.web_ports)
        )
        config.write_text(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 75s
    timeout server 60s
    # Longer than any pause of the simulated people: a connection is never closed just as it is reused.
    timeout http-keep-alive 75s
    # A connection refused by a dead instance is tried again on the other (never a request that reached one).
    retries 3
    option redispatch
frontend dubweb
    bind 127.0.0.1:{self.lb_port}
    default_backend web
backend web
    balance roundrobin
    # A killed instance refuses connections: down after two checks (1 s). A busy one answers late, which
    # is no reason to take it out (on a loaded 2-core machine the check waits behind the requests).
    option httpchk
    http-check send meth GET uri /accounts/login/ ver HTTP/1.1 hdr Host 127.0.0.1
    timeout check 10s
    default-server inter 500ms fall 2 rise 2
{servers}
""")
        self.spawn("haproxy", ["haproxy", "-db", "-f", str(config)])
        wait_for(lambda: http_ok(self.lb_port, "/accounts/login/"), "HAProxy", 30)


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def http_ok(port, path):
    import http.client

    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        return connection.getresponse().status == 200
    except OSError:
        return False


def wait_for(check, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not start in {timeout} s.")


# --- the data -----------------------------------------------------------------------------------------------


def seed(*, editors, reviewers, managers, projects_count, per_editor=4, per_reviewer=40):
    """Users of one team, each with a session (no password hashing in the run), and their projects:
    each editor has `per_editor` segments of their own, each reviewer a stretch of segments needing
    review, each project one row every editor of it may save (conflicts), each manager a small project
    of their own to push. Returns the accounts for locust."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from projects.models import Membership, Project, ReviewStatus, Role, Segment, Speaker, Team
    from projects.services import script_summary

    User = get_user_model()
    team = Team.objects.create(name="Cluster", slug="cluster")
    accounts = {"editor": [], "reviewer": [], "manager": []}

    def person(name, role):
        user = User.objects.create(username=name, first_name=name.capitalize(), password="!")
        Membership.objects.create(user=user, team=team, role=role)
        session = SessionStore()
        session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
        session.create()
        return {"name": name, "session": session.session_key}

    def project(title, segment_count, review_from):
        made = Project.objects.create(team=team, title=title, source_language="en-US", target_language="fr-FR",
                                      source_video_url="https://media.example/cluster.mp4")  # fmt: skip
        speakers = [Speaker.objects.create(project=made, speaker_id=n, name=f"Speaker {n}") for n in (1, 2)]
        Segment.objects.bulk_create(
            Segment(project=made, start_ms=n * 2500, end_ms=n * 2500 + 2000, speaker=speakers[n % 2],
                    source_text=f"This is line {n} of the original dialogue.",
                    target_text=f"Voici la réplique {n} du dialogue traduit.",
                    review_status=ReviewStatus.NEEDS_REVIEW if n >= review_from else ReviewStatus.DRAFT)
            for n in range(segment_count)
        )  # fmt: skip
        script_summary.recount(made)
        return made, list(
            Segment.objects.filter(project=made).order_by("start_ms").values_list("pk", flat=True)
        )

    per_project = -(-editors // projects_count)
    reviewers_per_project = -(-reviewers // projects_count)
    stretches = {}
    for p in range(projects_count):
        editor_rows = per_project * per_editor + 1
        made, ids = project(f"Cluster film {p + 1}", editor_rows + reviewers_per_project * per_reviewer + 10,
                            editor_rows + 10)  # fmt: skip
        stretches[p] = (made.pk, ids, editor_rows)
    for n in range(editors):
        p = n % projects_count
        pk, ids, _ = stretches[p]
        slot = n // projects_count
        account = person(f"editor{n + 1}", Role.EDITOR)
        account.update(
            project=pk, segments=ids[1 + slot * per_editor : 1 + (slot + 1) * per_editor], shared=ids[0]
        )
        accounts["editor"].append(account)
    for n in range(reviewers):
        p = n % projects_count
        pk, ids, editor_rows = stretches[p]
        slot = n // projects_count
        start = editor_rows + 10 + slot * per_reviewer
        account = person(f"reviewer{n + 1}", Role.REVIEWER)
        account.update(project=pk, segments=ids[start : start + per_reviewer])
        accounts["reviewer"].append(account)
    for n in range(managers):
        made, _ = project(f"Cluster push {n + 1}", 4, 10)
        account = person(f"manager{n + 1}", Role.MANAGER)
        account.update(project=made.pk)
        accounts["manager"].append(account)
    return accounts


# --- measuring ----------------------------------------------------------------------------------------------


def run_locust(run_dir, name, accounts_file, host, *, users, seconds, roles="editor,reviewer,manager", steps=None,
               step_s=None, extra_env=None, arrival_s=0):  # fmt: skip
    """One locust run; returns (its requests, its acknowledged changes, its attempts, start, end).
    With `arrival_s`, the people arrive one after another over that many seconds (each opens the editor
    and reads their rows as they arrive), then stay `seconds`."""
    out = run_dir / name
    env = {**os.environ, "BENCH_ACCOUNTS": str(accounts_file), "BENCH_OUT": str(out), "BENCH_ROLES": roles,
           **(extra_env or {})}  # fmt: skip
    command = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "cluster_locust.py"), "--headless",
               "--host", host, "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "3"]  # fmt: skip
    command += [role.capitalize() for role in roles.split(",")]  # the user classes to run
    if steps:
        env.update(BENCH_STEPS=",".join(map(str, steps)), BENCH_STEP_S=str(step_s))
    else:
        rate = users / arrival_s if arrival_s else max(users, 10)
        command += [
            "--users",
            str(users),
            "--spawn-rate",
            f"{rate:.3f}",
            "--run-time",
            f"{seconds + arrival_s}s",
        ]
    started = time.time()
    log = (run_dir / f"locust-{name}.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, out, started


def collect(proc, out, started):
    proc.wait()
    ended = time.time()

    def load(name):
        path = out / name
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return load("requests.jsonl"), load("acks.jsonl"), load("attempts.jsonl"), started, ended


def is_error(status, name):
    if name == "conflict":
        return False
    if status == 0 or status >= 500:
        return True
    return 400 <= status < 500 and status not in (404, 409, 422)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(requests, started, ended, title):
    """Requests/s, p50/p95/p99 per endpoint, errors; returns (save p99, errors, conflicts)."""
    by_name = defaultdict(list)
    errors = defaultdict(int)
    conflicts = 0
    for _t, name, _method, status, ms, _error in requests:
        if name == "conflict":
            conflicts += 1
            continue
        by_name[name].append(ms)
        if is_error(status, name):
            errors[name] += 1
    seconds = max(ended - started, 1e-9)
    total = sum(len(v) for v in by_name.values())
    print(f"\n{title}: {total} requests in {seconds:.0f} s = {total / seconds:.1f} req/s, "
          f"{sum(errors.values())} errors, {conflicts} save conflicts (409)")  # fmt: skip
    print(f"  {'endpoint':34}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name in sorted(by_name):
        values = by_name[name]
        print(f"  {name:34}{len(values):7d}{len(values) / seconds:8.1f}{percentile(values, 0.5):9.1f}"
              f"{percentile(values, 0.95):9.1f}{percentile(values, 0.99):9.1f}{errors[name]:8d}")  # fmt: skip
    return percentile(by_name[SAVE], 0.99), sum(errors.values()), conflicts


def lost_updates(acks, attempts):
    """Acknowledged saves the database does not have: (lost, checked, at a later version, details)."""
    from projects.models import Segment

    best, deleted_at = {}, {}
    for ack in sorted(acks, key=lambda a: a["t"]):
        if ack.get("deleted"):
            deleted_at[ack["segment"]] = ack["t"]
        elif ack["segment"] not in best or ack["version"] >= best[ack["segment"]]["version"]:
            best[ack["segment"]] = ack
    unanswered = [a for a in attempts if not a.get("acked") and a["kind"] != "save"]
    stored = dict(
        (pk, (version, text))
        for pk, version, text in Segment.objects.filter(pk__in=best).values_list(
            "pk", "version", "target_text"
        )
    )
    lost, later, details = 0, 0, []
    for pk, ack in best.items():
        if pk in stored:
            version, text = stored[pk]
            if version > ack["version"]:
                later += 1
            elif version < ack["version"] or text != ack["text"]:
                lost += 1
                details.append(
                    f"segment {pk}: acknowledged v{ack['version']} {ack['text']!r}, stored v{version} {text!r}"
                )
        elif deleted_at.get(pk, 0) >= ack["t"] or any(a["t"] >= ack["t"] - 1 for a in unanswered):
            later += 1
        else:
            lost += 1
            details.append(f"segment {pk}: acknowledged v{ack['version']}, now gone")
    return lost, len(best), later, details


def jobs_outcome():
    """Every job's end, and duplicates on both sides: (problems, summary lines)."""
    from django.db.models import Count

    from projects.models import Activity, Submission
    from sandbox.models import DubformerProject, IdempotencyRecord, ModelsLabJob

    problems, lines = [], []
    jobs = list(
        Submission.objects.values("pk", "kind", "status", "error_message", "provider_job_id", "project_id")
    )
    by_status = defaultdict(int)
    for job in jobs:
        by_status[job["status"]] += 1
        if job["status"] not in Submission.FINISHED:
            problems.append(f"job {job['pk']} ({job['kind']}) did not end: {job['status']}")
        elif (
            job["status"] == Submission.Status.FAILED
            and "interrupted while it was being sent" not in job["error_message"]
        ):
            problems.append(f"job {job['pk']} ({job['kind']}) failed: {job['error_message'][:160]}")
    lines.append(f"{len(jobs)} jobs: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    interrupted = sum(1 for job in jobs if "interrupted while it was being sent" in job["error_message"])
    if interrupted:
        lines.append(
            f"{interrupted} ModelsLab job(s) failed as designed: interrupted mid-send, not sent again"
        )
    # Sandbox side: one provider job per submission.
    creates = [j for j in jobs if j["kind"] == Submission.Kind.CREATE_PROJECT and j["provider_job_id"]]
    ids = [j["provider_job_id"] for j in creates]
    shared = len(ids) - len(set(ids))
    orphans = DubformerProject.objects.exclude(project_id__in=ids).count()
    keys = IdempotencyRecord.objects.values("key").annotate(n=Count("pk")).filter(n__gt=1).count()
    twice = ModelsLabJob.objects.values("track_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    duplicates = shared + orphans + keys + twice
    lines.append(f"sandbox: {DubformerProject.objects.count()} Dubformer projects for {len(creates)} accepted "
                 f"creates, {ModelsLabJob.objects.count()} ModelsLab jobs; duplicates: {duplicates}")  # fmt: skip
    if duplicates:
        problems.append(f"duplicate provider jobs: {shared} shared ids, {orphans} unclaimed Dubformer projects, "
                        f"{keys} keys twice, {twice} ModelsLab track ids twice")  # fmt: skip
    # Ended twice: one "finished" entry in the activity per succeeded job.
    finished = Activity.objects.filter(verb="submission", message__contains="finished").count()
    succeeded = by_status[Submission.Status.SUCCEEDED]
    if finished != succeeded:
        problems.append(
            f"{finished} 'finished' activity entries for {succeeded} succeeded jobs (ended twice?)"
        )
    return problems, lines


def wait_for_jobs(lb, manager_sessions, timeout):
    """Managers keep their projects open after the load: their job cards poll until every job has ended."""
    import requests

    from projects.models import Submission

    deadline = time.time() + timeout
    limit = time.time() + 420  # however the checks are planned
    while time.time() < deadline:
        running = list(
            Submission.objects.exclude(status__in=Submission.FINISHED).values_list("pk", "project_id")
        )
        if not running:
            return True
        # A job whose check was cut short by a killed worker is looked at again when its claim runs out
        # (MAX_CHECK_INTERVAL_S): wait for that too, a little longer.
        planned = Submission.objects.filter(pk__in=[pk for pk, _ in running], next_check_at__isnull=False)
        latest = max((t.timestamp() for t in planned.values_list("next_check_at", flat=True)), default=0)
        deadline = max(deadline, min(latest + 30, limit))
        for pk, project_id in running:
            session = manager_sessions.get(project_id)
            if session:
                with contextlib.suppress(requests.RequestException):
                    requests.get(f"{lb}/projects/{project_id}/jobs/{pk}/card/", cookies={"sessionid": session},
                                 headers={"HX-Request": "true"}, timeout=10)  # fmt: skip
        time.sleep(3)
    return False


def terminate_connections(database):
    import psycopg

    with psycopg.connect(database["admin"], autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database["name"]],
        ).fetchall()
    return len(rows)


def saves_in(requests, start, end):
    values = [
        ms for t, name, _m, status, ms, _e in requests if name == SAVE and start <= t < end and status == 200
    ]
    return len(values) / max(end - start, 1e-9), percentile(values, 0.99), len(values)


def saturation(requests, started, steps, step_s, title):
    """Per step: saves/s and their p99 (the first 3 s of each step left out); the saves/s where p99
    crosses the target, interpolated between the two steps around it ("first" when the first step is
    over it already), and the most saves/s any step sustained. Returns (rate, how, peak)."""
    print(f"\n{title}: step-up of editors at human pace, {step_s:.0f} s a step")
    print(f"  {'editors':>8}{'saves/s':>9}{'p99 ms':>9}")
    previous, crossing, peak = None, None, 0.0
    for index, users in enumerate(steps):
        rate, p99, count = saves_in(requests, started + index * step_s + 3, started + (index + 1) * step_s)
        print(f"  {users:8d}{rate:9.1f}{p99:9.1f}")
        peak = max(peak, rate)
        if crossing is None and p99 >= TARGET_P99_MS:
            if previous is None:
                crossing = (rate, "first")
            else:
                (rate0, p0) = previous
                fraction = (TARGET_P99_MS - p0) / (p99 - p0) if p99 > p0 else 1.0
                crossing = (rate0 + fraction * (rate - rate0), "crossed")
        previous = (rate, p99)
    if crossing is None:
        crossing = (previous[0], "under")
    return (*crossing, peak)


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- the run -------------------------------------------------------------------------------------------------


def _exit_on_signal(signum, frame):
    raise SystemExit(f"Stopped by signal {signum}")  # the cluster is stopped on the way out (main's finally)


def main():
    signal.signal(signal.SIGTERM, _exit_on_signal)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true", help="CI's run: lighter and shorter, faults only")
    parser.add_argument("--database", default=os.environ.get("CLUSTER_DATABASE", "dubweb_d_cluster"))
    parser.add_argument("--pg", default=os.environ.get("CLUSTER_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--editors", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None, help="each load phase's length")
    parser.add_argument("--phases", default="steady,faults,saturation", help="which of the three to run")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs, locust output)")
    args = parser.parse_args()
    reduced = args.reduced
    editors = args.editors or (20 if reduced else 50)
    seconds = args.seconds or (25 if reduced else 75)
    phases = {"faults"} if reduced else set(args.phases.split(","))
    steps = [5, 10, 25, 50, 65, 80, 100, 150, 200] if "saturation" in phases else []  # finer where it turns
    step_s = 15.0

    from urllib.parse import urlsplit

    pg = urlsplit(args.pg)
    ensure_postgres(pg.hostname or "127.0.0.1", pg.port or 5432)
    ensure_haproxy()
    if not have("redis-server"):
        sys.exit("redis-server is not installed (apt-get install redis-server).")
    run_dir = Path(tempfile.mkdtemp(prefix="dubweb-cluster-"))
    database = {"name": args.database, "admin": f"{args.pg}/postgres", "url": f"{args.pg}/{args.database}"}
    import psycopg

    with psycopg.connect(database["admin"], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{args.database}"')

    cluster = Cluster(run_dir, {}, web_workers=3, q_workers=1)
    lb = f"http://127.0.0.1:{cluster.lb_port}"
    sandbox = f"http://127.0.0.1:{cluster.sandbox_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUBWEB_"))},
        "DJANGO_SETTINGS_MODULE": "dubweb.settings",
        "DEBUG": "0",
        "SECRET_KEY": "cluster-bench-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # TLS would end at the balancer in production; the bench's balancer talks plain HTTP on the loopback.
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database["url"],
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": f"redis://127.0.0.1:{cluster.redis_port}/0",
        "SITE_URL": lb,
        "PROVIDER_SANDBOX": "1",
        "DUBFORMER_BASE_URL": f"{sandbox}/sandbox/dubformer",
        "MODELSLAB_BASE_URL": f"{sandbox}/sandbox/modelslab",
        "STATIC_ROOT": str(run_dir / "static"),
        "MEDIA_ROOT": str(run_dir / "media"),
        "DUBWEB_VAR_DIR": str(run_dir / "var"),
        # A task stuck longer than this is dead: its job is taken up again (see submissions.rescue_stalled).
        "Q_TIMEOUT_S": "20",
        "JOB_REQUEUE_AFTER_S": "10",
        "COMPUTE_WAVEFORMS": "0",
        "LOG_LEVEL": "WARNING",
    }
    cluster.env = env
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    failures = []
    try:
        say(f"Preparing {args.database}: migrate, collectstatic, schedules (run folder {run_dir})")
        from django.core.management import call_command

        # In this process (three Django start-ups fewer); the static files first: without them the
        # production checks refuse to run anything.
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("ensure_schedules", stdout=open(os.devnull, "w"))  # noqa: SIM115
        accounts = seed(editors=max([editors, *steps]), reviewers=max(2, editors // 10),
                        managers=max(2, editors // 25), projects_count=max(2, editors // 10))  # fmt: skip
        accounts_file = run_dir / "accounts.json"
        accounts_file.write_text(json.dumps(accounts))
        manager_sessions = {a["project"]: a["session"] for a in accounts["manager"]}
        connections.close_all()

        say(f"Starting Redis :{cluster.redis_port}, gunicorn :{cluster.web_ports[0]} and :{cluster.web_ports[1]} "
            f"(3 sync workers each), HAProxy :{cluster.lb_port}, two qclusters, the sandbox :{cluster.sandbox_port}")  # fmt: skip
        cluster.start_redis()
        for index in (0, 1):
            cluster.start_web(index)
        cluster.start_sandbox()
        for index in (0, 1):
            cluster.wait_web(index)
        cluster.wait_sandbox()
        cluster.start_lb()
        for index in (0, 1):
            cluster.start_worker(index)
        mix = {"BENCH_EDITOR_WEIGHT": str(editors), "BENCH_REVIEWER_WEIGHT": str(max(2, editors // 10)),
               "BENCH_MANAGER_WEIGHT": str(max(2, editors // 25))}  # fmt: skip
        users = editors + max(2, editors // 10) + max(2, editors // 25)
        all_acks, all_attempts = [], []

        if "steady" in phases:
            say(f"Steady load: {editors} editors, reviewers and managers arrive over {ARRIVAL_S} s, then work "
                f"through the balancer for {seconds} s (load average before: {load_average()})")  # fmt: skip
            proc, out, started = run_locust(run_dir, "steady", accounts_file, lb, users=users, seconds=seconds,
                                            extra_env=mix, arrival_s=ARRIVAL_S)  # fmt: skip
            requests, acks, attempts, started, ended = collect(proc, out, started)
            all_acks += acks
            all_attempts += attempts
            # People arriving open the editor (the heaviest page) and read their rows; the target is for
            # the steady state once everyone is there (locust's own start-up: a few seconds more).
            settled = started + ARRIVAL_S + 5
            arriving = [r for r in requests if r[0] - r[4] / 1000 < settled]
            _, arrival_errors, _ = report(
                arriving, started, settled, f"Arrival, {editors} editors over {ARRIVAL_S} s"
            )
            requests = [r for r in requests if r[0] - r[4] / 1000 >= settled]
            p99, errors, conflicts = report(requests, settled, ended, f"Steady, {editors} editors")
            errors += arrival_errors
            print(f"  load average after: {load_average()}")
            print(f"  target: p99 of saves {p99:.1f} ms (< {TARGET_P99_MS:.0f}), errors {errors} (0)")
            if errors:
                failures.append(f"{errors} errors under steady load")

        sending = []
        if "faults" in phases:
            say(f"Faults under load: {editors} editors for {seconds + 25} s")
            proc, out, started = run_locust(run_dir, "faults", accounts_file, lb, users=users, seconds=seconds + 25,
                                            extra_env={**mix, "BENCH_PUSH_EVERY_S": "6"})  # fmt: skip
            windows = run_faults(cluster, database, started, lb, accounts["manager"], reduced)
            requests, acks, attempts, started, ended = collect(proc, out, started)
            all_acks += acks
            all_attempts += attempts
            report(requests, started, ended, f"Under faults, {editors} editors")
            sending = windows.pop("sending", [])
            print("  failed requests in each fault's window (in flight: sent before the fault struck):")
            in_windows = set()
            for name, (begin, end, struck) in windows.items():
                failed = [r for r in requests if begin <= r[0] <= end and is_error(r[3], r[1])]
                in_windows.update(id(r) for r in failed)
                in_flight = sum(1 for r in failed if r[0] - r[4] / 1000 < struck)
                kinds = defaultdict(int)
                for r in failed:
                    kinds[r[3] or r[5]] += 1
                print(
                    f"    {name:44}{end - begin:5.1f} s {len(failed):5d} failed ({in_flight} in flight)  {dict(kinds) or ''}"
                )
            outside = [r for r in requests if is_error(r[3], r[1]) and id(r) not in in_windows]
            print(f"    outside the windows: {len(outside)} failed")
            for r in outside[:10]:
                print(f"      {time.strftime('%H:%M:%S', time.localtime(r[0]))} {r[1]} {r[3]} {r[5]}")
            if outside:
                failures.append(f"{len(outside)} failed requests outside the fault windows")

        say("Waiting for every job to end (the managers' job cards poll)")
        ended_in_time = wait_for_jobs(lb, manager_sessions, 90)
        connections.close_all()
        lost, checked, later, details = lost_updates(all_acks, all_attempts)
        print(f"\nAcknowledged saves: {checked} segments checked in the database, {lost} lost, "
              f"{later} at a later version since")  # fmt: skip
        for line in details[:10]:
            print(f"  {line}")
        if lost:
            failures.append(f"{lost} acknowledged saves lost")
        problems, lines = jobs_outcome()
        from projects.models import Submission

        if sending:
            for job in Submission.objects.filter(pk__in=sending).values("pk", "kind", "status", "attempts"):
                lines.append(f"job {job['pk']} ({job['kind']}) was being sent when its worker was killed: "
                             f"{job['status']} after {job['attempts']} sending attempts")  # fmt: skip
        else:
            lines.append("no job was being sent at the moment the worker was killed")
        resent = list(Submission.objects.filter(attempts__gt=1).values_list("pk", flat=True))
        interrupted = Submission.objects.filter(error_message__contains="interrupted while it was being sent")
        lines.append(f"jobs whose send was interrupted: {len(resent)} sent again with the same Idempotency-Key "
                     f"{resent or ''}, {interrupted.count()} ModelsLab ones failed with the message")  # fmt: skip
        logs = "".join(path.read_text(errors="replace") for path in run_dir.glob("*.log"))
        lines.append(f"lost tasks taken up again: {logs.count('their task was lost; taken up again')}, sends "
                     f"the broker refused (taken up later): {logs.count('could not queue its send')}")  # fmt: skip
        print("Jobs: " + "\n  ".join(lines))
        print(
            f"  jobs that ended wrong or twice: {len(problems)}" + ("" if ended_in_time else " (timed out)")
        )
        for line in problems[:10]:
            print(f"  {line}")
        failures += problems

        if steps:
            say("Saturation through the cluster")
            proc, out, started = run_locust(run_dir, "steps-cluster", accounts_file, lb, users=0, seconds=0,
                                            roles="editor", steps=steps, step_s=step_s)  # fmt: skip
            requests, *_ = collect(proc, out, started)
            cluster_rate, cluster_how, cluster_peak = saturation(
                requests, started, steps, step_s, "Cluster (2×gunicorn + HAProxy)"
            )
            print(f"  load average: {load_average()}")
            for name in ("haproxy", "web1", "web2"):
                cluster.kill(name, signal.SIGTERM)
            port = free_port()
            say("Saturation through one runserver process")
            # As runserver is meant to run: a connection per request (its threads would each keep one).
            cluster.spawn("runserver", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                          {**env, "DB_CONN_MAX_AGE": "0"})  # fmt: skip
            wait_for(lambda: http_ok(port, "/accounts/login/"), "runserver", 30)
            proc, out, started = run_locust(run_dir, "steps-runserver", accounts_file, f"http://127.0.0.1:{port}",
                                            users=0, seconds=0, roles="editor", steps=steps, step_s=step_s)  # fmt: skip
            requests, *_ = collect(proc, out, started)
            single_rate, single_how, single_peak = saturation(
                requests, started, steps, step_s, "One runserver process"
            )
            print(f"  load average: {load_average()}")

            def shown(rate, how):
                return {"crossed": f"{rate:.1f} saves/s", "under": f"> {rate:.1f} saves/s (p99 stayed under)",
                        "first": f"≤ {rate:.1f} saves/s (over at the first step)"}[how]  # fmt: skip

            print(f"\nSaturation (p99 of saves crosses {TARGET_P99_MS:.0f} ms): cluster {shown(cluster_rate, cluster_how)}"
                  f", runserver {shown(single_rate, single_how)}, ratio {cluster_rate / max(single_rate, 1e-9):.2f}×")  # fmt: skip
            print(f"Most saves/s sustained by a step: cluster {cluster_peak:.1f}, runserver {single_peak:.1f}, "
                  f"ratio {cluster_peak / max(single_peak, 1e-9):.2f}×")  # fmt: skip
    finally:
        cluster.stop()
        connections.close_all()
        if not args.keep and not failures:
            shutil.rmtree(run_dir, ignore_errors=True)
            with psycopg.connect(database["admin"], autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        elif failures:
            print(f"\nLogs kept in {run_dir}")
    print(f"\nLoad average at the end: {load_average()} ({os.cpu_count()} cores)")
    if failures:
        print("FAILED: " + "; ".join(failures[:10]))
        sys.exit(1)
    print("Passed: no errors outside the fault windows, no lost saves, every job ended once and right.")


def run_faults(cluster, database, started, lb, managers, reduced):
    """The four faults, one after another while locust runs; returns {fault: (start, end)} in epoch s."""
    from projects.models import Submission

    windows = {}
    pause = 5 if reduced else 10

    def window(name, begin, struck=None):
        """The fault's window: from its start to 2 s after things are back; `struck`, when it took effect
        (a request sent before then was in flight)."""
        windows[name] = (begin, time.time() + 2, struck or begin)
        say(f"  back to normal after {time.time() - begin:.1f} s")

    time.sleep(pause)
    begin = time.time()
    say("Fault: gunicorn 1 killed (SIGKILL), started again")
    cluster.kill("web1")
    struck = time.time()
    time.sleep(2)
    cluster.start_web(0)
    cluster.wait_web(0)
    time.sleep(1.5)  # HAProxy's health check takes it back (rise 2 × 500 ms)
    window("gunicorn 1 killed and restarted", begin, struck)

    time.sleep(pause)
    begin = time.time()
    say("Fault: a qcluster killed (SIGKILL) while it sends a job, started again")
    import requests

    # Slow answers from the sandbox for a while, so that a send is under way when the worker dies.
    for provider, endpoint in (("dubformer", "create_project"), ("modelslab", "create_dubbing")):
        requests.post(f"http://127.0.0.1:{cluster.sandbox_port}/sandbox/control/fail", json={"provider": provider, "endpoint": endpoint,
                      "kind": "timeout", "times": 4}, timeout=10)  # fmt: skip
    # The worker to kill is the one talking to the sandbox (a connection open to its port) while a
    # job is being sent.
    from django.db import connections

    # The sandbox holds each create for 2 s: the same connection seen twice, 0.8 s apart, is a send (a
    # check or an output download is over by then).
    victim, deadline = None, time.time() + 30
    while victim is None and time.time() < deadline:
        if Submission.objects.filter(status=Submission.Status.SENDING).exists():
            first = [cluster.talks_to(f"worker{n + 1}", cluster.sandbox_port) for n in (0, 1)]
            time.sleep(0.8)
            victim = next(
                (n for n in (0, 1) if first[n] & cluster.talks_to(f"worker{n + 1}", cluster.sandbox_port)),
                None,
            )
        time.sleep(0.1)
    victim = victim or 0
    sending = list(Submission.objects.filter(status=Submission.Status.SENDING).values_list("pk", flat=True))
    connections.close_all()
    say(f"  qcluster {victim + 1} is sending job(s) {sending}: killed")
    cluster.kill(f"worker{victim + 1}")
    windows["sending"] = sending
    time.sleep(2)
    cluster.start_worker(victim)
    window("qcluster killed mid-send and restarted", begin)

    time.sleep(pause)
    begin = time.time()
    say("Fault: Redis restarted (its queue lost)")
    cluster.kill("redis")
    time.sleep(1)
    cluster.start_redis()
    window("Redis restarted", begin)

    time.sleep(pause)
    begin = time.time()
    terminated = terminate_connections(database)
    struck = time.time()
    say(f"Fault: every database connection terminated ({terminated})")
    time.sleep(1)
    window("database connections terminated", begin, struck)
    return windows


if __name__ == "__main__":
    main()
