"""The pages everyone opens all day cost what they show, not the database's size (bench/growth.py measures
the time at 1×, 10× and 100×; these tests hold the parts that can be checked without a clock):

- each page reads the same number of queries with a studio's data small and six times larger (the
  script, the projects, the history, the comments, the notifications and the jobs all grown together);
- on PostgreSQL, each of those queries that reads a large table (segments, the trail, job events,
  comments, notifications, jobs) finds its rows through an index: EXPLAIN with sequential scans and
  sorts turned off (a small test database would otherwise get the plans of a small database) shows no
  Seq Scan there, and no index scan without a condition (a walk of the whole index, as the project
  list's "last change" was before it read the trail by time); and the queries that grew before their
  index existed use it (EXPECTED_INDEXES).
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    Activity,
    Assignment,
    Comment,
    EditedSegment,
    Notification,
    Project,
    ReviewStatus,
    Role,
    ScriptEdit,
    Segment,
    Submission,
)
from projects.services import script_summary

from .factories import (
    MembershipFactory,
    ProjectFactory,
    SpeakerFactory,
    TeamFactory,
    UserFactory,
    make_segments,
)

HX = {"HX-Request": "true"}
BIG_TABLES = {
    "projects_segment",
    "projects_scriptedit",
    "projects_editedsegment",
    "projects_activity",
    "projects_comment",
    "projects_notification",
    "projects_submission",
}


class Studio:
    """A manager ("mona") of a team, and another team she never sees. Each team has projects with small
    scripts, one of them with a long one (mona's team's: "Launch keynote", the one being edited), a
    trail of edits, job events, comments and jobs; and there are notifications. `grow` adds to all of
    them, older than what is there (a studio's past grows behind its present)."""

    def __init__(self):
        self.now = timezone.now()
        self.mona = UserFactory(username="mona")
        self.teams = [
            TeamFactory(name="Blue Studio", slug="blue"),
            TeamFactory(name="Red Studio", slug="red"),
        ]
        MembershipFactory(team=self.teams[0], user=self.mona, role=Role.MANAGER)
        self.people = [[], []]
        for index, team in enumerate(self.teams):
            for n in range(3):
                user = UserFactory(username=f"{team.slug}{n}")
                MembershipFactory(team=team, user=user)
                self.people[index].append(user)
        self.projects = [[ProjectFactory(team=team, title=f"{team.name} script")] for team in self.teams]
        self.main = self.projects[0][0]
        self.main.title = "Launch keynote"
        self.main.save()
        self.speakers = [
            SpeakerFactory(project=projects[0], speaker_id=1, name="Anna") for projects in self.projects
        ]
        for project, task in zip(self.projects[0], ["translate"], strict=True):
            Assignment.objects.create(project=project, user=self.mona, task=task, due_date=self.now.date())
        self.size = 0

    def grow(self, scale):
        """Up to `scale` times the base sizes."""
        first, self.size = self.size, scale
        for index, team in enumerate(self.teams):
            long_script = self.projects[index][0]
            segments = Segment.objects.bulk_create(
                Segment(
                    project=long_script,
                    start_ms=n * 2000,
                    end_ms=n * 2000 + 1500,
                    speaker=self.speakers[index],
                    source_text=f"Source line {n}",
                    target_text=f"Ligne cible {n}",
                    review_status=ReviewStatus.NEEDS_REVIEW if n % 3 == 0 else ReviewStatus.DRAFT,
                )  # fmt: skip
                for n in range(40 * first, 40 * scale)
            )
            script_summary.recount(long_script)
            made = [
                ProjectFactory(team=team, title=f"{team.name} episode {n}")
                for n in range(5 * first, 5 * scale)
            ]
            for project in made:
                make_segments(project, 3)
            # Changed before the long script's last edit (a moment ago): that one heads the list.
            a_day_ago = self.now - datetime.timedelta(days=1)
            Project.objects.filter(pk__in=[p.pk for p in made]).update(
                updated_at=a_day_ago, last_change_at=a_day_ago
            )
            if index == 0 and first == 0:
                for project, task in zip(made[:3], ["translate", "review", "review"], strict=True):
                    Assignment.objects.create(project=project, user=self.mona, task=task)
            projects = self.projects[index]
            projects.extend(made)
            authors = self.people[index]
            edits = ScriptEdit.objects.bulk_create(
                ScriptEdit(
                    project=projects[n % len(projects)] if n % 2 else long_script,
                    user=authors[n % 3],
                    label=f"Changed the text of line {n}",
                    created_at=self.now - datetime.timedelta(seconds=90 * n),
                )  # fmt: skip
                for n in range(60 * first, 60 * scale)
            )
            EditedSegment.objects.bulk_create(
                EditedSegment(edit=edit, segment_id=segments[n % len(segments)].pk)
                for n, edit in enumerate(edits)
            )
            Activity.objects.bulk_create(
                Activity(
                    project=projects[n % len(projects)],
                    actor=authors[0],
                    verb="submission",
                    message=f"Job {n} finished",
                    created_at=self.now - datetime.timedelta(seconds=400 * n),
                )  # fmt: skip
                for n in range(10 * first, 10 * scale)
            )
            Comment.objects.bulk_create(
                Comment(
                    project=long_script,
                    segment=segments[n % len(segments)] if n % 2 else None,
                    author=authors[1],
                    body=f"Comment {n}",
                    resolved_at=self.now if n % 3 else None,
                )  # fmt: skip
                for n in range(10 * first, 10 * scale)
            )
            Submission.objects.bulk_create(
                Submission(
                    project=projects[n % len(projects)],
                    provider="modelslab",
                    kind="new_dub",
                    status="succeeded",
                    created_by=self.mona if index == 0 and n % 2 else authors[2],
                )  # fmt: skip
                for n in range(10 * first, 10 * scale)
            )
        everyone = [self.mona, *self.people[0], *self.people[1]]
        Notification.objects.bulk_create(
            Notification(
                user=everyone[n % len(everyone)],
                kind=("mention", "assigned")[n % 2],
                project=self.main,
                text=f"Notification {n}",
                read_at=None if n % 3 else self.now,
            )  # fmt: skip
            for n in range(30 * first, 30 * scale)
        )
        return self


def pages(main, text="Nouvelle réplique."):
    """{name: (method, url, data, headers, what the person sees on it)}; the save writes `text`."""
    segment = Segment.objects.filter(project=main).order_by("start_ms", "id")[1]
    return {
        "editor": ("get", reverse("projects:editor", args=[main.pk]), None, {}, "Ligne cible 0"),
        "save": (
            "post",
            reverse("projects:segment-save", args=[main.pk, segment.pk]),
            {"version": segment.version, "field": "target_text", "target_text": text},
            {**HX, "HX-Target": f"seg-{segment.pk}"},
            text,
        ),
        "summary": ("get", reverse("projects:quality-summary", args=[main.pk]), None, HX, "open"),
        "list": ("get", reverse("projects:list"), None, {}, "Launch keynote"),
        "my work": ("get", reverse("projects:my-work"), None, {}, "Launch keynote"),
        "project feed": ("get", reverse("projects:project-activity", args=[main.pk]), None, {}, "line 0"),
        "team feed": ("get", reverse("projects:team-activity"), None, {}, "Launch keynote"),
        "unread count": ("get", reverse("projects:notification-count"), None, HX, "unread"),
    }


def ask(client, page):
    method, url, data, headers, shown = page
    response = (
        getattr(client, method)(url, data, headers=headers)
        if data
        else getattr(client, method)(url, headers=headers)
    )
    assert response.status_code == 200, (url, response.status_code)
    assert shown in response.content.decode(), (url, shown)
    return response


# The queries each page reads, at most: session, user and the page's own (SQLite writes a save in four
# statements where PostgreSQL needs one: the larger of the two).
MAX_QUERIES = {
    "editor": 5,
    "save": 13,  # 10, and the panels the change moves (counts, open comments, last push) in its answer
    "summary": 5,
    "list": 7,
    "my work": 8,  # the scripts waiting for my review: those I am to review, then my teams' (two reads)
    "project feed": 8,  # session, user, project, window start, page, the page's segments, people, projects
    "team feed": 9,  # the same, with the person's teams instead of the project (roles, then teams)
    "unread count": 3,
}


@pytest.mark.parametrize("name", MAX_QUERIES)
def test_each_page_reads_the_same_queries_with_six_times_the_data(client, db, name):
    studio = Studio()
    client.force_login(studio.mona)
    counts = []
    for scale in (1, 6):
        studio.grow(scale)
        page = pages(studio.main, text=f"Réplique à {scale}×")[name]
        with CaptureQueriesContext(connection) as captured:
            ask(client, page)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES[name], counts


# Indexes that a team-wide page reads from the newest back until it has its page (the team feed): an
# ordered walk without a condition is what they are for.
ORDERED_WALKS = {"scriptedit_time", "activity_time"}

# The index each page's query that reads the most must use (by a piece of its SQL): without it the
# query reads all the rows it filters (a team's whole trail, every job of the person, every comment of
# the project, every project's summary) to keep a few.
EXPECTED_INDEXES = {
    "my work": ('FROM "projects_submission"', "submission_author_recent"),
    "my work waiting": ('"projects_scriptsummary"."team_id" IN', "summary_waiting_team"),
    "summary": ('FROM "projects_comment"', "comment_open_threads"),
    "team feed": ("OFFSET", "scriptedit_time"),
}


def _scans(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _plan(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    return list(_scans((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))


def _full_reads(sql):
    """The scans of a big table in the plan of `sql` that do not find rows through an index condition."""
    problems = []
    for node in _plan(sql):
        table = node.get("Relation Name")
        if table not in BIG_TABLES:
            continue
        kind = node["Node Type"]
        walk = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        if kind == "Seq Scan" or (walk and node["Index Name"] not in ORDERED_WALKS):
            problems.append(
                f"{kind} on {table}" + (f" using {node['Index Name']}" if "Index Name" in node else "")
            )
    return problems


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
@pytest.mark.parametrize("name", MAX_QUERIES)
def test_each_query_of_a_page_reads_large_tables_through_an_index(client, db, name):
    studio = Studio().grow(3)
    client.force_login(studio.mona)
    page = pages(studio.main)[name]
    with CaptureQueriesContext(connection) as captured:
        ask(client, page)
    reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip("( \n").startswith(("SELECT", "WITH")) and "UPDATE" not in query["sql"]
    ]
    assert reads
    # The plans the data's growth leads to, on a small database: no reading a whole table when an index
    # fits, no sorting of rows when an index gives them in order.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
    try:
        problems = {sql: found for sql in reads if (found := _full_reads(sql))}
        for key, (piece, index) in EXPECTED_INDEXES.items():
            if key.startswith(name):
                sql = next(sql for sql in reads if piece in sql)
                used = {node.get("Index Name") for node in _plan(sql)}
                if index not in used:
                    problems[sql] = [f"{index} not used (used: {sorted(filter(None, used))})"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert not problems, "\n\n".join(f"{found}\n{sql}" for sql, found in problems.items())
