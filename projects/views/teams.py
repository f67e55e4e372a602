"""The team page: members and their roles, invitations, leaving, lifting sign-in lockouts.

Every change is a POST that answers with a redirect to the team page and a message; a change the user's
role does not allow is a 403 and changes nothing."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import access
from ..models import Invitation, Membership, Role, Team
from ..people import display_name
from ..services import teams
from ..team_forms import InviteForm, RoleForm, role_choices


@login_required
def team_list(request):
    """The user's teams; with one team, that team's page."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("team")
        .annotate(member_count=Count("team__memberships"))
    )
    if len(memberships) == 1:
        return redirect("projects:team", slug=memberships[0].team.slug)
    return render(request, "teams/team_list.html", {"memberships": memberships})


def _team_page(request, team, invite_form=None, status=200):
    role = team.role
    may_manage = access.can(role, "manage_members")
    may_manage_owners = access.can(role, "manage_owners")
    members = list(team.memberships.select_related("user").order_by("user__first_name", "user__username"))
    may_unlock = request.user.is_staff or access.can(role, "unlock_member")
    locked = teams.locked_out_usernames(m.user.get_username() for m in members) if may_unlock else set()
    for member in members:
        member.is_me = member.user_id == request.user.pk
        # What this user may do to this member: the page offers only that (the services check it again).
        member.can_change = may_manage and (member.role != Role.OWNER or may_manage_owners)
        member.is_locked_out = member.user.get_username() in locked
    context = {
        "team": team,
        "role_label": Role(role).label,
        "members": members,
        "owner_count": sum(member.role == Role.OWNER for member in members),
        "may_manage": may_manage,
        "may_unlock": may_unlock,
        "role_choices": role_choices(may_manage_owners),
        "invitations": list(teams.pending_invitations(team)) if may_manage else [],
        "invitation_days": settings.INVITATION_VALID_DAYS,
        "invite_form": invite_form or InviteForm(may_manage_owners=may_manage_owners),
        "other_teams": Team.objects.filter(memberships__user=request.user).exclude(pk=team.pk),
        "may_change_settings": access.can(role, "manage_team_settings"),
    }
    return render(request, "teams/team_detail.html", context, status=status)


@login_required
def team_detail(request, slug):
    return _team_page(request, access.get_team_for(request.user, slug, "view_team"))


def _refused(error):
    """A role refusal is a 403 (nothing changed); anything else is a message on the team page."""
    if isinstance(error, teams.NotAllowed):
        raise PermissionDenied(str(error))


@login_required
@require_POST
def team_invite(request, slug):
    team = access.get_team_for(request.user, slug, "manage_members")
    form = InviteForm(request.POST, may_manage_owners=access.can(team.role, "manage_owners"))
    if not form.is_valid():
        return _team_page(request, team, invite_form=form, status=422)

    def link_for(token):
        return request.build_absolute_uri(reverse("invitation", args=[token]))

    try:
        invitation, sent = teams.invite(
            team, form.cleaned_data["email"], form.cleaned_data["role"], by=request.user, link_for=link_for
        )
    except teams.TeamError as error:
        _refused(error)
        messages.error(request, str(error))
        return redirect("projects:team", slug=slug)
    role = invitation.get_role_display().lower()
    if sent:
        messages.success(request, f"Invitation sent to {invitation.email} (as {role}).")
    else:
        messages.warning(
            request,
            f"The invitation to {invitation.email} is ready, but the email could not be sent. Pass on this "
            f"link yourself (it works once): {invitation.link}",
        )
    return redirect("projects:team", slug=slug)


@login_required
@require_POST
def invitation_revoke(request, slug, invitation_pk):
    team = access.get_team_for(request.user, slug, "manage_members")
    invitation = get_object_or_404(Invitation, pk=invitation_pk, team=team)
    try:
        teams.revoke(invitation, by=request.user)
    except teams.TeamError as error:
        _refused(error)
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The invitation to {invitation.email} was withdrawn; its link no longer works."
        )
    return redirect("projects:team", slug=slug)


@login_required
@require_POST
def member_role(request, slug, membership_pk):
    team = access.get_team_for(request.user, slug, "manage_members")
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, team=team)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("projects:team", slug=slug)
    try:
        membership = teams.change_role(membership, form.cleaned_data["role"], by=request.user)
    except teams.TeamError as error:
        _refused(error)
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{display_name(membership.user)} is now {membership.get_role_display().lower()}."
        )
    return redirect("projects:team", slug=slug)


@login_required
@require_POST
def member_remove(request, slug, membership_pk):
    team = access.get_team_for(request.user, slug, "view_team")
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, team=team)
    leaving = membership.user_id == request.user.pk
    if not leaving and not access.can(team.role, "manage_members"):
        raise PermissionDenied("Only owners and managers can remove members.")
    try:
        teams.remove_member(membership, by=request.user)
    except teams.TeamError as error:
        _refused(error)
        messages.error(request, str(error))
        return redirect("projects:team", slug=slug)
    if leaving:
        messages.success(request, f"You left {team.name}.")
        return redirect("projects:list")
    messages.success(request, f"{display_name(membership.user)} was removed from {team.name}.")
    return redirect("projects:team", slug=slug)


@login_required
@require_POST
def team_leave(request, slug):
    team = access.get_team_for(request.user, slug, "view_team")
    try:
        teams.leave(team, request.user)
    except teams.TeamError as error:
        messages.error(request, str(error))
        return redirect("projects:team", slug=slug)
    messages.success(request, f"You left {team.name}.")
    return redirect("projects:list")


@login_required
@require_POST
def member_unlock(request, slug, membership_pk):
    team = access.get_team_for(request.user, slug, "view_team")
    if not (request.user.is_staff or access.can(team.role, "unlock_member")):
        raise PermissionDenied("Only an owner of the team or an admin can unlock a member.")
    membership = get_object_or_404(
        Membership.objects.select_related("user", "team"), pk=membership_pk, team=team
    )
    teams.unlock(membership, by=request.user)
    messages.success(request, f"{display_name(membership.user)} can sign in again.")
    return redirect("projects:team", slug=slug)


@login_required
@require_POST
def team_settings(request, slug):
    """The team's settings: whether editors may edit projects they are not assigned to."""
    team = access.get_team_for(request.user, slug, "manage_team_settings")
    team.unassigned_can_edit = request.POST.get("unassigned_can_edit") == "on"
    team.save(update_fields=["unassigned_can_edit"])
    messages.success(
        request,
        "Every editor may edit the team's projects."
        if team.unassigned_can_edit
        else "Editors now edit only the projects they are assigned to translate.",
    )
    return redirect("projects:team", slug=team.slug)
