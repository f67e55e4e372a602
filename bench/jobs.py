"""Provider jobs with a real web server, a real worker and the sandbox.

    .venv/bin/python bench/jobs.py [--pushes 20] [--drain 500] [--postgres postgres://postgres@127.0.0.1:5432]

Starts `manage.py runserver` (serving the app and the sandbox) and `manage.py qcluster` (2 workers, ORM
broker, or Redis with REDIS_URL) on a throw-away SQLite database (or a throw-away PostgreSQL database
`dubweb_bench` on the server --postgres names), then prints:
- push latency: from the POST of "Push re-translation" (the click) to the sandbox holding the new
  translation, median over --pushes, next to one direct HTTP round trip to the sandbox (the baseline);
- drain throughput: 500 queued ModelsLab dubs sent by the workers, per second, next to the same 500
  sends made one after another in this process without the queue (the baseline).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres_database(server_url, name):
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server_url}/{name}"


def wait_until(predicate, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise SystemExit(f"Timed out waiting for {what}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--drain", type=int, default=500)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL; the database dubweb_bench is made anew there"
    )
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="dubweb-bench-"))
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dubweb.settings",
        "DEBUG": "1",
        "DUBWEB_VAR_DIR": str(var),
        "PROVIDER_SANDBOX": "1",
        "SITE_URL": site,
        "Q_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        env["DATABASE_URL"] = fresh_postgres_database(args.postgres.rstrip("/"), "dubweb_bench")
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import requests
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from projects.models import Membership, Project, Role, Submission, Team
    from projects.services import submissions
    from sandbox.models import DubformerProject

    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    team = Team.objects.create(name="Bench", slug="bench")
    Membership.objects.create(user=user, team=team, role=Role.MANAGER)
    project = Project.objects.create(team=team, title="Bench", source_language="en-US", target_language="fr-FR",
                                     source_video_url="/static/demo/keynote.mp4")  # fmt: skip
    speaker = project.speakers.create(speaker_id=1, name="Anna", voice_key="soundalike")
    project.segments.create(start_ms=0, end_ms=1500, target_text="Bonjour.", speaker=speaker)

    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    worker = None
    try:
        wait_until(lambda: _up(site), 30, "the web server")
        with override_settings(SANDBOX_READY_AFTER_S=0):
            created = submissions.queue(project, Submission.Kind.CREATE_PROJECT, by=user, enqueue=False)
            submissions.send(created.pk)
        project.refresh_from_db()
        remote = DubformerProject.objects.get(project_id=project.dubformer_project_id)
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(3)  # the cluster's processes start

        session = requests.Session()
        login = session.get(f"{site}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        session.post(f"{site}/accounts/login/", data={"username": "bench", "password": "bench-pass-123",
                                                     "csrfmiddlewaretoken": token}, headers={"Referer": site})  # fmt: skip
        csrf = session.cookies["csrftoken"]
        push_url = f"{site}/projects/{project.pk}/providers/retranslate/"
        baseline_url = f"{site}/sandbox/dubformer/api/v1/balance"
        headers = {"Authorization": "Bearer sandbox-dubformer-key"}

        latencies, round_trips = [], []
        for _ in range(args.pushes):
            Submission.objects.filter(kind=Submission.Kind.RETRANSLATE).exclude(
                status__in=Submission.FINISHED
            ).update(status=Submission.Status.CANCELLED)
            before = DubformerProject.objects.get(pk=remote.pk).translations_count
            started = time.perf_counter()
            response = session.post(push_url, data={"mixing_mode": "voiceover_only", "tts_volume": "normal"},
                                    headers={"X-CSRFToken": csrf, "Referer": site, "HX-Request": "true"})  # fmt: skip
            assert response.status_code == 200, response.status_code
            wait_until(lambda before=before: DubformerProject.objects.get(pk=remote.pk).translations_count > before,
                       30, "the sandbox to receive the push")  # fmt: skip
            latencies.append(time.perf_counter() - started)
            started = time.perf_counter()
            session.get(baseline_url, headers=headers)
            round_trips.append(time.perf_counter() - started)

        # Drain: many queued dubs at once, through the broker to the workers.
        jobs = [
            submissions.queue(project, Submission.Kind.NEW_DUB, by=user, enqueue=False)
            for _ in range(args.drain)
        ]
        from django_q.tasks import async_task

        started = time.perf_counter()
        for job in jobs:
            async_task("projects.tasks.send_submission", job.pk)
        pending = Submission.objects.filter(pk__in=[job.pk for job in jobs], status__in=["queued", "sending"])
        wait_until(lambda: not pending.exists(), 600, "the queue to drain")
        queued_s = time.perf_counter() - started
        failures = Submission.objects.filter(pk__in=[job.pk for job in jobs], status=Submission.Status.FAILED)
        failed = failures.count()
        reasons = sorted(set(failures.values_list("error_message", flat=True)))

        worker.terminate()
        worker.wait(timeout=20)
        worker = None
        inline = [
            submissions.queue(project, Submission.Kind.NEW_DUB, by=user, enqueue=False)
            for _ in range(args.drain)
        ]
        started = time.perf_counter()
        for job in inline:
            submissions.send(job.pk)
        inline_s = time.perf_counter() - started

        median_push = statistics.median(latencies) * 1000
        median_trip = statistics.median(round_trips) * 1000
        database = "PostgreSQL" if args.postgres else "SQLite"
        broker = "Redis" if os.environ.get("REDIS_URL") else "ORM"
        print(f"Provider jobs, sandbox on {site}, database: {database}, broker: {broker}")
        print(f"  push → sandbox received   {median_push:7.1f} ms median of {args.pushes}   "
              f"(one HTTP round trip to the sandbox {median_trip:.1f} ms; ratio {median_push / median_trip:.1f}×)")  # fmt: skip
        print(f"  drain {args.drain} queued dubs    {queued_s:7.1f} s = {args.drain / queued_s:6.1f} per second with 2 workers"
              f"   (inline, no queue: {args.drain / inline_s:.1f} per second; ratio {inline_s / queued_s:.2f}×)"
              f"{f'   {failed} failed: {reasons}' if failed else ''}")  # fmt: skip
    finally:
        if worker:
            worker.terminate()
        server.terminate()


def _up(site):
    import requests

    try:
        return requests.get(f"{site}/accounts/login/", timeout=1).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
