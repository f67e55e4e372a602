"""What a person sees once, at 300, 3,000 and 30,000 segments: it must cost the same whatever the length.

    .venv/bin/python bench/server_scale.py [--sizes 300,3000,30000] [--runs 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dubweb_x .venv/bin/python bench/server_scale.py

Measured in one process through the full middleware stack (test client, logged in), one project per
size, each request's median over --runs (taken in turn across the sizes): the project page, find-as-you-type in the editor (a word in
many segments, and a word in one segment only), the providers panel and the quality summary. Prints the
milliseconds and SQL queries at each size and the ratio of the largest size to the smallest (target
≤ 1.5: the pages read stored counts and bounded rows, never the whole script).
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
from django.urls import reverse  # noqa: E402

from bench._common import bench_member, bench_speakers, queries  # noqa: E402
from projects.models import Project, Role, Segment  # noqa: E402
from projects.services import script_summary  # noqa: E402

HX = {"HX-Request": "true"}


def make_project(team, size):
    project = Project.objects.create(
        team=team, title=f"Film {size}", source_language="en-US", target_language="fr-FR"
    )
    speakers = bench_speakers(project)
    rare = size // 2
    for start in range(0, size, 5000):
        Segment.objects.bulk_create(
            Segment(
                project=project,
                start_ms=n * 2500,
                # every 7th line is too short and every 11th has no speaker: the checks find something
                end_ms=n * 2500 + (300 if n % 7 == 0 else 2000),
                speaker=None if n % 11 == 0 else speakers[n % 6],
                source_text=f"This is line {n} of the original dialogue.",
                target_text="Une réplique unique, introuvable ailleurs."
                if n == rare
                else f"Voici la réplique {n} du dialogue traduit.",
            )
            for n in range(start, min(size, start + 5000))
        )
    script_summary.recount(project)  # as an import does
    return project


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,3000,30000")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    # No setup_test_environment(): its template instrumentation would slow every page.
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user, team = bench_member(role=Role.MANAGER)
        client = Client()
        client.force_login(user)

        def views(project):
            rows = reverse("projects:segment-rows", args=[project.pk])
            return {
                "project page": lambda: client.get(project.get_absolute_url()),
                "find-as-you-type, common word": lambda: client.get(rows, {"q": "dialogue"}, headers=HX),
                "find-as-you-type, one match": lambda: client.get(rows, {"q": "introuvable"}, headers=HX),
                "providers panel": lambda: client.get(reverse("projects:providers-panel", args=[project.pk])),
                "quality summary": lambda: client.get(
                    reverse("projects:quality-summary", args=[project.pk]), headers=HX
                ),
            }

        projects = {size: make_project(team, size) for size in sizes}
        # The state autovacuum brings a table to after an import: statistics, and PostgreSQL's GIN
        # pending list merged into the trigram indexes.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE projects_segment" if connection.vendor == "postgresql" else "ANALYZE"
            )
        for project in projects.values():  # warm up, check, count queries
            for name, view in views(project).items():
                response = view()
                assert response.status_code == 200, (name, response.status_code)
        query_counts = {
            (name, size): queries(view) for size in sizes for name, view in views(projects[size]).items()
        }
        # Round robin over the sizes, so that the load of a shared machine falls on each size alike.
        times = {key: [] for key in query_counts}
        for _ in range(args.runs):
            for size in sizes:
                for name, view in views(projects[size]).items():
                    started = time.perf_counter()
                    view()
                    times[(name, size)].append(time.perf_counter() - started)
        results = {
            key: (statistics.median(values) * 1000, query_counts[key]) for key, values in times.items()
        }
        project = projects[sizes[0]]

        print(
            f"Server time of what a person sees once, median of {args.runs} runs, database: {connection.vendor}"
        )
        header = "".join(f"{size:>10,} segs" for size in sizes)
        print(f"  {'':32}{header}   ratio {sizes[-1]:,}/{sizes[0]:,}  (target ≤ 1.5)")
        for name in views(project):
            cells = "".join(
                f"{results[(name, size)][0]:8.1f} ms/{results[(name, size)][1]:<2d}q" for size in sizes
            )
            ratio = results[(name, sizes[-1])][0] / results[(name, sizes[0])][0]
            print(f"  {name:32}{cells}   {ratio:5.2f}×")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
