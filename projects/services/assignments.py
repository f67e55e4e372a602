"""Handing projects out: who translates and who reviews a project, by when, and "My work"."""

from django.db import IntegrityError, transaction
from django.urls import reverse

from ..models import Assignment, Membership, Role
from . import changes, notifications

# The roles that can take each task.
CAN_TAKE = {
    Assignment.Task.TRANSLATE: {Role.OWNER, Role.MANAGER, Role.EDITOR},
    Assignment.Task.REVIEW: {Role.OWNER, Role.MANAGER, Role.REVIEWER},
}


class AssignmentError(ValueError):
    """An assignment that cannot be made; the message says why."""


def candidates(project, task):
    """The team's members who can take `task`, by name."""
    return [
        membership.user
        for membership in Membership.objects.filter(team_id=project.team_id, role__in=CAN_TAKE[task])
        .select_related("user")
        .order_by("user__first_name", "user__username")
    ]


def assign(project, user, task, *, due_date=None, by):
    if task not in CAN_TAKE:
        raise AssignmentError("Choose translate or review.")
    role = (
        Membership.objects.filter(team_id=project.team_id, user=user).values_list("role", flat=True).first()
    )
    if role is None:
        raise AssignmentError(f"{user.get_username()} is not in this project's team.")
    if role not in CAN_TAKE[task]:
        label = Role(role).label.lower()
        article = "an" if label[0] in "aeiou" else "a"
        raise AssignmentError(
            f"{user.get_username()} is {article} {label} in this team and cannot {task} projects."
        )
    label = Assignment.Task(task).label.lower()
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                project=project, user=user, task=task, due_date=due_date, assigned_by=by
            )
            due = f" by {due_date:%d %b %Y}" if due_date else ""
            changes.event(project, by, "assign", f"Assigned {user.get_username()} to {label}{due}")
            notifications.notify(
                [user],
                notifications.Kind.ASSIGNED,
                text=f"You are assigned to {label} “{project.title}”{due}",
                url=reverse("projects:detail", args=[project.pk]),
                project=project,
                actor=by,
            )
    except IntegrityError:
        raise AssignmentError(f"{user.get_username()} is already assigned to {label} this project.") from None
    return assignment


def unassign(assignment, *, by):
    with transaction.atomic():
        assignment.delete()
        changes.event(
            assignment.project,
            by,
            "unassign",
            f"Took {assignment.user.get_username()} off {assignment.get_task_display().lower()}",
        )
