"""Provider actions on a project, the jobs they start, and the ModelsLab webhook."""

import json
from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import Truncator, slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from dubweb.http_ranges import ranged_file_response

from .. import access, selectors
from ..forms import (
    CreateOnDubformerForm,
    ImportFromDubformerForm,
    NewDubForm,
    PushRetranslationForm,
    SendAnywayForm,
)
from ..models import Submission, Team
from ..services import outputs, project_review, submissions
from .project_review import gate_context

TEMPLATE = "projects/includes/providers_panel.html"
FORMS = {
    Submission.Kind.CREATE_PROJECT: CreateOnDubformerForm,
    Submission.Kind.IMPORT: ImportFromDubformerForm,
    Submission.Kind.RETRANSLATE: PushRetranslationForm,
    Submission.Kind.NEW_DUB: NewDubForm,
}


def _forms(project, data=None, kind=None):
    """One form per action; ids carry the action's name, as the four sit in one page."""
    return {
        name.value: form(data if name == kind else None, auto_id=f"{name.value}-%s",
                         **({"project": project} if name == Submission.Kind.NEW_DUB else {}))
        for name, form in FORMS.items()
    }  # fmt: skip


def _panel(request, project):
    project.can_send = access.allows(project, "send_to_provider")
    context = {"project": project, "forms": _forms(project), **selectors.providers_panel(project)}
    context.update(gate_context(project, context["unapproved"]))
    return render(request, f"{TEMPLATE}#providers-panel", context)


def _action(request, project, kind, *, forms, message, error=False, created=None, status=200):
    """One action's section, open, with its message (and the job it started, added to the list's top).
    The message takes the focus; it is an alert only when no field below announces its own error."""
    project.can_send = True
    context = {"project": project, "forms": forms, "open": kind, "message": message, "error": error,
               "created": created, "field_errors": bool(forms[kind].errors)}  # fmt: skip
    if kind == Submission.Kind.RETRANSLATE:
        context.update(selectors.providers_panel(project))
    if kind in submissions.GATED:
        context.update(gate_context(project, project_review.unapproved(project)))
    return render(request, f"{TEMPLATE}#action-{kind}", context, status=status)


def _card(request, project, job, *, note="", also=None, status=200, confirm_retry=False):
    """A job's card after an action on it, with a note; focused, or `also` (a new job) at the list's top.
    With `confirm_retry`, the card asks whether to send the job again (the question takes the focus)."""
    project.can_send = access.allows(project, "send_to_provider")
    context = {"project": project, "job": job, "note": note, "focus": also is None and not confirm_retry,
               "created": also, "confirm_retry": confirm_retry}  # fmt: skip
    return render(request, f"{TEMPLATE}#job-card-after-action", context, status=status)


