"""What a person sees costs the same at 1×, 10× and 100× data: the pages that everyone opens all day.

    .venv/bin/python bench/growth.py [--scales 1,10,100] [--runs 20] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dubweb_x .venv/bin/python bench/growth.py

One database grows from 1× to 10× to 100× (rows are added, never rebuilt): the segments of the project
being edited and of a big project of another team, the number of projects (each with a small script),
and the history (script edits and the segments they touched, job events, comments, notifications) and
the jobs. Added history is older than what was there, as a studio's past accumulates behind its present:
the newest screenful is the same at every scale, so any growth in cost is the data's size showing through.

Measured in one process through the full middleware stack (test client, signed in as a manager of the
team): the editor's first screen; a save of one segment's text that moves a problem count (its answer
carries the quality summary and the review progress); the project list; My work; the project's activity feed; the team's activity feed.
The machine is shared and its load changes between scales, so each page's time is taken as the fastest
of --runs runs (the least interrupted one; the median is printed too), and each run of a page is
followed by a run of a bare page (signed in, through the same middleware, one line of text) whose time
shows how loaded the machine was. Printed: milliseconds and SQL queries at each scale, and the growth:
the fastest time at each scale over the fastest at 1× (target ≤ 1.5 at 100×: cost follows what is
shown, not the database).
On PostgreSQL the tables are ANALYZEd after each growth step, as autovacuum would; on SQLite they are
not (nothing runs ANALYZE on a studio's SQLite file). With --explain, the slowest queries of each page at
the last scale are printed with their plans.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench._common import queries  # noqa: E402
from projects.models import (  # noqa: E402
    Activity,
    Assignment,
    Comment,
    EditedSegment,
    Membership,
    Notification,
    Project,
    ReviewStatus,
    Role,
    ScriptEdit,
    ScriptSummary,
    Segment,
    Speaker,
    Submission,
    Team,
)
from projects.services import script_summary  # noqa: E402

# Sizes at 1×; each scale multiplies them (the bench user's own assignments excepted: a person's
# workload does not grow with the studio's past).
BASE = {
    "segments of the edited project": 500,
    "segments of a big project of another team": 500,
    "projects per team (2 teams, 30 segments each)": 10,
    "script edits (1 segment each)": 2000,
    "job events (Activity)": 300,
    "comments": 300,
    "notifications": 500,
    "jobs (Submission)": 100,
}
SMALL_SCRIPT = 30
MEMBERS = 12  # per team
MY_ASSIGNMENTS = 5
SPEAKERS = 6
BATCH = 5000
HX = {"HX-Request": "true"}


class World:
    """The growing data: what was made so far, to add the next scale's share on top."""

    def __init__(self):
        self.now = timezone.now().replace(microsecond=0)
        self.random = random.Random(12)
        self.made = dict.fromkeys(BASE, 0)
        User = get_user_model()
        self.teams = [Team.objects.create(name=name, slug=name.lower()) for name in ("Bench", "Other")]
        self.members = []
        for team in self.teams:
            users = User.objects.bulk_create(
                User(username=f"{team.slug}{n}", first_name=f"Person {n}") for n in range(MEMBERS)
            )
            roles = [Role.MANAGER, Role.REVIEWER, *[Role.EDITOR] * (MEMBERS - 2)]
            Membership.objects.bulk_create(
                Membership(user=user, team=team, role=role) for user, role in zip(users, roles, strict=True)
            )
            self.members.append(users)
        self.user = self.members[0][0]  # the manager of the team "Bench": sees everything it has
        self.main, self.big = (
            Project.objects.create(team=team, title=title, source_language="en-US", target_language="fr-FR")
            for team, title in zip(self.teams, ("The edited project", "Their big project"), strict=True)
        )
        self.projects = [[self.main], [self.big]]
        self.speakers = self._speakers([self.main, self.big])

    def _speakers(self, projects):
        made = Speaker.objects.bulk_create(
            Speaker(project=project, speaker_id=n, name=f"Speaker {n}")
            for project in projects
            for n in range(1, SPEAKERS + 1)
        )
        by_project = {}
        for speaker in made:
            by_project.setdefault(speaker.project_id, []).append(speaker)
        return by_project

    def ago(self, seconds):
        return self.now - datetime.timedelta(seconds=seconds)

    # --- growth -------------------------------------------------------------------------------------

    def grow_to(self, scale):
        started = time.perf_counter()
        targets = {name: size * scale for name, size in BASE.items()}
        self._segments(self.main, "segments of the edited project", targets)
        self._segments(self.big, "segments of a big project of another team", targets)
        self._projects(targets)
        self._edits(targets)
        self._activity(targets)
        self._comments(targets)
        self._notifications(targets)
        self._jobs(targets)
        if not Assignment.objects.filter(user=self.user).exists():  # the first growth, whatever its scale
            Assignment.objects.bulk_create(
                Assignment(project=project, user=self.user, task="translate", due_date=self.now.date())
                for project in self.projects[0][:MY_ASSIGNMENTS]
            )
        for project in (self.main, self.big):
            script_summary.recount(project)
        # The edited project is the one changed last: first in the list.
        Project.objects.filter(pk=self.main.pk).update(updated_at=self.now, last_change_at=self.now)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return time.perf_counter() - started

    def _segments(self, project, name, targets):
        first, last = self.made[name], targets[name]
        speakers = self.speakers[project.pk]
        for start in range(first, last, BATCH):
            Segment.objects.bulk_create(
                Segment(
                    project=project,
                    start_ms=n * 2500,
                    end_ms=n * 2500 + 2000,
                    speaker=speakers[n % SPEAKERS],
                    source_text=f"This is line {n} of the original dialogue.",
                    target_text=f"Voici la réplique {n} du dialogue traduit.",
                    # some handed in for review, some approved: My work and the list have figures to show
                    review_status=(ReviewStatus.DRAFT, ReviewStatus.NEEDS_REVIEW, ReviewStatus.APPROVED)[
                        n % 3
                    ],
                )
                for n in range(start, min(last, start + BATCH))
            )
        self.made[name] = last

    def _projects(self, targets):
        name = "projects per team (2 teams, 30 segments each)"
        first, last = self.made[name], targets[name]
        for team_index, team in enumerate(self.teams):
            # One fewer the first time: the edited project and the big one are each team's first.
            start = max(first, 1)
            made = Project.objects.bulk_create(
                Project(
                    team=team,
                    title=f"{team.name} episode {n}",
                    source_language="en-US",
                    target_language=("fr-FR", "de-DE", "es-ES")[n % 3],
                    status=(Project.Status.DRAFT, Project.Status.IN_REVIEW, Project.Status.DELIVERED)[n % 3],
                )
                for n in range(start, last)
            )
            for n, project in zip(range(start, last), made, strict=True):
                # older ones further down
                project.updated_at = project.created_at = project.last_change_at = self.ago(3600 * n)
            Project.objects.bulk_update(made, ["updated_at", "created_at", "last_change_at"], batch_size=500)
            speakers = self._speakers(made)
            for chunk in range(0, len(made), BATCH // SMALL_SCRIPT):
                Segment.objects.bulk_create(
                    Segment(
                        project=project,
                        start_ms=n * 2500,
                        end_ms=n * 2500 + 2000,
                        speaker=speakers[project.pk][n % SPEAKERS],
                        source_text=f"Line {n}.",
                        target_text=f"Réplique {n}.",
                        review_status=ReviewStatus.NEEDS_REVIEW if n < 3 else ReviewStatus.DRAFT,
                    )
                    for project in made[chunk : chunk + BATCH // SMALL_SCRIPT]
                    for n in range(SMALL_SCRIPT)
                )
            # Their figures as an import leaves them (recounting each would take longer than the bench).
            ScriptSummary.objects.bulk_create(
                ScriptSummary(
                    project=project,
                    team=team,
                    segments=SMALL_SCRIPT,
                    review_draft=SMALL_SCRIPT - 3,
                    review_needs_review=3,
                )
                for project in made
            )
            Speaker.objects.filter(project__in=made).update(line_count=SMALL_SCRIPT // SPEAKERS)
            members = self.members[team_index]
            Assignment.objects.bulk_create(
                Assignment(project=project, user=members[2 + n % (MEMBERS - 2)], task="translate")
                for n, project in enumerate(made)
            )
            self.projects[team_index].extend(made)
        self.made[name] = last

    def _anyone(self, team_index):
        return self.random.choice(self.members[team_index])

    def _edits(self, targets):
        name = "script edits (1 segment each)"
        first, last = self.made[name], targets[name]
        main_segments = list(
            Segment.objects.filter(project=self.main).order_by("start_ms").values_list("id", flat=True)[:2000]
        )
        for start in range(first, last, BATCH):
            edits = []
            touched = []
            for n in range(start, min(last, start + BATCH)):
                # Half on the edited project, the rest across both teams' projects; one every 20 s.
                if n % 2 == 0:
                    project, team_index, segment_id = self.main, 0, main_segments[n % len(main_segments)]
                else:
                    team_index = n % 4 // 2
                    project = self.random.choice(self.projects[team_index])
                    segment_id = 10**12 + n  # a segment of that project, long gone: only its history stays
                state = {"id": segment_id, "start_ms": 0, "end_ms": 2000, "source_text": "Line.",
                         "target_text": f"Version {n}", "speaker_id": None, "review_status": "draft"}  # fmt: skip
                edits.append(
                    ScriptEdit(
                        project=project,
                        user=self._anyone(team_index),
                        label="Changed the text at 00:00:00.000",
                        before=[{**state, "target_text": f"Version {n - 1}"}],
                        after=[state],
                        created_at=self.ago(20 * n),
                    )
                )
                touched.append(segment_id)
            made = ScriptEdit.objects.bulk_create(edits)
            EditedSegment.objects.bulk_create(
                EditedSegment(edit=edit, segment_id=segment_id)
                for edit, segment_id in zip(made, touched, strict=True)
            )
        self.made[name] = last

    def _activity(self, targets):
        name = "job events (Activity)"
        first, last = self.made[name], targets[name]
        Activity.objects.bulk_create(
            Activity(
                project=self.main if n % 3 == 0 else self.random.choice(self.projects[n % 2]),
                actor=self._anyone(n % 2),
                verb="submission",
                message=f"Re-translation {n} finished",
                created_at=self.ago(200 * n + 7),
            )
            for n in range(first, last)
        )
        self.made[name] = last

    def _comments(self, targets):
        name = "comments"
        first, last = self.made[name], targets[name]
        segments = list(
            Segment.objects.filter(project=self.main).order_by("start_ms").values_list("id", flat=True)[:2000]
        )
        Comment.objects.bulk_create(
            Comment(
                project=self.main if n % 2 == 0 else self.random.choice(self.projects[n // 2 % 2]),
                segment_id=segments[n % len(segments)] if n % 4 == 0 else None,
                author=self._anyone(0),
                body=f"Comment {n}: is this line right?",
                created_at=self.ago(300 * n),
                resolved_at=self.ago(300 * n - 60) if n % 5 else None,
            )
            for n in range(first, last)
        )
        self.made[name] = last

    def _notifications(self, targets):
        name = "notifications"
        first, last = self.made[name], targets[name]
        kinds = list(Notification.Kind)
        Notification.objects.bulk_create(
            Notification(
                # a fifth of them the bench user's
                user=self.user if n % 5 == 0 else self._anyone(n % 2),
                kind=kinds[n % len(kinds)],
                project=self.main,
                actor=self._anyone(0),
                text=f"Notification {n}",
                url=f"/projects/{self.main.pk}/",
                created_at=self.ago(60 * n),
                read_at=None if n < 50 else self.ago(60 * n - 30),
            )
            for n in range(first, last)
        )
        self.made[name] = last

    def _jobs(self, targets):
        name = "jobs (Submission)"
        first, last = self.made[name], targets[name]
        Submission.objects.bulk_create(
            Submission(
                project=self.main if n % 4 == 0 else self.random.choice(self.projects[n % 2]),
                provider=Submission.Provider.MODELSLAB,
                kind=Submission.Kind.NEW_DUB,
                status=Submission.Status.SUCCEEDED if n % 10 else Submission.Status.FAILED,
                options={"speed": 1},
                request={"source_lang": "en", "target_lang": "fr"},
                responses=[{"status": "success"}],
                created_by=self.user if n % 3 == 0 else self._anyone(n % 2),
            )
            for n in range(first, last)
        )
        self.made[name] = last

    def sizes(self):
        return {
            "segments": Segment.objects.count(),
            "projects": Project.objects.count(),
            "script edits": ScriptEdit.objects.count(),
            "edited segments": EditedSegment.objects.count(),
            "job events": Activity.objects.count(),
            "comments": Comment.objects.count(),
            "notifications": Notification.objects.count(),
            "jobs": Submission.objects.count(),
            "assignments": Assignment.objects.count(),
        }


def pages(world, client):
    """{name: a function that asks for the page (and checks it answered)}."""
    project = world.main
    segment = Segment.objects.filter(project=project).order_by("start_ms", "id")[20]
    counter = iter(range(10**9))

    def get(url, **headers):
        def ask():
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)

        return ask

    def save_with_panels():
        version = Segment.objects.filter(pk=segment.pk).values_list("version", flat=True).get()
        # Short and far too long in turn: each save moves a problem count, so its answer carries the panels.
        turn = next(counter)
        text = f"Texte {turn}" if turn % 2 else f"Texte {turn}, " + "beaucoup trop long pour sa place " * 6
        data = {"version": version, "field": "target_text", "target_text": text}
        url = reverse("projects:segment-save", args=[project.pk, segment.pk])
        response = client.post(url, data, headers={**HX, "HX-Target": f"seg-{segment.pk}"})
        assert response.status_code == 200, response.status_code
        assert b'id="review-progress"' in response.content, "the save moved no count"

    return {
        "editor first screen": get(reverse("projects:editor", args=[project.pk])),
        "save with its panels": save_with_panels,
        "project list": get(reverse("projects:list")),
        "My work": get(reverse("projects:my-work")),
        "project activity": get(reverse("projects:project-activity", args=[project.pk])),
        "team activity": get(reverse("projects:team-activity")),
    }


@login_required
def bare_page(request):
    return HttpResponse(f"Signed in as {request.user.username}.")


urlpatterns = [path("bench/bare/", bare_page), path("", include("dubweb.urls"))]


def times_ms(function, baseline, runs):
    """(fastest, median) ms of `function`, and the median ms of `baseline`, run in turn."""
    function()  # warm up
    baseline()
    times = ([], [])
    for _ in range(runs):
        for index, each in enumerate((function, baseline)):
            started = time.perf_counter()
            each()
            times[index].append(time.perf_counter() - started)
    return min(times[0]) * 1000, statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def explain(function, top=3):
    """The slowest SQL statements of one request, with their plans."""
    with CaptureQueriesContext(connection) as captured:
        function()
    slowest = sorted(captured.captured_queries, key=lambda query: -float(query["time"]))[:top]
    for query in slowest:
        sql = query["sql"]
        print(f"    {float(query['time']) * 1000:7.1f} ms  {sql[:300]}")
        if not sql.lstrip("(").startswith(("SELECT", "WITH")) or "UPDATE" in sql:
            continue
        with connection.cursor() as cursor:
            prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("        " + " | ".join(str(column) for column in row))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    scales = [int(scale) for scale in args.scales.split(",")]

    print(f"Growth bench on {connection.vendor}; load average {load()}")
    print(
        "Sizes at 1× (each scale multiplies them): " + "; ".join(f"{n:,} {name}" for name, n in BASE.items())
    )
    print(
        f"The bench user: manager of a team of {MEMBERS}, assigned {MY_ASSIGNMENTS} projects at every scale."
    )
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results = {}
    overrides = override_settings(ROOT_URLCONF=__name__)
    overrides.enable()
    try:
        world = World()
        client = Client()
        client.force_login(world.user)

        def bare():
            assert client.get("/bench/bare/").status_code == 200

        for scale in scales:
            built = world.grow_to(scale)
            sizes = ", ".join(f"{n:,} {name}" for name, n in world.sizes().items())
            print(f"\n{scale}× built in {built:.1f} s: {sizes}; load average {load()}")
            for name, function in pages(world, client).items():
                milliseconds, median, bare_ms = times_ms(function, bare, args.runs)
                count = queries(function) - (
                    1 if name.startswith("save") else 0
                )  # less the bench's version read
                results[(name, scale)] = (milliseconds, count)
                growth = milliseconds / results[(name, scales[0])][0]
                print(f"  {name:24} fastest {milliseconds:7.1f} ms (median {median:7.1f})  {count:3d} queries   "
                      f"bare page {bare_ms:5.1f} ms   growth {growth:5.2f}× of {scales[0]}×")  # fmt: skip
        if args.explain:
            print(f"\nSlowest queries at {scales[-1]}×:")
            for name, function in pages(world, client).items():
                print(f"  {name}")
                explain(function)
        print(f"\nSummary, {connection.vendor}: fastest ms (growth against {scales[0]}×; "
              f"queries) at {', '.join(f'{scale}×' for scale in scales)}; load average {load()}")  # fmt: skip
        for name in pages(world, client):
            cells = [
                f"{results[(name, scale)][0]:7.1f} ({results[(name, scale)][0] / results[(name, scales[0])][0]:4.2f}×; "
                f"{results[(name, scale)][1]:2d} q)"
                for scale in scales
            ]  # fmt: skip
            print(f"  {name:24} " + "   ".join(cells))
    finally:
        overrides.disable()
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
