"""Team management in chromium: an owner invites by email, the new person signs up from the link in a
second browser and lands in the team with the chosen role; the last owner cannot leave and is told why."""

import re
import shutil
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import Membership, Role

from ..factories import MembershipFactory, ProjectFactory, TeamFactory, UserFactory
from .conftest import ARTIFACTS, log_in

SHOTS = Path("/tmp/shots_d")


@pytest.fixture
def studio(transactional_db):
    team = TeamFactory(name="Blue Studio", slug="blue")
    owner = UserFactory(username="olive", first_name="Olive", last_name="Owner", email="olive@example.com")
    MembershipFactory(team=team, user=owner, role=Role.OWNER)
    for username, name, role in [
        ("manny", "Manny Manager", Role.MANAGER),
        ("eddie", "Eddie Editor", Role.EDITOR),
    ]:
        first, last = name.split()
        MembershipFactory(
            team=team, role=role, user=UserFactory(username=username, first_name=first, last_name=last)
        )
    ProjectFactory(team=team, title="Launch keynote")
    return team


def keep(name):
    """Copy the pair of screenshots just taken to /tmp/shots_d as well (looked at during review)."""
    SHOTS.mkdir(exist_ok=True)
    for suffix in ("desktop", "narrow"):
        shutil.copy(ARTIFACTS / f"{name}-{suffix}.png", SHOTS / f"{name}-{suffix}.png")


def test_invite_sign_up_and_land_in_the_team_with_the_role(page, browser, live_server, studio, screenshot):
    log_in(page, "olive")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Blue Studio", level=1)).to_be_visible()

    page.get_by_label("Email address").fill("nina@example.com")
    page.get_by_label("Role", exact=True).select_option(label="Reviewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nina@example.com (as reviewer).")).to_be_visible()
    pending = page.get_by_role("table", name="Pending invitations")
    expect(pending.get_by_role("row", name=re.compile("nina@example.com"))).to_be_visible()
    screenshot(page, "team-page")
    keep("team-page")

    # The email, as the locmem backend of the live server's thread holds it.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitations/\S+/", message.body).group(0)

    newcomer = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        invited = newcomer.new_page()
        invited.goto(link)
        expect(invited.get_by_role("heading", name="Join Blue Studio")).to_be_visible()
        expect(invited.get_by_text("as reviewer")).to_be_visible()
        screenshot(invited, "invitation-sign-up")
        keep("invitation-sign-up")
        invited.get_by_label("Username").fill("nina")
        invited.get_by_label("Display name").fill("Nina Nowak")
        invited.get_by_label("Password", exact=True).fill("cobalt-lantern-42")
        invited.get_by_label("Password again").fill("cobalt-lantern-42")
        invited.get_by_role("button", name="Create account and join").click()

        expect(
            invited.get_by_text("Welcome to Blue Studio, Nina Nowak: you joined as reviewer.")
        ).to_be_visible()
        expect(invited.get_by_role("heading", name="Blue Studio", level=1)).to_be_visible()
        expect(invited.get_by_role("link", name="Nina Nowak")).to_be_visible()  # the header names her
        row = invited.get_by_role("row", name=re.compile("Nina Nowak"))
        expect(row).to_contain_text("Reviewer")
        # A reviewer is offered no member changes.
        expect(invited.get_by_role("button", name="Send invitation")).to_have_count(0)
        assert Membership.objects.get(user__username="nina").role == Role.REVIEWER

        # The link worked once.
        invited.goto(link)
        expect(invited.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
        expect(invited.get_by_role("alert")).to_contain_text("already been used")

        invited.get_by_role("link", name="Nina Nowak").click()
        expect(invited.get_by_role("heading", name="Your profile")).to_be_visible()
        screenshot(invited, "profile")
        keep("profile")
    finally:
        newcomer.close()

    # The owner's page now lists her as a member, and no invitation is pending.
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Nina Nowak"))).to_be_visible()
    expect(page.get_by_role("table", name="Pending invitations")).to_have_count(0)


def test_the_last_owner_cannot_leave_and_the_page_says_why(page, studio):
    log_in(page, "olive")
    page.goto("/projects/teams/blue/")
    page.get_by_role("button", name="Leave team").click()
    expect(page.get_by_text("You are the last owner of Blue Studio, so you cannot leave it")).to_be_visible()
    expect(page.get_by_role("heading", name="Blue Studio", level=1)).to_be_visible()
    assert Membership.objects.get(user__username="olive").role == Role.OWNER

    # Demoting oneself as the last owner is refused the same way.
    page.get_by_label("Role of Olive Owner").select_option(label="Manager")
    page.get_by_role("button", name="Change role of Olive Owner").click()
    expect(page.get_by_text("Olive Owner is the last owner of Blue Studio")).to_be_visible()
    assert Membership.objects.get(user__username="olive").role == Role.OWNER


def test_someone_in_two_teams_finds_both_and_filters_projects_by_team(page, studio, screenshot):
    red = TeamFactory(name="Red Studio", slug="red")
    MembershipFactory(team=red, user=Membership.objects.get(user__username="eddie").user, role=Role.VIEWER)
    ProjectFactory(team=red, title="Red trailer")
    log_in(page, "eddie")  # lands on My work
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("row", name=re.compile("Launch keynote.*Blue Studio"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Red trailer.*Red Studio"))).to_be_visible()
    page.get_by_label("Team").select_option(label="Red Studio")
    expect(page.get_by_role("link", name="Launch keynote")).to_have_count(0)
    expect(page.get_by_role("link", name="Red trailer")).to_be_visible()
    screenshot(page, "project-list-by-team")
    keep("project-list-by-team")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Your teams")).to_be_visible()
    screenshot(page, "team-list")
    keep("team-list")
    page.get_by_role("link", name="Red Studio", exact=True).click()
    expect(page.get_by_role("heading", name="Red Studio", level=1)).to_be_visible()
    expect(page.get_by_text("You are viewer in this team")).to_be_visible()
