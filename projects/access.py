"""Who may do what, in one table, and the one way views fetch a project for a user.

A project outside the user's teams does not exist for them (404, never its data). A project they can
see but not change answers 403 for the change.
"""

import json

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from .models import Membership, Project, Role, Speaker

# action → the roles allowed to do it. Every action needs membership of the project's team.
PERMISSIONS = {
    "view": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    "create_project": {Role.OWNER, Role.MANAGER},
    "edit_project": {Role.OWNER, Role.MANAGER},
    "edit_script": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "import_script": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "restore_backup": {Role.OWNER, Role.MANAGER},
    "export_script": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    # Provider actions cost money or replace the script: owners and managers.
    "send_to_provider": {Role.OWNER, Role.MANAGER},
    # Handing the project out: who translates and reviews it, by when.
    "assign_work": {Role.OWNER, Role.MANAGER},
    # Team-wide actions (checked with get_team_for).
    "manage_provider_keys": {Role.OWNER, Role.MANAGER},
    "manage_team_settings": {Role.OWNER, Role.MANAGER},
    # Team management (the team page). Every member sees the team and may leave it.
    "view_team": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    "manage_members": {Role.OWNER, Role.MANAGER},  # invite, revoke, change roles, remove (not owners)
    "manage_owners": {Role.OWNER},  # make, demote or remove an owner; invite as owner
    "unlock_member": {Role.OWNER},  # lift a member's sign-in lockout (staff admins may too)
    # Segment review (services/review.py): translators hand segments in; reviewers decide.
    "request_review": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "review_script": {Role.OWNER, Role.MANAGER, Role.REVIEWER},
    # Undo and redo take back one's own edits only: a reviewer's are review decisions.
    "undo_own_edits": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER},
    # Comments: everyone who works on the script may write; viewers (clients, observers) read only, as
    # everywhere else, and a team that wants them to comment gives them the reviewer role.
    "comment": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER},
    # Resolving any thread closes someone's question: reviewers and those who run the project. Authors
    # may always resolve or reopen their own thread (projects/services/comments.py).
    "resolve_comments": {Role.OWNER, Role.MANAGER, Role.REVIEWER},
}


def can(role, action):
    return role in PERMISSIONS[action]


# What an editor may do on a project only when assigned to translate it, if their team says so.
ASSIGNED_EDITING = {"edit_script", "import_script"}


def allows(project, action):
    """Whether the person whose role was read with the project (get_project_for) may do `action` on it:
    their role, and for an editor in a team that keeps editing to assignees, an assignment to translate."""
    if not can(project.role, action):
        return False
    if action in ASSIGNED_EDITING and project.role == Role.EDITOR:
        return bool(project.team_unassigned_can_edit or project.assigned_to_translate)
    return True


def team_roles(user):
    """{team_id: role} for the user's memberships (one query)."""
    if not user.is_authenticated:
        return {}
    return dict(Membership.objects.filter(user=user).values_list("team_id", "role"))


def projects_for(user):
    """The projects the user can see: those of their teams."""
    return Project.objects.filter(team__memberships__user=user)


def teams_where(user, action):
    return [team_id for team_id, role in team_roles(user).items() if can(role, action)]


# The one query behind every project page and HTMX call: the project, with the user's role in its team
# (and, for the editor, its speakers as a JSON list, which saves a query on every save).
_PROJECT_WITH_ROLE = """
SELECT project.*, membership.role AS role, team.unassigned_can_edit AS team_unassigned_can_edit,
  EXISTS(SELECT 1 FROM projects_assignment AS assignment WHERE assignment.project_id = project.id
         AND assignment.user_id = membership.user_id AND assignment.task = 'translate') AS assigned_to_translate
  {speakers}
FROM projects_project AS project
JOIN projects_membership AS membership ON membership.team_id = project.team_id
JOIN projects_team AS team ON team.id = project.team_id
WHERE project.id = %s AND membership.user_id = %s
"""
_SPEAKERS_JSON = {
    "postgresql": ", (SELECT COALESCE(json_agg(json_build_object('id', s.id, 'speaker_id', s.speaker_id, "
    "'name', s.name, 'style', s.style) ORDER BY s.speaker_id), '[]') FROM projects_speaker AS s "
    "WHERE s.project_id = project.id)::text AS speakers_json",
    "sqlite": ", (SELECT json_group_array(json_object('id', s.id, 'speaker_id', s.speaker_id, 'name', s.name, "
    "'style', s.style)) FROM (SELECT * FROM projects_speaker WHERE project_id = project.id ORDER BY speaker_id) "
    "AS s) AS speakers_json",
}


def get_project_for(user, pk, action="view", *, with_speakers=False):
    """The project if the user's team has it (else 404) and their role allows `action` (else 403).

    One query (raw: it runs on every request, and the ORM's join costs more to build than to run).
    The user's role is set on the project as `project.role`; with `with_speakers`, its speakers (id,
    speaker_id, name, style) as `project.speaker_list`."""
    if not user.is_authenticated or not 0 < int(pk) < 2**63:  # a bigger id is no row (and no SQL integer)
        raise Http404("No such project.")
    speakers_sql = _SPEAKERS_JSON.get(connection.vendor, "") if with_speakers else ""
    sql = _PROJECT_WITH_ROLE.format(speakers=speakers_sql)
    project = next(iter(Project.objects.raw(sql, [pk, user.pk])), None)
    if project is None:
        raise Http404("No such project.")
    if not can(project.role, action):
        raise PermissionDenied(f"Your role ({Role(project.role).label}) does not allow this.")
    if not allows(project, action):
        raise PermissionDenied("This team keeps editing to the people assigned: ask a manager to assign you.")
    if speakers_sql:
        project.speaker_list = [
            Speaker(
                pk=item["id"],
                project_id=project.pk,
                speaker_id=item["speaker_id"],
                name=item["name"],
                style=item["style"],
            )  # fmt: skip
            for item in json.loads(project.speakers_json)
        ]
    return project


def get_team_for(user, slug, action="view_team"):
    """The team if the user is a member (else 404) and their role allows `action` (else 403); the
    user's role is set on it as `team.role`."""
    membership = (
        Membership.objects.select_related("team").filter(user__pk=user.pk or 0, team__slug=slug).first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such team.")
    if not can(membership.role, action):
        raise PermissionDenied(f"Your role ({Role(membership.role).label}) does not allow this.")
    team = membership.team
    team.role = membership.role
    return team


# Review workflow (services/project_review.py): the project-level moves, and sending although some segments
# are not approved (recorded on the job with the person's name).
PERMISSIONS |= {
    "submit_for_review": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "approve_for_dubbing": {Role.OWNER, Role.MANAGER, Role.REVIEWER},
    "override_review": {Role.OWNER, Role.MANAGER},
}
