"""Server time of the script editor on a 3,000-segment project, against bare Django baselines.

    .venv/bin/python bench/editor.py [--segments 3000] [--runs 40]

Measured in one process through the full middleware stack (test client, logged in):
- the editor's first screen vs a minimal view that reads the same rows with values_list and renders a
  bare table (target: within 3×);
- saving one segment's text vs a minimal view that updates one row (target: within 2×);
- a save's whole server cost (its answer carries the quality summary and the review progress), on a 40-segment and on
  the --segments project, as a ratio (target ≤ 1.3: a save re-checks the segment and its neighbour and
  adds to stored counts; it never re-checks the script).
Medians of many runs; the ratios are the figures. Also prints the SQL queries of each.
"""

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from bench._common import bench_member, plain_script, queries  # noqa: E402
from projects.models import Segment  # noqa: E402
from projects.timecodes import format_timecode  # noqa: E402

BARE_TABLE = engines["django"].from_string(
    "<table>{% for id, start, end, source, target in rows %}<tr><td>{{ start }}</td><td>{{ end }}</td>"
    "<td>{{ source }}</td><td>{{ target }}</td></tr>{% endfor %}</table>"
)


@login_required
def bare_table(request, pk, limit):
    rows = (
        Segment.objects.filter(project_id=pk)
        .order_by("start_ms", "id")
        .values_list("id", "start_ms", "end_ms", "source_text", "target_text")[:limit]
    )
    return HttpResponse(BARE_TABLE.render({"rows": rows}))


@login_required
@require_POST
def bare_update(request, pk, segment_pk):
    Segment.objects.filter(project_id=pk, pk=segment_pk).update(target_text=request.POST["target_text"])
    return HttpResponse("ok")


urlpatterns = [
    path("bench/table/<int:pk>/<int:limit>/", bare_table),
    path("bench/update/<int:pk>/<int:segment_pk>/", bare_update),
    path("", include("dubweb.urls")),
]


def median_ms(function, runs):
    function()  # warm up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


SMALL = 40


def save_with_summary(client, team, large, runs):
    """Median ms of one save with the panels its answer carries (what the server does for one change),
    on a SMALL and a `large` project, taken in turn; and the queries of each."""
    plans = []
    for count in (SMALL, large):
        project = plain_script(team, count, f"Save bench {count}")
        segment = Segment.objects.filter(project=project).order_by("start_ms")[count // 2]
        plans.append((project, segment, itertools.count()))

    def one_change(project, segment, counter):
        version = Segment.objects.filter(pk=segment.pk).values_list("version", flat=True).get()
        # The end alternates between two values, for each project apart (each save changes something):
        # the flags of the segment and of the next one change.
        end = segment.start_ms + (2400 if next(counter) % 2 else 2600)
        data = {
            "version": version,
            "field": "end",
            "end": format_timecode(end),
        }
        url = reverse("projects:segment-save", args=[project.pk, segment.pk])
        response = client.post(url, data, headers={"HX-Request": "true", "HX-Target": f"seg-{segment.pk}"})
        assert response.status_code == 200, response.status_code
        assert b"seg--saved" in response.content, "the bench's save changed nothing"
        # A change's answer carries the quality summary and review progress: the page asks for nothing after it

    times = ([], [])
    for plan in plans:
        one_change(*plan)  # warm up
    for _ in range(runs):
        for index, plan in enumerate(plans):
            started = time.perf_counter()
            one_change(*plan)
            times[index].append(time.perf_counter() - started)
    query_counts = [
        queries(lambda plan=plan: one_change(*plan)) - 1 for plan in plans
    ]  # less the bench's version read
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000, query_counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    # No setup_test_environment(): its template instrumentation would copy every context and slow
    # the editor (many partials) far more than the one-template baseline.
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(ROOT_URLCONF=__name__):
            from projects.selectors import FIRST_SCREEN

            user, team = bench_member()
            project = plain_script(team, args.segments, "Bench")
            segment = Segment.objects.filter(project=project).order_by("start_ms")[args.segments // 2]
            client = Client()
            client.force_login(user)

            editor_url = reverse("projects:editor", args=[project.pk])
            table_url = f"/bench/table/{project.pk}/{FIRST_SCREEN}/"
            save_url = reverse("projects:segment-save", args=[project.pk, segment.pk])
            update_url = f"/bench/update/{project.pk}/{segment.pk}/"
            counter = iter(range(10**9))

            def first_screen():
                assert client.get(editor_url).status_code == 200

            def bare_first_screen():
                assert client.get(table_url).status_code == 200

            def save():
                version = Segment.objects.filter(pk=segment.pk).values_list("version", flat=True).get()
                data = {"version": version, "field": "target_text", "target_text": f"Texte {next(counter)}"}
                response = client.post(
                    save_url, data, headers={"HX-Request": "true", "HX-Target": f"seg-{segment.pk}"}
                )
                assert response.status_code == 200, response.status_code

            def bare_save():
                assert client.post(update_url, {"target_text": f"Texte {next(counter)}"}).status_code == 200

            version_read_ms = median_ms(
                lambda: Segment.objects.filter(pk=segment.pk).values_list("version", flat=True).get(),
                args.runs,
            )
            results = {
                "first": median_ms(first_screen, args.runs),
                "bare_first": median_ms(bare_first_screen, args.runs),
                "save": median_ms(save, args.runs)
                - version_read_ms,  # the bench's own version lookup is not the save
                "bare_save": median_ms(bare_save, args.runs),
            }
            results["small_save"], results["large_save"], save_queries = save_with_summary(
                client, team, args.segments, args.runs
            )
            print(f"Editor on {args.segments} segments (first screen = {FIRST_SCREEN} rows), median of {args.runs} runs, "
                  f"database: {connection.vendor}")  # fmt: skip
            print(f"  editor first screen   {results['first']:7.1f} ms ({queries(first_screen)} queries)   "
                  f"bare table of the same rows {results['bare_first']:6.1f} ms ({queries(bare_first_screen)} queries)   "
                  f"ratio {results['first'] / results['bare_first']:.2f}×  (target ≤ 3×)")  # fmt: skip
            print(f"  save one segment      {results['save']:7.1f} ms ({queries(save) - 1} queries)   "
                  f"bare one-row update {results['bare_save']:6.1f} ms ({queries(bare_save)} queries)   "
                  f"ratio {results['save'] / results['bare_save']:.2f}×  (target ≤ 2×)")  # fmt: skip
            print(f"  save with its panels at {args.segments} segments {results['large_save']:7.1f} ms "
                  f"({save_queries[1]} queries)   at {SMALL} segments {results['small_save']:6.1f} ms ({save_queries[0]} queries)   "
                  f"ratio {results['large_save'] / results['small_save']:.2f}×  (target ≤ 1.3)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
