"""What the benchmarks share: the bench user in a team of its own, a project of plain lines, and the
count of a request's SQL queries. Import it after django.setup() (each script sets Django up first)."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Membership, Project, Role, Segment, Speaker, Team
from projects.services import script_summary

SPEAKERS = 6


def bench_member(*, role=Role.EDITOR, password=None):
    """The user "bench", in the team "Bench" with `role`: (user, team). With `password` it can sign in
    through the login form; without, only by force_login."""
    user = get_user_model().objects.create_user("bench", password=password)
    team = Team.objects.create(name="Bench", slug="bench")
    Membership.objects.create(user=user, team=team, role=role)
    return user, team


def plain_script(team, size, title):
    """A project of `size` lines, 2 s every 2.5 s, spoken in turn by six speakers, with its stored
    flags and counts as an import leaves them."""
    project = Project.objects.create(team=team, title=title, source_language="en-US", target_language="fr-FR")
    speakers = bench_speakers(project)
    for start in range(0, size, 5000):
        Segment.objects.bulk_create(
            Segment(
                project=project,
                start_ms=n * 2500,
                end_ms=n * 2500 + 2000,
                speaker=speakers[n % SPEAKERS],
                source_text=f"This is line {n} of the original dialogue.",
                target_text=f"Voici la réplique {n} du dialogue traduit.",
            )
            for n in range(start, min(size, start + 5000))
        )
    script_summary.recount(project)
    return project


def bench_speakers(project):
    """Six speakers, "Speaker 1" to "Speaker 6"."""
    return [
        Speaker.objects.create(project=project, speaker_id=n, name=f"Speaker {n}")
        for n in range(1, SPEAKERS + 1)
    ]


def queries(function):
    """How many SQL queries `function` makes (transaction control statements not counted)."""
    with CaptureQueriesContext(connection) as captured:
        function()
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    return len([query for query in captured.captured_queries if not query["sql"].startswith(control)])
