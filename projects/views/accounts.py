"""Accounts: the sign-in page's answer when django-axes has locked a username + address out, the profile,
and the page an invitation link opens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..people import display_name
from ..services import teams
from ..team_forms import ProfileForm, SignUpForm


def lockout_message(username):
    """The explanation, and the command an admin runs to unlock the account at once."""
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    explanation = (
        f"Too many failed sign-ins. Try again in {minutes} minutes, or ask an owner of your team or an "
        "admin to unlock the account:"
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


# The profile and the invitation link ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": display_name(user), "email": user.email})
    if request.method == "POST" and form.is_valid():
        # The display name is the user's whole name: one field, kept in first_name (see projects.people).
        user.first_name, user.last_name = form.cleaned_data["name"].strip(), ""
        user.email = form.cleaned_data["email"]
        user.save(update_fields=["first_name", "last_name", "email"])
        messages.success(request, "Profile saved.")
        return redirect("profile")
    memberships = user.memberships.select_related("team")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The page an invitation link opens. Signed in: join with one click. Signed out: choose a username,
    display name and password (the account's email is the invited address, which the link proves), or
    sign in first. An unusable link (expired, used, withdrawn, mistyped) gets a page saying so."""
    try:
        invitation = teams.find_invitation(token)
    except teams.InvitationUnusable as error:
        return render(request, "teams/invitation_unusable.html", {"problem": str(error)}, status=410)

    user = request.user
    form = None
    problem = ""
    if request.method == "POST" and user.is_authenticated:
        try:
            teams.accept(token, user)
        except teams.InvitationUnusable as error:
            return render(request, "teams/invitation_unusable.html", {"problem": str(error)}, status=410)
        except teams.TeamError as error:
            problem = str(error)
        else:
            messages.success(
                request,
                f"Welcome to {invitation.team.name}: you joined as {invitation.get_role_display().lower()}.",
            )
            return redirect("projects:team", slug=invitation.team.slug)
    elif not user.is_authenticated:
        form = SignUpForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                new_user = teams.sign_up(
                    token,
                    username=form.cleaned_data["username"],
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
            except teams.InvitationUnusable as error:
                return render(request, "teams/invitation_unusable.html", {"problem": str(error)}, status=410)
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to {invitation.team.name}, {display_name(new_user)}: you joined as "
                f"{invitation.get_role_display().lower()}.",
            )
            return redirect("projects:team", slug=invitation.team.slug)

    context = {
        "invitation": invitation,
        "form": form,
        "problem": problem,
        # Signed in under another address: joining is still allowed (the link is the proof), but said first.
        "email_differs": user.is_authenticated and user.email.lower() != invitation.email.lower(),
        "login_url": f"{reverse('login')}?next={request.path}",
        "already_member": user.is_authenticated and invitation.team.memberships.filter(user=user).exists(),
    }
    status = 422 if (form is not None and form.errors) or problem else 200
    return render(request, "teams/invitation.html", context, status=status)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a new password set from the emailed link also lifts a sign-in
    lockout (whoever holds the mailbox is the account's owner), so the person can sign in at once."""

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.get_username())
        return response
