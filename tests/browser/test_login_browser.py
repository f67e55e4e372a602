"""Sign-in throttling as a person meets it in chromium: five wrong passwords, then the sign-in page says
what happened and what to do, and the right password is refused until the account is unlocked."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ..factories import MembershipFactory, UserFactory
from .conftest import log_in


@pytest.fixture
def member(transactional_db):
    return MembershipFactory(user=UserFactory(username="elena")).user


def test_too_many_wrong_passwords_lock_the_account_with_a_clear_message(page, member, screenshot):
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Username").fill("elena")
        page.get_by_label("Password").fill("not-my-password")
        page.get_by_label("Password").press("Enter")
        page.wait_for_load_state()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-ins. Try again in 15 minutes")
    expect(alert).to_contain_text("manage.py axes_reset_username elena")
    expect(page.get_by_label("Username")).to_have_value("elena")
    screenshot(page, "login-locked-out")

    page.get_by_label("Password").fill("pass-for-tests")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")

    call_command("axes_reset_username", "elena")
    log_in(page, "elena")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
