"""Sign-in throttling (django-axes): wrong passwords in a row lock that username from that address out
for a while, with a message that says what to do; an admin can unlock it at once; others are not locked."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "right-horse-battery"


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, address="198.51.100.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, alice):
    for _ in range(4):
        answer = sign_in(client, "alice", "wrong")
        assert (
            answer.status_code == 200 and "enter a correct username and password" in answer.content.decode()
        )
    locked = sign_in(client, "alice", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed sign-ins. Try again in 15 minutes" in page
    assert "manage.py axes_reset_username alice" in page
    assert 'id="id_username"' in page and 'value="alice"' in page  # still the sign-in form, name kept

    right = sign_in(client, "alice", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, alice):
    bob = UserFactory(username="bob")
    bob.set_password(PASSWORD)
    bob.save()
    for _ in range(5):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 429

    # Another user from the same address, and alice from her own address, still sign in.
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "alice", PASSWORD, address="203.0.113.50").status_code == 302


def test_the_reset_command_unlocks_the_account(client, alice):
    for _ in range(5):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    call_command("axes_reset_username", "alice")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_a_right_password_clears_earlier_failures(client, alice):
    for _ in range(4):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "alice", "wrong").status_code == 200


def test_authenticate_with_a_request_still_works(alice):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.7")
    assert authenticate(request, username="alice", password=PASSWORD) == alice
