"""The sign-in page's answer when django-axes has locked a username + address out."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def lockout_message(username):
    """The explanation, and the command an admin runs to unlock the account at once."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    explanation = (
        f"Too many failed sign-ins. Try again in {minutes} minutes, or ask an owner or admin to unlock "
        "the account:"
    )
    return explanation, f"manage.py axes_reset_username {username or 'NAME'}"


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, with the message, answered 429 (even when the
    password given this time was right)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    explanation, command = lockout_message(username)
    context = {
        "form": form,
        "locked_out": explanation,
        "unlock_command": command,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
