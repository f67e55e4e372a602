"""What presence costs the server: 30 editors with one 3,000-segment script open, polling as the editor does.

    .venv/bin/python bench/presence.py [--editors 30] [--seconds 40] [--segments 3000]
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/dubweb .venv/bin/python bench/presence.py

For --seconds of real time, each of --editors signed-in people polls projects:presence every
presence.POLL_SECONDS (staggered, as pages opened at different moments), while together they save a line
every 2 s, so that polls carry the rows others changed. Through the full middleware stack in one process
(Django's test client: everything but the HTTP parsing a server adds).

Figures:
- CPU share: the CPU time spent answering polls (each also brings the unread notification count) (this process's, plus on PostgreSQL the database
  backend's, read from /proc) over the wall time: the share of one core that presence costs. Target < 10 %.
- a save's server time while the others poll, against the same save with nobody else there (ratio).
"""

import argparse
import heapq
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from projects.models import Membership, Project, Role, Segment, Speaker, Team  # noqa: E402
from projects.services import presence, script_summary  # noqa: E402


def database_cpu():
    """CPU seconds of this connection's PostgreSQL backend so far (0 on SQLite: it runs in this process)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def build(segments, editors):
    team = Team.objects.create(name="Bench", slug="bench")
    project = Project.objects.create(
        team=team, title="Bench", source_language="en-US", target_language="fr-FR"
    )
    speakers = [
        Speaker.objects.create(project=project, speaker_id=n, name=f"Speaker {n}") for n in range(1, 7)
    ]
    Segment.objects.bulk_create(
        Segment(
            project=project,
            start_ms=n * 2500,
            end_ms=n * 2500 + 2000,
            speaker=speakers[n % 6],
            source_text=f"This is line {n} of the original dialogue.",
            target_text=f"Voici la réplique {n} du dialogue traduit.",
        )
        for n in range(segments)
    )
    script_summary.recount(project)
    clients = []
    for n in range(editors):
        user = get_user_model().objects.create_user(f"editor{n}", password="x")
        Membership.objects.create(user=user, team=team, role=Role.EDITOR)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return project, list(Segment.objects.filter(project=project).order_by("start_ms")), clients


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--segments", type=int, default=3000)
    args = parser.parse_args()

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        project, lines, clients = build(args.segments, args.editors)
        poll_url = reverse("projects:presence", args=[project.pk])
        cursors = [""] * len(clients)
        saved = iter(range(10**9))

        def save(client, line):
            version = Segment.objects.filter(pk=line.pk).values_list("version", flat=True).get()
            url = reverse("projects:segment-save", args=[project.pk, line.pk])
            data = {"version": version, "field": "target_text", "target_text": f"Texte {next(saved)}"}
            started = time.perf_counter()
            response = client.post(url, data, headers={"HX-Request": "true", "HX-Target": f"seg-{line.pk}"})
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - started

        def poll(index):
            line = lines[(index * 97) % len(lines)]
            response = clients[index].post(poll_url, {"segment": line.pk, "since": cursors[index]})
            assert response.status_code == 200, response.status_code
            html = response.content.decode()
            start = html.index('name="since" value="') + len('name="since" value="')
            cursors[index] = html[start : html.index('"', start)]
            return html.count('class="seg ')

        # A save with nobody else there (no presence rows, no polls).
        # Spaced like the saves among the polls below (a save right after another finds warmer caches).
        alone = []
        for _ in range(20):
            alone.append(save(clients[0], lines[len(lines) // 2]))
            time.sleep(presence.POLL_SECONDS / len(clients))

        # Every poll and save, in time order, for --seconds of real time.
        events = [
            (index * presence.POLL_SECONDS / len(clients), "poll", index) for index in range(len(clients))
        ]
        events += [(1.0 + 2.0 * n, "save", n % len(clients)) for n in range(int(args.seconds / 2))]
        heapq.heapify(events)
        poll_cpu = poll_db_cpu = 0.0
        polls = rows_sent = 0
        together = []
        began = time.perf_counter()
        while events:
            at, kind, index = heapq.heappop(events)
            if at > args.seconds:
                break
            wait = began + at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            if kind == "save":
                together.append(save(clients[index], lines[(index * 31) % len(lines)]))
                continue
            db_before, cpu_before = database_cpu(), time.process_time()
            rows_sent += poll(index)
            poll_cpu += time.process_time() - cpu_before
            poll_db_cpu += database_cpu() - db_before
            polls += 1
            heapq.heappush(events, (at + presence.POLL_SECONDS, "poll", index))
        wall = time.perf_counter() - began

        share = (poll_cpu + poll_db_cpu) / wall
        print(
            f"Presence polling on {connection.vendor}, {args.segments:,} segments, {len(clients)} editors, {wall:.0f} s"
        )
        print(f"  polls answered: {polls} ({polls / wall:.1f}/s), rows sent with them: {rows_sent}")
        print(
            f"  CPU per poll: {1000 * poll_cpu / polls:.2f} ms in dubweb + {1000 * poll_db_cpu / polls:.2f} ms in the database"
        )
        print(f"  CPU share of one core: {share:.1%}  (target < 10 %)  {'OK' if share < 0.10 else 'OVER'}")
        ratio = statistics.median(together) / statistics.median(alone)
        print(
            f"  a save: {1000 * statistics.median(alone):.1f} ms alone, {1000 * statistics.median(together):.1f} ms "
            f"with {len(clients)} others polling: ratio {ratio:.2f}"
        )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
