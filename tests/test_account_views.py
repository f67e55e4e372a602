"""Account basics: the profile's display name (shown where people are named), password change, and a
password reset by email."""

import re

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from projects.people import display_name

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_profile_sets_the_display_name_shown_in_the_header(client, editor):
    client.force_login(editor)
    answer = client.post(
        reverse("profile"), {"name": "Eddie Éditeur", "email": "eddie@example.com"}, follow=True
    )
    page = answer.content.decode()
    assert "Profile saved." in page
    assert f'href="{reverse("profile")}"' in page and "Eddie Éditeur</a>" in page
    editor.refresh_from_db()
    assert display_name(editor) == "Eddie Éditeur" and editor.email == "eddie@example.com"


def test_a_profile_needs_a_name_and_a_real_address(client, editor):
    client.force_login(editor)
    answer = client.post(reverse("profile"), {"name": " ", "email": "nope"})
    page = answer.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page
    editor.refresh_from_db()
    assert editor.email == ""


def test_display_name_falls_back_to_the_username():
    assert display_name(UserFactory.build(username="anon", first_name="", last_name="")) == "anon"
    assert display_name(UserFactory.build(username="x", first_name="Ana", last_name="Lima")) == "Ana Lima"
    assert display_name(None) == "—"


def test_the_display_name_filter_escapes_what_people_type():
    user = UserFactory.build(username="x", first_name="<b>Bo</b>", last_name="")
    rendered = Template("{% load people %}{{ user|display_name }}").render(Context({"user": user}))
    assert rendered == "&lt;b&gt;Bo&lt;/b&gt;"


def test_the_profile_is_for_signed_in_people_only(client):
    assert client.get(reverse("profile")).url.startswith(reverse("login"))


def test_password_change(client, editor):
    client.force_login(editor)
    assert client.get(reverse("password_change")).status_code == 200
    answer = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-for-tests",
            "new_password1": "velvet-harbour-93",
            "new_password2": "velvet-harbour-93",
        },
        follow=True,
    )
    assert "Password changed" in answer.content.decode()
    editor.refresh_from_db()
    assert editor.check_password("velvet-harbour-93")


def test_password_change_with_a_wrong_current_password_changes_nothing(client, editor):
    client.force_login(editor)
    answer = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "velvet-harbour-93", "new_password2": "velvet-harbour-93"},
    )
    assert "Your old password was entered incorrectly" in answer.content.decode()
    editor.refresh_from_db()
    assert editor.check_password("pass-for-tests")


def test_password_reset_by_email_end_to_end_also_lifts_a_lockout(client, editor):
    editor.email = "eddie@example.com"
    editor.save()
    for _ in range(5):
        client.post(reverse("login"), {"username": "eddie", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    answer = client.post(reverse("password_reset"), {"email": "eddie@example.com"}, follow=True)
    assert "Check your email" in answer.content.decode()
    (message,) = mail.outbox
    assert message.subject == "Reset your dubweb password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "copper-meadow-71", "new_password2": "copper-meadow-71"},
        follow=True,
    )
    assert "Your new password is set." in done.content.decode()
    editor.refresh_from_db()
    assert editor.check_password("copper-meadow-71")
    reused = client.get(link, follow=True)
    assert "already used or has expired" in reused.content.decode()
    signed_in = client.post(
        reverse("login"), {"username": "eddie", "password": "copper-meadow-71"}, REMOTE_ADDR="198.51.100.7"
    )
    assert signed_in.status_code == 302


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    answer = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "Check your email" in answer.content.decode()
    assert mail.outbox == []


def test_the_project_activity_names_people_by_display_name(client, project, editor):
    from projects.models import Activity

    editor.first_name, editor.last_name = "Eddie", "Éditeur"
    editor.save()
    Activity.objects.create(project=project, actor=editor, verb="edit", message="Changed the title")
    client.force_login(editor)
    page = client.get(project.get_absolute_url()).content.decode()
    assert '<span class="who">Eddie Éditeur</span>' in page