@login_required
@require_GET
def providers_panel(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    submissions.nudge_due(project)
    return _panel(request, project)


@login_required
@require_GET
def submission_card(request, pk, submission_pk):
    """One job's card, which asks for itself while the job runs; empty once the job is gone."""
    project = access.get_project_for(request.user, pk, "view")
    project.can_send = access.allows(project, "send_to_provider")
    submissions.nudge_due(project)
    job = (
        Submission.objects.filter(project=project, pk=submission_pk)
        .select_related("created_by", "override_by")
        .defer("script_snapshot")
        .first()
    )
    if job is None:
        return HttpResponse("")
    # ?focus=1: asked for by a button inside the card (Do not send), whose focus would be lost with it.
    context = {"project": project, "job": job, "focus": request.GET.get("focus") == "1"}
    return render(request, f"{TEMPLATE}#job-card", context)


@login_required
@require_GET
def submission_answers(request, pk, submission_pk):
    """What the provider answered to each call of a job (keys masked), for its card's details."""
    project, job = _submission_for(request, pk, submission_pk, "view")
    return render(request, f"{TEMPLATE}#job-answers", {"project": project, "job": job})


@login_required
@require_POST
def submission_create(request, pk, kind):
    project = access.get_project_for(request.user, pk, "send_to_provider")
    if kind not in FORMS:
        raise Http404("No such action.")
    forms = _forms(project, request.POST, kind)
    form = forms[kind]
    if not form.is_valid():
        errors = " ".join(  # a refused value is echoed by some messages: not 5,000 characters of it
            (f"{form.fields[name].label}: " if name in form.fields else "")
            + Truncator(" ".join(messages)).chars(200)
            for name, messages in form.errors.items()
        )
        return _action(request, project, kind, forms=forms, message=errors, error=True, status=422)
    override_by = None
    send_anyway = SendAnywayForm(request.POST)
    if send_anyway.is_valid() and send_anyway.cleaned_data["send_anyway"]:
        if not access.can(project.role, "override_review"):
            raise PermissionDenied("Only a manager or owner can send anyway when segments are not approved.")
        override_by = request.user
    try:
        submission = submissions.queue(
            project, kind, options=form.cleaned_data, by=request.user, override_by=override_by
        )
    except submissions.NotApproved as gate:
        noun = "segment is" if gate.count == 1 else "segments are"
        message = (
            f"{gate.count} {noun} not approved, so nothing was sent. Approve {'it' if gate.count == 1 else 'them'} "
            "first, or tick “Send anyway” "
            "below to send it as it is (recorded with your name)."
            if access.can(project.role, "override_review")
            else str(gate)
        )
        return _action(request, project, kind, forms=forms, message=message, error=True, status=409)
    except submissions.SubmissionError as error:
        return _action(request, project, kind, forms=forms, message=str(error), error=True, status=409)
    return _action(request, project, kind, forms=_forms(project), created=submission,
                   message=f"{submission.get_kind_display()}: queued. It is first in the jobs below.")  # fmt: skip


def _submission_for(request, pk, submission_pk, action):
    project = access.get_project_for(request.user, pk, action)
    return project, get_object_or_404(Submission.objects.filter(project=project), pk=submission_pk)


@login_required
@require_POST
def submission_cancel(request, pk, submission_pk):
    project, submission = _submission_for(request, pk, submission_pk, "send_to_provider")
    try:
        submission = submissions.cancel(submission, by=request.user)
    except submissions.SubmissionError as error:
        submission.refresh_from_db()
        return _card(request, project, submission, note=str(error), status=409)
    return _card(request, project, submission, note="Stopped following this job.")


@login_required
@require_http_methods(["GET", "POST"])
def submission_retry(request, pk, submission_pk):
    """A retry sends a new request, which the provider may charge again: GET (or a POST without
    confirm=yes) shows the card asking to confirm, naming the provider and the cost known; only a
    confirmed POST sends."""
    project, submission = _submission_for(request, pk, submission_pk, "send_to_provider")
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return _card(request, project, submission, confirm_retry=True)
    try:
        again = submissions.retry(submission, by=request.user)
    except submissions.SubmissionError as error:
        return _card(request, project, submission, note=str(error), status=409)
    return _card(request, project, submission, note="Sent again as a new job, first in the list.", also=again)


@login_required
@require_POST
def submission_check_again(request, pk, submission_pk):
    """Follow again a job that failed after the provider took it: a late result is taken, nothing is re-sent."""
    project, submission = _submission_for(request, pk, submission_pk, "send_to_provider")
    try:
        submission = submissions.check_again(submission, by=request.user)
    except submissions.SubmissionError as error:
        submission.refresh_from_db()
        return _card(request, project, submission, note=str(error), status=409)
    return _card(request, project, submission, note="Asking the provider where this job stands…")


@login_required
@require_POST
def output_copy_retry(request, pk, submission_pk):
    project, submission = _submission_for(request, pk, submission_pk, "send_to_provider")
    try:
        outputs.retry_copy(submission)
    except outputs.OutputError as error:
        return _card(request, project, submission, note=str(error), status=409)
    submission.refresh_from_db()
    return _card(request, project, submission, note="Copying the output again.")


@login_required
@require_safe
def submission_output(request, pk, submission_pk, which):
    """dubweb's copy of a job's dubbed video or voice track, to project members, seekable; ?download=1 saves
    it under a name that says what it is."""
    project, submission = _submission_for(request, pk, submission_pk, "view")
    stored = {"video": submission.output_video_file, "audio": submission.output_audio_file}.get(which)
    if not stored:
        raise Http404("No copy of this output.")
    try:
        size = stored.size
        fileobj = stored.storage.open(stored.name, "rb")
    except OSError:
        raise Http404("The copy of this output is missing from storage.") from None
    extension = PurePosixPath(stored.name).suffix
    filename = f"{slugify(project.title) or 'project'}-{submission.kind}-{submission.pk}-{which}{extension}"
    return ranged_file_response(
        request,
        fileobj,
        size,
        outputs.content_type_of(stored.name),
        filename=filename,
        as_attachment=request.GET.get("download") == "1",
    )


@login_required
@require_GET
def jobs(request):
    """Every submission of the user's teams, filtered by status and provider."""
    status = request.GET.get("status", "")
    provider = request.GET.get("provider", "")
    project_id = request.GET.get("project", "")
    project_id = int(project_id) if project_id.isdigit() and len(project_id) < 19 else None
    rows = selectors.team_jobs(
        request.user,
        status=status if status in Submission.Status.values else "",
        provider=provider if provider in Submission.Provider.values else "",
        project_id=project_id,
    )
    project = rows.first().project if project_id and rows.exists() else None
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "provider": provider,
        "project": project,
        "statuses": Submission.Status.choices,
        "providers": Submission.Provider.choices,
        "key_teams": Team.objects.filter(pk__in=access.teams_where(request.user, "send_to_provider")),
    }
    return render(request, "projects/jobs.html", context)


@csrf_exempt
@require_POST
def modelslab_webhook(request, token):
    """ModelsLab's completion callback. It is unsigned: the per-submission token in the URL finds the
    job, and the job is confirmed by a fetch before anything is trusted. Answers fast (ModelsLab waits
    30 s at most) and the same way to a repeated delivery."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "The body is not a JSON object."}, status=400)
    submission = submissions.webhook_received(token, body)
    if submission is None:
        return JsonResponse(
            {"error": "No job waits for this webhook (unknown token or track_id)."}, status=404
        )
    return HttpResponse(status=204)
