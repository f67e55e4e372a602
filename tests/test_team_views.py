"""The team page and its changes, as each role meets them: the page offers only what the role may do,
and the server refuses the rest (403, no row changed)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects.models import Invitation, Membership, Role

from .factories import MembershipFactory, ProjectFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def team_url(team, name="projects:team", *args):
    return reverse(name, args=[team.slug, *args])


def member_of(team, user):
    return Membership.objects.get(team=team, user=user)


def roles(team):
    return dict(team.memberships.values_list("user__username", "role"))


@pytest.fixture
def everyone(owner, manager, editor, reviewer, viewer):
    return {"owner": owner, "manager": manager, "editor": editor, "reviewer": reviewer, "viewer": viewer}


@pytest.mark.parametrize("role", ["owner", "manager", "editor", "reviewer", "viewer"])
def test_every_member_sees_the_members_and_their_roles(client, team, everyone, role):
    client.force_login(everyone[role])
    page = client.get(team_url(team)).content.decode()
    for username in ("olive", "manny", "eddie", "rita", "vic"):
        assert username in page
    assert "Leave team" in page
    assert ("Invite someone" in page) == (role in ("owner", "manager"))
    assert ("Pending invitations" in page) == (role in ("owner", "manager"))


def test_another_team_is_a_404(client, team, outsider):
    client.force_login(outsider)
    assert client.get(team_url(team)).status_code == 404
    assert client.post(team_url(team, "projects:team-leave")).status_code == 404


def test_the_header_links_to_the_team_page_and_one_team_goes_straight_there(client, team, editor):
    client.force_login(editor)
    page = client.get(reverse("projects:list")).content.decode()
    assert f'href="{reverse("projects:teams")}"' in page
    assert client.get(reverse("projects:teams")).url == team_url(team)


def test_a_user_in_several_teams_sees_each(client, team, other_team, editor):
    MembershipFactory(team=other_team, user=editor, role=Role.VIEWER)
    client.force_login(editor)
    page = client.get(reverse("projects:teams")).content.decode()
    assert "Blue Studio" in page and "Red Studio" in page
    assert "You are viewer" in page and "You are editor" in page


def test_the_project_list_names_each_projects_team_and_filters_by_team(client, team, other_team, editor):
    MembershipFactory(team=other_team, user=editor, role=Role.VIEWER)
    ProjectFactory(team=team, title="Blue pilot")
    ProjectFactory(team=other_team, title="Red pilot")
    client.force_login(editor)
    page = client.get(reverse("projects:list")).content.decode()
    assert "Blue pilot" in page and "Red pilot" in page and '<label for="id_team">Team</label>' in page
    filtered = client.get(reverse("projects:list"), {"team": "red"}).content.decode()
    assert "Red pilot" in filtered and "Blue pilot" not in filtered
    # A team the user is not in is not a choice: the filter is ignored, nothing of that team leaks.
    unknown = client.get(reverse("projects:list"), {"team": "green"}).content.decode()
    assert "Blue pilot" in unknown


def test_one_team_shows_no_team_filter(client, team, editor):
    client.force_login(editor)
    assert 'id="id_team"' not in client.get(reverse("projects:list")).content.decode()


# Inviting ---------------------------------------------------------------------------------------------


def test_an_owner_invites_by_email_and_the_invitation_is_listed_with_revoke(client, team, owner):
    client.force_login(owner)
    answer = client.post(
        team_url(team, "projects:team-invite"), {"email": "nina@example.com", "role": "reviewer"}
    )
    assert answer.status_code == 302
    page = client.get(team_url(team)).content.decode()
    assert "Invitation sent to nina@example.com (as reviewer)" in page
    assert "nina@example.com" in page and "Revoke" in page
    (message,) = mail.outbox
    assert re.search(r"http://testserver/accounts/invitations/[\w-]{40,}/", message.body)


def test_a_bad_email_is_explained_and_nothing_is_sent(client, team, owner):
    client.force_login(owner)
    answer = client.post(
        team_url(team, "projects:team-invite"), {"email": "not an address", "role": "editor"}
    )
    assert answer.status_code == 422 and "Enter a valid email address" in answer.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_below_manager_cannot_invite(client, team, everyone, role):
    client.force_login(everyone[role])
    answer = client.post(team_url(team, "projects:team-invite"), {"email": "x@example.com", "role": "viewer"})
    assert answer.status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_manager_is_not_offered_the_owner_role_and_cannot_post_it(client, team, manager):
    client.force_login(manager)
    page = client.get(team_url(team)).content.decode()
    assert '<option value="owner"' not in page
    answer = client.post(team_url(team, "projects:team-invite"), {"email": "x@example.com", "role": "owner"})
    assert answer.status_code == 422  # not a choice for a manager
    assert not Invitation.objects.exists()


def test_revoking_an_invitation_makes_its_link_a_clear_page(client, team, owner):
    client.force_login(owner)
    client.post(team_url(team, "projects:team-invite"), {"email": "nina@example.com", "role": "editor"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert client.post(team_url(team, "projects:invitation-revoke", invitation.pk)).status_code == 302
    client.logout()
    answer = client.get(link)
    assert answer.status_code == 410
    assert "This invitation to Blue Studio was withdrawn." in answer.content.decode()


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_members_below_manager_cannot_revoke(client, team, owner, everyone, role):
    client.force_login(owner)
    client.post(team_url(team, "projects:team-invite"), {"email": "nina@example.com", "role": "editor"})
    invitation = Invitation.objects.get()
    client.force_login(everyone[role])
    assert client.post(team_url(team, "projects:invitation-revoke", invitation.pk)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# Roles ------------------------------------------------------------------------------------------------


def test_an_owner_changes_a_role(client, team, owner, editor):
    client.force_login(owner)
    client.post(team_url(team, "projects:member-role", member_of(team, editor).pk), {"role": "manager"})
    assert member_of(team, editor).role == Role.MANAGER


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_below_manager_see_no_role_menus_and_cannot_change_roles(client, team, everyone, role):
    client.force_login(everyone[role])
    page = client.get(team_url(team)).content.decode()
    assert "<select" not in page and "Remove" not in page
    before = roles(team)
    target = member_of(team, everyone["viewer" if role != "viewer" else "editor"])
    assert (
        client.post(team_url(team, "projects:member-role", target.pk), {"role": "owner"}).status_code == 403
    )
    assert client.post(team_url(team, "projects:member-remove", target.pk)).status_code == 403
    assert roles(team) == before


def test_a_manager_cannot_change_or_remove_an_owner_nor_make_one(client, team, owner, manager, editor):
    MembershipFactory(team=team, role=Role.OWNER)
    client.force_login(manager)
    page = client.get(team_url(team)).content.decode()
    assert f'id="role-{member_of(team, owner).pk}"' not in page  # no menu on an owner's row
    before = roles(team)
    answers = [
        client.post(team_url(team, "projects:member-role", member_of(team, owner).pk), {"role": "viewer"}),
        client.post(team_url(team, "projects:member-remove", member_of(team, owner).pk)),
        client.post(team_url(team, "projects:member-role", member_of(team, editor).pk), {"role": "owner"}),
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert roles(team) == before


def test_a_manager_removes_an_editor(client, team, manager, editor):
    client.force_login(manager)
    client.post(team_url(team, "projects:member-remove", member_of(team, editor).pk))
    assert "eddie" not in roles(team)


def test_the_last_owner_cannot_demote_themselves_and_the_page_says_why(client, team, owner):
    client.force_login(owner)
    answer = client.post(
        team_url(team, "projects:member-role", member_of(team, owner).pk), {"role": "viewer"}, follow=True
    )
    assert (
        "olive is the last owner of Blue Studio: make someone else an owner first." in answer.content.decode()
    )
    assert member_of(team, owner).role == Role.OWNER


def test_the_last_owner_cannot_leave_and_the_page_says_why(client, team, owner):
    client.force_login(owner)
    answer = client.post(team_url(team, "projects:team-leave"), follow=True)
    assert "You are the last owner of Blue Studio, so you cannot leave it" in answer.content.decode()
    assert member_of(team, owner).role == Role.OWNER


def test_a_member_leaves_and_no_longer_sees_the_team(client, team, viewer):
    client.force_login(viewer)
    answer = client.post(team_url(team, "projects:team-leave"), follow=True)
    assert "You left Blue Studio." in answer.content.decode()
    assert client.get(team_url(team)).status_code == 404


def test_changes_are_post_only(client, team, owner):
    client.force_login(owner)
    assert client.get(team_url(team, "projects:team-leave")).status_code == 405
    assert member_of(team, owner)


def test_a_membership_of_another_team_is_a_404(client, team, owner, outsider, other_team):
    client.force_login(owner)
    foreign = member_of(other_team, outsider)
    assert (
        client.post(team_url(team, "projects:member-role", foreign.pk), {"role": "viewer"}).status_code == 404
    )
    assert client.post(team_url(team, "projects:member-remove", foreign.pk)).status_code == 404
    assert member_of(other_team, outsider).role == Role.OWNER


# Sign-in lockouts -------------------------------------------------------------------------------------


def lock_out(client, username):
    for _ in range(5):
        client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="198.51.100.7")


def test_an_owner_sees_a_locked_out_member_and_unlocks_them(client, team, owner, editor):
    lock_out(client, "eddie")
    client.force_login(owner)
    page = client.get(team_url(team)).content.decode()
    assert "Locked out of sign-in" in page and "Unlock sign-in" in page
    answer = client.post(team_url(team, "projects:member-unlock", member_of(team, editor).pk), follow=True)
    assert "can sign in again" in answer.content.decode()
    client.logout()
    signed_in = client.post(
        reverse("login"), {"username": "eddie", "password": "pass-for-tests"}, REMOTE_ADDR="198.51.100.7"
    )
    assert signed_in.status_code == 302


def test_a_staff_admin_in_the_team_may_unlock(client, team, viewer, editor):
    viewer.is_staff = True
    viewer.save()
    lock_out(client, "eddie")
    client.force_login(viewer)
    assert "Unlock sign-in" in client.get(team_url(team)).content.decode()
    client.post(team_url(team, "projects:member-unlock", member_of(team, editor).pk))
    from projects.services.teams import locked_out_usernames

    assert locked_out_usernames(["eddie"]) == set()


def test_a_manager_cannot_unlock(client, team, manager, editor):
    lock_out(client, "eddie")
    client.force_login(manager)
    assert "Unlock sign-in" not in client.get(team_url(team)).content.decode()
    assert (
        client.post(team_url(team, "projects:member-unlock", member_of(team, editor).pk)).status_code == 403
    )
    from projects.services.teams import locked_out_usernames

    assert locked_out_usernames(["eddie"]) == {"eddie"}


# The invitation link ----------------------------------------------------------------------------------


@pytest.fixture
def invitation_link(client, team, owner):
    client.force_login(owner)
    client.post(team_url(team, "projects:team-invite"), {"email": "nina@example.com", "role": "reviewer"})
    client.logout()
    return re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)


SIGN_UP = {
    "username": "nina",
    "name": "Nina Nowak",
    "password1": "cobalt-lantern-42",
    "password2": "cobalt-lantern-42",
}


def test_a_new_person_signs_up_and_lands_in_the_team_with_the_role(client, team, invitation_link):
    page = client.get(invitation_link).content.decode()
    assert (
        "invites <strong>nina@example.com</strong> to <strong>Blue Studio</strong> as <strong>reviewer"
        in page
    )
    answer = client.post(invitation_link, SIGN_UP, follow=True)
    assert answer.redirect_chain[-1][0] == team_url(team)
    assert "Welcome to Blue Studio, Nina Nowak: you joined as reviewer." in answer.content.decode()
    assert roles(team)["nina"] == Role.REVIEWER
    assert client.get(invitation_link).status_code == 410  # used


def test_sign_up_problems_are_explained_and_make_no_account(client, team, owner, invitation_link):
    taken = client.post(invitation_link, {**SIGN_UP, "username": "OLIVE"})
    assert taken.status_code == 422 and "This username is taken" in taken.content.decode()
    differ = client.post(invitation_link, {**SIGN_UP, "password2": "something-else-1"})
    assert "The two passwords differ." in differ.content.decode()
    weak = client.post(invitation_link, {**SIGN_UP, "password1": "1234", "password2": "1234"})
    assert "too short" in weak.content.decode()
    assert not type(owner).objects.filter(username="nina").exists()
    assert client.get(invitation_link).status_code == 200  # still usable


def test_a_signed_in_user_joins_with_one_click(client, team, outsider, invitation_link):
    client.force_login(outsider)
    page = client.get(invitation_link).content.decode()
    assert "not as nina@example.com" in page  # the address differs: said before joining
    client.post(invitation_link)
    assert roles(team)["oscar"] == Role.REVIEWER


def test_a_member_opening_an_invitation_is_told_and_keeps_their_role(client, team, viewer, invitation_link):
    client.force_login(viewer)
    assert "You are already a member of this team" in client.get(invitation_link).content.decode()
    answer = client.post(invitation_link)
    assert answer.status_code == 422 and "the invitation was not used" in answer.content.decode()
    assert roles(team)["vic"] == Role.VIEWER


def test_an_expired_link_gets_a_clear_page(client, team, invitation_link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    answer = client.get(invitation_link)
    assert answer.status_code == 410
    assert "This invitation to Blue Studio has expired." in answer.content.decode()
    assert client.post(invitation_link, SIGN_UP).status_code == 410
    assert "nina" not in roles(team)


@pytest.mark.parametrize("token", ["x", "a" * 43, "%00", "../../etc"])
def test_a_made_up_link_gets_a_clear_page(client, token):
    answer = client.get(f"/accounts/invitations/{token}/")
    assert answer.status_code in (404, 410)


def test_another_teams_invitation_cannot_be_revoked_from_my_team(client, owner, team):
    other = TeamFactory()
    foreign_owner = MembershipFactory(team=other, role=Role.OWNER, user=UserFactory(username="fo")).user
    client.force_login(foreign_owner)
    client.post(team_url(other, "projects:team-invite"), {"email": "z@example.com", "role": "viewer"})
    invitation = Invitation.objects.get()
    client.force_login(owner)
    assert client.post(team_url(team, "projects:invitation-revoke", invitation.pk)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize("extra_members", [2, 40])
def test_the_team_page_costs_the_same_queries_whatever_its_size(
    client, team, owner, extra_members, django_assert_max_num_queries
):
    for _ in range(extra_members):
        MembershipFactory(team=team, role=Role.EDITOR)
    for number in range(extra_members):
        Invitation.objects.create(
            team=team,
            email=f"n{number}@example.com",
            token_hash=f"{number:064d}",
            invited_by=owner,
            expires_at=timezone.now() + timedelta(days=1),
        )
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        page = client.get(team_url(team)).content.decode()
    assert page.count("Revoke<span") == extra_members


def test_the_demo_team_page_shows_one_pending_invitation_however_often_it_is_seeded(client, team, owner):
    from projects.management.commands.seed_demo import _pending_invitation

    _pending_invitation(team, owner)
    _pending_invitation(team, owner)
    client.force_login(owner)
    page = client.get(team_url(team)).content.decode()
    assert page.count('<td data-label="Email">translator@demo.dubweb</td>') == 1
