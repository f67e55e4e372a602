"""Team membership: invitations, roles, leaving, and lifting sign-in lockouts.

Every change to who is in a team goes through here, in one transaction that first locks the team row:
two changes to one team run one after the other, so the "a team keeps at least one owner" rule is checked
against what is really there (two owners demoting each other at once leave one owner, not none)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Invitation, Membership, Role, Team
from ..people import display_name


class TeamError(Exception):
    """A change refused for a reason the person can read (shown on the team page)."""


class NotAllowed(TeamError):
    """The actor's role does not allow this change (the view answers 403)."""


class LastOwner(TeamError):
    """The change would leave the team without an owner."""


class InvitationUnusable(TeamError):
    """The link is unknown, expired, already used or revoked."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_team(team):
    """Lock the team row until the transaction ends: membership changes of one team queue up here."""
    return Team.objects.select_for_update().get(pk=team.pk)


def _role_of(team, user):
    return Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()


def _owner_count(team):
    return Membership.objects.filter(team=team, role=Role.OWNER).count()


def _check_may_manage(actor_role, *, target_role=None, new_role=None):
    if actor_role not in (Role.OWNER, Role.MANAGER):
        raise NotAllowed("Only owners and managers can change the team's members.")
    if Role.OWNER in (target_role, new_role) and actor_role != Role.OWNER:
        raise NotAllowed("Only an owner can make someone an owner or change an owner.")


# Invitations ------------------------------------------------------------------------------------------


def invite(team, email, role, *, by, link_for):
    """Invite `email` to `team` with `role` and send the link (built by `link_for(token)`).

    An earlier pending invitation to the same address is revoked: one live link per person. Returns the
    invitation and whether the email went out (when it did not, the caller shows the link instead)."""
    email = email.strip()
    with transaction.atomic():
        team = _lock_team(team)
        _check_may_manage(_role_of(team, by), new_role=role)
        if Membership.objects.filter(team=team, user__email__iexact=email).exists():
            raise TeamError(f"{email} is already a member of {team.name}.")
        now = timezone.now()
        Invitation.objects.filter(
            team=team, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            team=team,
            email=email,
            role=role,
            token_hash=_hash(token),
            invited_by=by,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
    link = link_for(token)
    context = {"invitation": invitation, "link": link, "inviter": display_name(by)}
    try:
        send_mail(
            subject=f"{display_name(by)} invites you to {team.name} on dubweb",
            message=render_to_string("teams/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
        sent = True
    except OSError:  # SMTP down or refused: the invitation stands; the inviter can pass the link on
        sent = False
    invitation.link = link
    return invitation, sent


def pending_invitations(team):
    return Invitation.objects.filter(
        team=team, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def find_invitation(token):
    """The invitation behind a link, if it can still be used; else InvitationUnusable saying why."""
    invitation = (
        Invitation.objects.select_related("team", "invited_by").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise InvitationUnusable("This invitation link is not valid. Check that it was copied whole.")
    if invitation.revoked_at:
        raise InvitationUnusable(f"This invitation to {invitation.team.name} was withdrawn.")
    if invitation.accepted_at:
        raise InvitationUnusable(f"This invitation to {invitation.team.name} has already been used.")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(f"This invitation to {invitation.team.name} has expired.")
    return invitation


def _use(invitation, user):
    """Mark the invitation used by `user`, only if it still can be (one conditional update: of two
    people opening the same link at once, one gets in)."""
    used = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now(), accepted_by=user)
    if not used:
        raise InvitationUnusable(f"This invitation to {invitation.team.name} can no longer be used.")


def accept(token, user):
    """An existing user joins the team with the invited role. Returns the membership."""
    with transaction.atomic():
        invitation = find_invitation(token)
        team = _lock_team(invitation.team)
        current = _role_of(team, user)
        if current:
            raise TeamError(
                f"You are already a member of {team.name} ({Role(current).label}); the invitation was not used."
            )
        _use(invitation, user)
        return Membership.objects.create(team=team, user=user, role=invitation.role)


def sign_up(token, *, username, name, password):
    """A new user, with the invited address, joins the team with the invited role. Returns the user.

    One transaction: if the link was used meanwhile, no account is left behind."""
    with transaction.atomic():
        invitation = find_invitation(token)
        user = get_user_model().objects.create_user(
            username=username, email=invitation.email, password=password, first_name=name.strip()
        )
        team = _lock_team(invitation.team)
        _use(invitation, user)
        Membership.objects.create(team=team, user=user, role=invitation.role)
    return user


def revoke(invitation, *, by):
    """Withdraw a pending invitation: its link stops working."""
    with transaction.atomic():
        team = _lock_team(invitation.team)
        _check_may_manage(_role_of(team, by), new_role=invitation.role)
        revoked = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        )
        if not revoked.update(revoked_at=timezone.now()):
            raise TeamError(f"The invitation to {invitation.email} was already used or withdrawn.")


# Members ----------------------------------------------------------------------------------------------


def change_role(membership, role, *, by):
    """Give a member another role. Managers cannot touch owners; the last owner stays an owner."""
    if role not in Role.values:
        raise TeamError("Choose one of the roles.")
    with transaction.atomic():
        team = _lock_team(membership.team)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        _check_may_manage(_role_of(team, by), target_role=membership.role, new_role=role)
        if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(team) <= 1:
            raise LastOwner(
                f"{display_name(membership.user)} is the last owner of {team.name}: make someone else an "
                "owner first."
            )
        Membership.objects.filter(pk=membership.pk).update(role=role)
        membership.role = role
        return membership


def remove_member(membership, *, by):
    """Take a member out of the team (yourself: see `leave`)."""
    if membership.user_id == by.pk:
        return leave(membership.team, by)
    with transaction.atomic():
        team = _lock_team(membership.team)
        membership = Membership.objects.select_related("user").get(pk=membership.pk)
        _check_may_manage(_role_of(team, by), target_role=membership.role)
        if membership.role == Role.OWNER and _owner_count(team) <= 1:
            raise LastOwner(f"{display_name(membership.user)} is the last owner of {team.name}.")
        membership.delete()


def last_owner_refusal(memberships):
    """Why taking these memberships (as stored) away from their teams' owners, by deleting them, giving
    them another role or moving them to another team, would leave a team that has owners with none; None
    when it would not. The admin's guard: the app's own moves check this in change_role, remove_member
    and leave."""
    leaving = {}
    for membership in memberships:
        if membership.role == Role.OWNER:
            leaving.setdefault(membership.team_id, []).append(membership)
    for team_id, gone in leaving.items():
        others = Membership.objects.filter(team_id=team_id, role=Role.OWNER).exclude(
            pk__in=[m.pk for m in gone]
        )
        if others.exists():
            continue
        names = " and ".join(display_name(membership.user) for membership in gone)
        owners = "the last owner" if len(gone) == 1 else "the last owners"
        return f"{names} {'is' if len(gone) == 1 else 'are'} {owners} of {gone[0].team.name}: make someone else an owner first."
    return None


def leave(team, user):
    """The user leaves the team; the last owner cannot (someone must be able to run it)."""
    with transaction.atomic():
        team = _lock_team(team)
        role = _role_of(team, user)
        if role is None:
            raise TeamError(f"You are not a member of {team.name}.")
        if role == Role.OWNER and _owner_count(team) <= 1:
            raise LastOwner(
                f"You are the last owner of {team.name}, so you cannot leave it: make another member an "
                "owner first."
            )
        Membership.objects.filter(team=team, user=user).delete()


# Sign-in lockouts (django-axes) -----------------------------------------------------------------------


def locked_out_usernames(usernames):
    """Which of `usernames` are locked out of signing in now (from at least one address)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


def unlock(membership, *, by):
    """Lift a member's sign-in lockout (every address). Owners of the member's team, and staff admins."""
    from axes.utils import reset

    if not (by.is_staff or _role_of(membership.team, by) == Role.OWNER):
        raise NotAllowed("Only an owner of the team or an admin can unlock a member.")
    return reset(username=membership.user.get_username())
