import os

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


PUBLIC_ADDRESS = "93.184.215.14"  # a public address (no test connects to it: `responses` answers first)


@pytest.fixture
def fake_dns(monkeypatch):
    """Answers the guarded fetcher's DNS look-ups offline: names in the dict get its addresses, names
    ending in example.com a public one, anything else (IP literals, localhost) the real resolver."""
    import socket

    from projects.providers import guarded_fetch

    answers = {}

    def getaddrinfo(host, port, *args, **kwargs):
        addresses = answers.get(host) or ([PUBLIC_ADDRESS] if host.endswith("example.com") else None)
        if addresses is None:
            return socket.getaddrinfo(host, port, *args, **kwargs)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in a else 4], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(guarded_fetch, "getaddrinfo", getaddrinfo)
    return answers


# Property-based tests (tests/test_properties.py): bounded, and the same examples on every run in CI (a
# failure is reproducible from the log); HYPOTHESIS_PROFILE=explore looks further, with a fresh seed.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
