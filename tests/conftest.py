import pytest

from projects.models import Role

from .factories import MembershipFactory, ProjectFactory, SpeakerFactory, TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="Blue Studio", slug="blue")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Red Studio", slug="red")


def _member(team, role, username):
    return MembershipFactory(team=team, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def owner(team):
    return _member(team, Role.OWNER, "olive")


@pytest.fixture
def manager(team):
    return _member(team, Role.MANAGER, "manny")


@pytest.fixture
def editor(team):
    return _member(team, Role.EDITOR, "eddie")


@pytest.fixture
def reviewer(team):
    return _member(team, Role.REVIEWER, "rita")


@pytest.fixture
def viewer(team):
    return _member(team, Role.VIEWER, "vic")


@pytest.fixture
def outsider(other_team):
    return _member(other_team, Role.OWNER, "oscar")


@pytest.fixture
def project(team):
    return ProjectFactory(team=team, title="Launch keynote")


@pytest.fixture
def speaker(project):
    return SpeakerFactory(project=project, speaker_id=1, name="Anna")
