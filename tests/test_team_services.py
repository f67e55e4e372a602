"""Team membership rules (projects/services/teams.py): invitations work once and expire, a team always
keeps an owner, managers cannot touch owners."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from projects.models import Invitation, Membership, Role
from projects.people import display_name
from projects.services import teams

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def link_for(token):
    return f"http://testserver/accounts/invitations/{token}/"


def invite(team, by, email="new@example.com", role=Role.EDITOR):
    """Invite and return the invitation with the token read from the email, as its reader gets it."""
    invitation, sent = teams.invite(team, email, role, by=by, link_for=link_for)
    assert sent
    token = mail.outbox[-1].body.split("/accounts/invitations/")[1].split("/")[0]
    return invitation, token


def membership(team, user):
    return Membership.objects.get(team=team, user=user)


# Invitations ------------------------------------------------------------------------------------------


def test_an_invitation_email_carries_a_link_that_signs_up_into_the_team_with_the_role(team, owner):
    invitation, token = invite(team, owner, role=Role.REVIEWER)
    message = mail.outbox[-1]
    assert message.to == ["new@example.com"]
    assert "Blue Studio" in message.subject and "as reviewer" in message.body
    assert token not in Invitation.objects.get().token_hash  # only its hash is stored

    user = teams.sign_up(token, username="nina", name="Nina Nowak", password="a-long-pass-phrase")
    assert membership(team, user).role == Role.REVIEWER
    assert user.email == "new@example.com" and display_name(user) == "Nina Nowak"
    assert user.check_password("a-long-pass-phrase")


def test_an_invitation_works_once(team, owner):
    _, token = invite(team, owner)
    teams.sign_up(token, username="nina", name="Nina", password="a-long-pass-phrase")
    with pytest.raises(teams.InvitationUnusable, match="already been used"):
        teams.sign_up(token, username="nora", name="Nora", password="a-long-pass-phrase")
    with pytest.raises(teams.InvitationUnusable, match="already been used"):
        teams.accept(token, UserFactory(username="paul"))
    assert not type(owner).objects.filter(username="nora").exists()  # no account left behind
    assert team.memberships.count() == 2


def test_an_expired_invitation_is_refused_and_makes_no_account(team, owner):
    invitation, token = invite(team, owner)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(teams.InvitationUnusable, match="expired"):
        teams.sign_up(token, username="nina", name="Nina", password="a-long-pass-phrase")
    assert not type(owner).objects.filter(username="nina").exists()


def test_a_revoked_invitation_is_refused(team, owner):
    invitation, token = invite(team, owner)
    teams.revoke(invitation, by=owner)
    with pytest.raises(teams.InvitationUnusable, match="withdrawn"):
        teams.find_invitation(token)
    assert list(teams.pending_invitations(team)) == []


def test_an_unknown_token_is_refused(team):
    with pytest.raises(teams.InvitationUnusable, match="not valid"):
        teams.find_invitation("made-up-token")


def test_inviting_the_same_address_again_withdraws_the_earlier_link(team, owner):
    _, first = invite(team, owner)
    _, second = invite(team, owner, email="NEW@example.com")
    with pytest.raises(teams.InvitationUnusable, match="withdrawn"):
        teams.find_invitation(first)
    assert teams.find_invitation(second).email == "NEW@example.com"


def test_an_existing_user_accepts_and_joins(team, owner, outsider):
    _, token = invite(team, owner, email="oscar@example.com", role=Role.VIEWER)
    teams.accept(token, outsider)
    assert membership(team, outsider).role == Role.VIEWER


def test_a_member_cannot_use_an_invitation_to_change_their_own_role(team, owner, viewer):
    _, token = invite(team, owner, email="someone@example.com", role=Role.MANAGER)
    with pytest.raises(teams.TeamError, match="already a member"):
        teams.accept(token, viewer)
    assert membership(team, viewer).role == Role.VIEWER
    assert teams.find_invitation(token)  # still usable by the person it was meant for


def test_inviting_a_member_address_is_refused(team, owner, editor):
    editor.email = "eddie@example.com"
    editor.save()
    with pytest.raises(teams.TeamError, match="already a member"):
        teams.invite(team, "Eddie@example.com", Role.VIEWER, by=owner, link_for=link_for)
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_manager_cannot_invite_an_owner_but_an_owner_can(team, owner, manager):
    with pytest.raises(teams.NotAllowed):
        teams.invite(team, "boss@example.com", Role.OWNER, by=manager, link_for=link_for)
    assert not Invitation.objects.exists()
    invite(team, owner, email="boss@example.com", role=Role.OWNER)


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_members_below_manager_cannot_invite(team, role):
    member = MembershipFactory(team=team, role=role).user
    with pytest.raises(teams.NotAllowed):
        teams.invite(team, "x@example.com", Role.VIEWER, by=member, link_for=link_for)


def test_a_failing_mail_server_keeps_the_invitation_and_says_so(team, owner, settings):
    settings.EMAIL_BACKEND = "tests.test_team_services.BrokenMailBackend"
    invitation, sent = teams.invite(team, "new@example.com", Role.EDITOR, by=owner, link_for=link_for)
    assert not sent and "/accounts/invitations/" in invitation.link
    assert teams.find_invitation(invitation.link.rstrip("/").rsplit("/", 1)[1]) == invitation


class BrokenMailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


# Roles and the last owner -----------------------------------------------------------------------------


def test_the_last_owner_cannot_be_demoted(team, owner):
    with pytest.raises(teams.LastOwner, match="last owner"):
        teams.change_role(membership(team, owner), Role.MANAGER, by=owner)
    assert membership(team, owner).role == Role.OWNER


def test_the_last_owner_cannot_leave_nor_be_removed(team, owner):
    with pytest.raises(teams.LastOwner, match="cannot leave"):
        teams.leave(team, owner)
    with pytest.raises(teams.LastOwner):
        teams.remove_member(membership(team, owner), by=owner)
    assert membership(team, owner).role == Role.OWNER


def test_with_two_owners_one_may_step_down_then_the_other_is_the_last(team, owner):
    second = MembershipFactory(team=team, role=Role.OWNER).user
    teams.change_role(membership(team, owner), Role.EDITOR, by=owner)
    with pytest.raises(teams.LastOwner):
        teams.leave(team, second)
    assert list(team.memberships.filter(role=Role.OWNER).values_list("user", flat=True)) == [second.pk]


def test_a_manager_cannot_change_or_remove_an_owner_nor_make_one(team, owner, manager, editor):
    MembershipFactory(team=team, role=Role.OWNER)  # not the last owner: the refusal is about the manager
    with pytest.raises(teams.NotAllowed):
        teams.change_role(membership(team, owner), Role.VIEWER, by=manager)
    with pytest.raises(teams.NotAllowed):
        teams.remove_member(membership(team, owner), by=manager)
    with pytest.raises(teams.NotAllowed):
        teams.change_role(membership(team, editor), Role.OWNER, by=manager)
    assert membership(team, owner).role == Role.OWNER and membership(team, editor).role == Role.EDITOR


def test_a_manager_changes_and_removes_other_roles(team, manager, editor, viewer):
    teams.change_role(membership(team, editor), Role.REVIEWER, by=manager)
    teams.remove_member(membership(team, viewer), by=manager)
    assert membership(team, editor).role == Role.REVIEWER
    assert not team.memberships.filter(user=viewer).exists()


def test_anyone_can_leave(team, owner, viewer):
    teams.leave(team, viewer)
    assert not team.memberships.filter(user=viewer).exists()


@pytest.mark.django_db(transaction=True)
def test_two_owners_stepping_down_at_once_leave_one_owner(team, owner, monkeypatch):
    """Both count two owners before either writes, unless the team lock makes the second wait (PostgreSQL:
    SQLite's test database is one connection, so there is no race to lose there)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections (PostgreSQL)")
    other = MembershipFactory(team=team, role=Role.OWNER).user
    counted = threading.Barrier(2, timeout=2)
    real_count = teams._owner_count

    def slow_count(team):
        count = real_count(team)
        # Without the lock both get here with a count of 2; with it, the other one waits for the lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()
        return count

    monkeypatch.setattr(teams, "_owner_count", slow_count)
    outcomes = []

    def step_down(user):
        try:
            teams.change_role(Membership.objects.get(team=team, user=user), Role.EDITOR, by=user)
            outcomes.append("demoted")
        except teams.LastOwner:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=step_down, args=(user,)) for user in (owner, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert team.memberships.filter(role=Role.OWNER).count() == 1


def test_locked_out_members_are_listed_and_unlocked_by_an_owner(team, owner, editor, client):
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "eddie", "password": "wrong"}, REMOTE_ADDR="198.51.100.7"
        )
    assert teams.locked_out_usernames(["eddie", "olive"]) == {"eddie"}
    teams.unlock(membership(team, editor), by=owner)
    assert teams.locked_out_usernames(["eddie"]) == set()


def test_a_manager_cannot_unlock(team, manager, editor):
    with pytest.raises(teams.NotAllowed):
        teams.unlock(membership(team, editor), by=manager)
