"""What opening the push form costs: the changes since the last push and the minutes, at 10, 3,000 and 10,000
segments, with nothing changed and with every segment changed (the worst case: all compared, 50 shown).

    .venv/bin/python bench/push_preview.py [--sizes 10,3000,10000] [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dubweb_x .venv/bin/python bench/push_preview.py

Measured in one process through the full middleware stack (test client, logged in as a manager), the median
of --runs per case. The form reads the whole script once (the body it would send) and the last push's
snapshot: the time grows with the script, the number of queries does not.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from projects.models import Membership, Project, Role, Segment, Speaker, Submission, Team  # noqa: E402
from projects.services import payloads, script_summary  # noqa: E402


def make_project(team, size, user):
    project = Project.objects.create(team=team, title=f"Film {size}", source_language="en-US",
                                     target_language="fr-FR", dubformer_project_id="1")  # fmt: skip
    speaker = Speaker.objects.create(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    Segment.objects.bulk_create(
        Segment(project=project, start_ms=n * 2000, end_ms=n * 2000 + 1500, target_text=f"Ligne {n} du film.",
                speaker=speaker, review_status="approved")
        for n in range(size)
    )  # fmt: skip
    script_summary.recount(project)
    rows = payloads.retranslation_rows(project)
    Submission.objects.create(project=project, provider="dubformer", kind=Submission.Kind.RETRANSLATE,
                              status=Submission.Status.SUCCEEDED, request={"target_script": []},
                              script_snapshot=payloads.script_snapshot(rows), created_by=user)  # fmt: skip
    return project


def measure(client, url, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers={"HX-Request": "true"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers={"HX-Request": "true"})
    count = len(
        [q for q in captured.captured_queries if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]
    )
    return statistics.median(timings), count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,3000,10000")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    # No setup_test_environment(): its template instrumentation would slow every page.
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("bench-manager", password="x")
        team = Team.objects.create(name="Bench", slug="bench")
        Membership.objects.create(user=user, team=team, role=Role.MANAGER)
        client = Client()
        client.force_login(user)
        print(f"{connection.vendor}: push form preview (ms, queries), median of {options.runs}")
        for size in sizes:
            project = make_project(team, size, user)
            url = reverse("projects:push-preview", args=[project.pk, "retranslate"])
            same_ms, same_q = measure(client, url, options.runs)
            Segment.objects.filter(project=project).update(target_text="Changé partout.")
            changed_ms, changed_q = measure(client, url, options.runs)
            print(f"  {size:>6} segments: no change {same_ms:7.1f} ms ({same_q} queries) · "
                  f"every segment changed {changed_ms:7.1f} ms ({changed_q} queries)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
