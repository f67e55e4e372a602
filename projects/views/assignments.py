"""Handing a project out (on its page), and "My work": what the person has been handed."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import access, selectors
from ..models import Assignment
from ..services import assignments

CARD = "projects/includes/assignments.html"


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label="Person", queryset=get_user_model().objects.none())
    task = forms.ChoiceField(label="Task", choices=Assignment.Task.choices)
    due_date = forms.DateField(label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(memberships__team_id=project.team_id)
        self.fields["user"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


def card_context(project, *, form=None, message="", error=False):
    can_assign = access.allows(project, "assign_work")
    return {
        "project": project,
        "assignments": list(project.assignments.select_related("user").order_by("task", "due_date", "id")),
        "can_assign": can_assign,
        "assign_form": (form or AssignForm(project=project)) if can_assign else None,
        "assign_message": message,
        "assign_error": error,
    }


def _card(request, project, *, status=200, **kwargs):
    if not request.htmx:
        return redirect(project)
    return render(request, CARD, card_context(project, **kwargs), status=status)


@login_required
@require_POST
def assignment_create(request, pk):
    project = access.get_project_for(request.user, pk, "assign_work")
    form = AssignForm(request.POST, project=project)
    if not form.is_valid():
        problems = " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        return _card(request, project, form=form, message=problems, error=True, status=422)
    try:
        made = assignments.assign(
            project,
            form.cleaned_data["user"],
            form.cleaned_data["task"],
            due_date=form.cleaned_data["due_date"],
            by=request.user,
        )
    except assignments.AssignmentError as problem:
        return _card(request, project, form=form, message=str(problem), error=True, status=422)
    name = made.user.get_full_name() or made.user.get_username()
    return _card(request, project, message=f"{name} is assigned to {made.get_task_display().lower()} it.")


@login_required
@require_POST
def assignment_delete(request, pk, assignment_pk):
    project = access.get_project_for(request.user, pk, "assign_work")
    if not 0 < assignment_pk < 2**63:
        raise Http404("No such assignment.")
    assignment = get_object_or_404(
        Assignment.objects.filter(project_id=project.pk).select_related("user"), pk=assignment_pk
    )
    assignments.unassign(assignment, by=request.user)
    return _card(request, project, message=f"{assignment.user.get_username()} is no longer assigned.")


@login_required
@require_GET
def my_work(request):
    return render(request, "projects/my_work.html", selectors.my_work(request.user))
