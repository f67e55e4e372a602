"""How long importing and exporting a 5,000-cue SRT takes, against pysubs2 alone on the same file.

    .venv/bin/python bench/import_export_srt.py [--cues 5000] [--runs 5]

Runs against a throw-away test database (SQLite in memory, or `test_…` on the server DATABASE_URL
names). The figure is the ratio: dubweb's import + export over pysubs2's parse + write of the same
file, medians of several runs measured in this same process. The target is under 3×.
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

import pysubs2  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from projects.models import Project, Team  # noqa: E402
from projects.services import scripts  # noqa: E402
from projects.timecodes import format_timecode  # noqa: E402

SPEAKERS = ["Anna", "Ben", "Chloé", "Dmitri", "Esi"]


def make_srt(cues):
    blocks = []
    for n in range(cues):
        start = n * 2400 + 300
        end = start + 1500 + (n * 37) % 700
        text = f'{SPEAKERS[n % 5]}: Line {n}, où l\'on parle — "vraiment".\nSecond line of cue {n}.'
        blocks.append(f"{n + 1}\n{format_timecode(start, ',')} --> {format_timecode(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def median_time(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cues", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        srt = make_srt(args.cues)
        raw = srt.encode("utf-8")
        team = Team.objects.create(name="Bench", slug="bench")
        project = Project.objects.create(
            team=team, title="Bench", source_language="en-US", target_language="fr-FR"
        )

        parse_s = median_time(lambda: pysubs2.SSAFile.from_string(srt, format_="srt"), args.runs)
        parsed = pysubs2.SSAFile.from_string(srt, format_="srt")
        write_s = median_time(lambda: parsed.to_string("srt"), args.runs)

        def import_file():
            staged = scripts.stage_import(
                project, filename="bench.srt", raw=raw, by=None, max_bytes=10 * 1024 * 1024
            )
            scripts.apply_import(staged, by=None)

        import_s = median_time(import_file, args.runs)
        export_s = median_time(lambda: scripts.export_script(project, "srt"), args.runs)
        assert scripts.export_script(project, "srt").rstrip("\n") == srt.rstrip("\n"), (
            "round trip changed the file"
        )

        with CaptureQueriesContext(connection) as import_queries:
            import_file()
        with CaptureQueriesContext(connection) as export_queries:
            scripts.export_script(project, "srt")

        baseline = parse_s + write_s
        ours = import_s + export_s
        print(f"SRT of {args.cues} cues ({len(raw) / 1024:.0f} KiB), median of {args.runs} runs, "
              f"database: {connection.vendor}")  # fmt: skip
        print(f"  pysubs2 parse            {parse_s * 1000:8.1f} ms")
        print(f"  pysubs2 write            {write_s * 1000:8.1f} ms")
        print(f"  dubweb import            {import_s * 1000:8.1f} ms   {import_s / parse_s:5.2f}× pysubs2 parse"
              f"   ({len(import_queries)} SQL queries; replaces the script and backs up the old one)")  # fmt: skip
        print(f"  dubweb export            {export_s * 1000:8.1f} ms   {export_s / write_s:5.2f}× pysubs2 write"
              f"   ({len(export_queries)} SQL queries)")  # fmt: skip
        print(f"  import + export          {ours * 1000:8.1f} ms   {ours / baseline:5.2f}× pysubs2 parse + write"
              f"   (target: under 3×)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
