"""The long scripts of the editor's browser tests: enough rows for the list to come in chunks."""

from projects.models import Role, Segment

from ..factories import MembershipFactory, ProjectFactory, SpeakerFactory, UserFactory, make_segments

STEP_MS = 3000


def long_script(size, *, title="Feature film", step_ms=STEP_MS, username="elena"):
    """A project of `size` lines `step_ms` apart (the nth: "Line n." translated "Réplique n.", spoken by
    Rosa), in the team where `username` is an editor."""
    editor = MembershipFactory(user=UserFactory(username=username), role=Role.EDITOR).user
    project = ProjectFactory(team=editor.teams.get(), title=title)
    speaker = SpeakerFactory(project=project, speaker_id=1, name="Rosa")
    make_segments(project, size, speaker, step_ms=step_ms, length_ms=step_ms - 500, source="Line {n}.",
                  target="Réplique {n}.")  # fmt: skip
    return project


def segment_id(project, n, *, step_ms=STEP_MS):
    """The id of the nth line (from 0) in time order."""
    return Segment.objects.get(project=project, start_ms=n * step_ms).pk
