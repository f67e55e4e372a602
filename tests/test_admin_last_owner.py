"""The Django admin keeps the team rule the team page keeps: a team's last owner can be neither demoted,
moved to another team nor removed there either; the admin says why and changes nothing."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import Membership, Role

from .factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.com", "pass-for-tests")
    )
    return client


@pytest.fixture
def olive(team, owner):
    return Membership.objects.get(team=team, user=owner)


def page(response):
    return html.unescape(response.content.decode())


def change(admin_client, membership, **fields):
    data = {"user": membership.user_id, "team": membership.team_id, "role": membership.role, **fields}
    return admin_client.post(reverse("admin:projects_membership_change", args=[membership.pk]), data)


def test_the_last_owner_cannot_be_demoted_or_moved_to_another_team(admin_client, team, olive, other_team):
    for fields in ({"role": Role.MANAGER}, {"team": other_team.pk}):
        response = change(admin_client, olive, **fields)
        assert response.status_code == 200  # the form again, with the reason
        assert "olive is the last owner of Blue Studio: make someone else an owner first." in page(response)
        olive.refresh_from_db()
        assert (olive.role, olive.team) == (Role.OWNER, team)


def test_with_another_owner_the_admin_may_demote_one(admin_client, team, olive, manager):
    Membership.objects.filter(user=manager).update(role=Role.OWNER)
    assert change(admin_client, olive, role=Role.MANAGER).status_code == 302
    olive.refresh_from_db()
    assert olive.role == Role.MANAGER


def test_the_last_owner_cannot_be_deleted_one_by_one_or_in_bulk(admin_client, team, olive, editor):
    response = admin_client.post(
        reverse("admin:projects_membership_delete", args=[olive.pk]), {"post": "yes"}, follow=True
    )
    assert "Not deleted: olive is the last owner of Blue Studio" in page(response)

    eddie = Membership.objects.get(user=editor)
    response = admin_client.post(
        reverse("admin:projects_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [olive.pk, eddie.pk], "post": "yes"},
        follow=True,
    )
    assert "Nothing deleted: olive is the last owner of Blue Studio" in page(response)
    assert Membership.objects.filter(pk__in=[olive.pk, eddie.pk]).count() == 2

    # Without the owner among them, the bulk delete goes on as usual (its confirmation, then the delete).
    response = admin_client.post(
        reverse("admin:projects_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [eddie.pk], "post": "yes"},
        follow=True,
    )
    assert not Membership.objects.filter(pk=eddie.pk).exists()


def test_the_team_page_of_the_admin_cannot_drop_or_demote_the_last_owner(admin_client, team, olive, editor):
    eddie = Membership.objects.get(user=editor)
    url = reverse("admin:projects_team_change", args=[team.pk])
    base = {"name": team.name, "slug": team.slug, "memberships-TOTAL_FORMS": 2, "memberships-INITIAL_FORMS": 2,
            "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000}  # fmt: skip
    rows = {}
    for n, membership in enumerate([olive, eddie]):
        rows |= {f"memberships-{n}-id": membership.pk, f"memberships-{n}-team": team.pk,
                 f"memberships-{n}-user": membership.user_id, f"memberships-{n}-role": membership.role}  # fmt: skip
    for change_of_olive in ({"memberships-0-DELETE": "on"}, {"memberships-0-role": Role.EDITOR}):
        response = admin_client.post(url, base | rows | change_of_olive)
        assert response.status_code == 200
        assert "olive is the last owner of Blue Studio" in page(response)
        olive.refresh_from_db()
        assert olive.role == Role.OWNER

    # Making eddie an owner in the same save lets olive step down.
    response = admin_client.post(
        url, base | rows | {"memberships-1-role": Role.OWNER, "memberships-0-DELETE": "on"}
    )
    assert response.status_code == 302
    assert list(Membership.objects.filter(team=team).values_list("user__username", "role")) == [
        ("eddie", "owner")
    ]


def test_a_team_made_in_the_admin_may_start_without_an_owner(admin_client):
    team = TeamFactory(name="Green", slug="green")
    someone = MembershipFactory(team=team, role=Role.EDITOR, user=UserFactory(username="gus"))
    assert change(admin_client, someone, role=Role.VIEWER).status_code == 302
