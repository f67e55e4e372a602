"""Who may do what, in one table, and the one way views fetch a project for a user.

A project outside the user's teams does not exist for them (404, never its data). A project they can
see but not change answers 403 for the change.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Project, Role

# action → the roles allowed to do it. Every action needs membership of the project's team.
PERMISSIONS = {
    "view": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
    "create_project": {Role.OWNER, Role.MANAGER},
    "edit_project": {Role.OWNER, Role.MANAGER},
    "edit_script": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "import_script": {Role.OWNER, Role.MANAGER, Role.EDITOR},
    "restore_backup": {Role.OWNER, Role.MANAGER},
    "export_script": {Role.OWNER, Role.MANAGER, Role.EDITOR, Role.REVIEWER, Role.VIEWER},
}


def can(role, action):
    return role in PERMISSIONS[action]


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


# The one query behind every project page and HTMX call: the project, with the user's role in its team.
_PROJECT_WITH_ROLE = """
SELECT project.*, membership.role AS role
FROM projects_project AS project
JOIN projects_membership AS membership ON membership.team_id = project.team_id
WHERE project.id = %s AND membership.user_id = %s
"""


def get_project_for(user, pk, action="view"):
    """The project if the user's team has it (else 404) and their role allows `action` (else 403).

    One query (raw: it runs on every request, and the ORM's join costs more to build than to run).
    The user's role is set on the project as `project.role` for templates and later checks."""
    if not user.is_authenticated:
        raise Http404("No such project.")
    project = next(iter(Project.objects.raw(_PROJECT_WITH_ROLE, [pk, user.pk])), None)
    if project is None:
        raise Http404("No such project.")
    if not can(project.role, action):
        raise PermissionDenied(f"Your role ({Role(project.role).label}) does not allow this.")
    return project
