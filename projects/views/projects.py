from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import access, selectors
from ..forms import ProjectFilterForm, ProjectForm, ScriptExportForm, ScriptImportForm
from ..models import Team
from ..services import project_settings
from . import assignments
from .project_review import review_context

PROJECTS_PER_PAGE = 25


@login_required
def project_list(request):
    teams = list(Team.objects.filter(memberships__user=request.user))
    filters = ProjectFilterForm(request.GET, teams=teams)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    projects = selectors.project_list(
        request.user,
        q=criteria.get("q", ""),
        status=criteria.get("status", ""),
        language=criteria.get("language", ""),
        mine=criteria.get("mine", False),
        team=criteria.get("team", ""),
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "can_create": bool(access.teams_where(request.user, "create_project")),
        "has_teams": bool(teams),
        "several_teams": len(teams) > 1,
        "today": timezone.localdate(),
    }
    template = "projects/project_list.html#project-results" if request.htmx else "projects/project_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    team_ids = access.teams_where(request.user, "create_project")
    if not team_ids:
        raise PermissionDenied("Only team owners and managers can create projects.")
    teams = list(Team.objects.filter(pk__in=team_ids))
    form = ProjectForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        project = project_settings.create_project(form, by=request.user)
        messages.success(request, f"Project “{project.title}” created. Import a script to start.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = access.get_project_for(request.user, pk, "edit_project")
    form = ProjectForm(request.POST or None, instance=project, teams=[project.team])
    if request.method == "POST" and form.is_valid():
        project_settings.save_project(project, form, by=request.user)
        messages.success(request, "Project saved.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
def project_detail(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    context = {
        "project": project,
        "can_edit_project": access.allows(project, "edit_project"),
        "can_import": access.allows(project, "import_script"),
        "can_edit_script": access.allows(project, "edit_script"),
        "can_restore": access.allows(project, "restore_backup"),
        "import_form": ScriptImportForm(),
        "export_form": ScriptExportForm(),
        **selectors.project_page(project),
        **assignments.card_context(project),
    }
    script = context["script"]
    context.update(review_context(project, segments=script["segments"], approved=script["approved"]))
    return render(request, "projects/project_detail.html", context)
