import factory
from django.contrib.auth import get_user_model

from projects.models import Membership, Project, Role, Segment, Speaker, Team
from projects.services import script_summary


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-for-tests")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.EDITOR


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Episode {n}")
    source_language = "en-US"
    target_language = "fr-FR"
    source_video_url = "https://videos.example.com/episode.mp4"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    project = factory.SubFactory(ProjectFactory)
    speaker_id = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Speaker {n}")
    style = Speaker.Style.FEMININE


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    project = factory.SubFactory(ProjectFactory)
    start_ms = factory.Sequence(lambda n: n * 3000)
    end_ms = factory.LazyAttribute(lambda segment: segment.start_ms + 2500)
    source_text = factory.Sequence(lambda n: f"Line {n} in English.")
    target_text = factory.Sequence(lambda n: f"Réplique {n} en français.")
    speaker = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Created as the app's write paths create segments: with the stored flags and counts."""
        segment = super()._create(model_class, *args, **kwargs)
        script_summary.recount(segment.project)
        segment.refresh_from_db(fields=["flags"])
        return segment


def make_segments(project, count, speaker=None, *, step_ms=2000, length_ms=1500, source="Source line {n}",
                  target="Ligne cible {n}"):  # fmt: skip
    """`count` segments in one INSERT, `step_ms` apart and `length_ms` long, the nth saying `source` and
    `target` with {n} filled in (large scripts for query-count and browser tests)."""
    segments = Segment.objects.bulk_create(
        Segment(
            project=project,
            start_ms=n * step_ms,
            end_ms=n * step_ms + length_ms,
            source_text=source.format(n=n),
            target_text=target.format(n=n),
            speaker=speaker,
        )
        for n in range(count)
    )
    script_summary.recount(project)
    return segments


def approve_all(project):
    """Every segment approved (as reviewers would leave a script before a push or a dub), counts included."""
    Segment.objects.filter(project=project).update(review_status="approved")
    script_summary.recount(project)
