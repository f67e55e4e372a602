"""The project's review state ("Submit for review", "Approve for dubbing") and what a push would send."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..forms import SendAnywayForm
from ..models import Submission
from ..providers.http import InvalidRequest
from ..services import payloads, project_review, push_cost, push_diff, script_summary
from ..services.submissions import GATED

TEMPLATE = "projects/includes/project_review.html"


def review_context(project, *, segments, approved):
    """What the project page's review card shows, from the stored counts it already read."""
    return {
        "review_total": segments,
        "review_unapproved": segments - approved,
        "can_submit_for_review": access.can(project.role, "submit_for_review")
        and project_review.can_submit(project),
        "can_approve_for_dubbing": access.can(project.role, "approve_for_dubbing")
        and project_review.can_approve(project),
    }


def _counts(project):
    figures = script_summary.figures(project)
    return review_context(project, segments=figures["segments"], approved=figures["review"]["approved"])


def _review_card(request, project, *, message="", error=False, status=200):
    if not request.htmx:  # a plain form post (no JavaScript): back to the page, with the message
        (messages.error if error else messages.success)(request, message)
        return redirect(project)
    context = {"project": project, "message": message, "error": error,
               **_counts(project)}  # fmt: skip
    return render(request, f"{TEMPLATE}#review-card-after-move", context, status=status)


@login_required
@require_POST
def submit_for_review(request, pk):
    project = access.get_project_for(request.user, pk, "submit_for_review")
    try:
        project_review.submit_for_review(project, by=request.user)
    except project_review.ReviewError as error:
        return _review_card(request, project, message=str(error), error=True, status=409)
    return _review_card(request, project, message="Submitted for review.")


@login_required
@require_POST
def approve_for_dubbing(request, pk):
    project = access.get_project_for(request.user, pk, "approve_for_dubbing")
    try:
        project_review.approve_for_dubbing(project, by=request.user)
    except project_review.ReviewError as error:
        return _review_card(request, project, message=str(error), error=True, status=409)
    return _review_card(request, project, message="Approved for dubbing.")


def gate_context(project, unapproved):
    """The push form's review gate: how many segments are not approved, and the override's checkbox for
    those who may send anyway."""
    can_override = access.can(project.role, "override_review")
    forms = {}
    if unapproved and can_override:  # one per form on the page: ids carry the action's name
        forms = {kind: SendAnywayForm(unapproved=unapproved, auto_id=f"{kind}-%s") for kind in GATED}
    return {"unapproved": unapproved, "can_override": can_override, "send_anyway_forms": forms}


@login_required
@require_GET
def push_preview(request, pk, kind):
    """What a push would do now: the script's changes since the last push (re-translation), what Dubformer
    would refuse, the minutes it costs. Loaded when the push form is opened; a fixed number of queries."""
    project = access.get_project_for(request.user, pk, "send_to_provider")
    if kind not in (Submission.Kind.RETRANSLATE, Submission.Kind.NEW_DUB):
        raise Http404("No such action.")
    context = {"project": project, "kind": kind}
    script_end_ms = None
    if kind == Submission.Kind.RETRANSLATE:
        rows = payloads.retranslation_rows(project)
        script_end_ms = max((row[2] for row in rows), default=None)
        context["diff"] = push_diff.since_last_push(project, rows)
        # right after a push (or while one runs) the comparison is still with the last finished one: say so
        context["push_running"] = (
            Submission.objects.filter(project=project, kind=Submission.Kind.RETRANSLATE)
            .exclude(status__in=Submission.FINISHED)
            .exists()
        )
        try:
            payloads.retranslation_request(project, rows=rows)
        except InvalidRequest as invalid:
            context["refusals"] = invalid.problems[:10]
            context["more_refusals"] = len(invalid.problems) - 10
    context["cost"] = push_cost.estimate(project, kind, script_end_ms=script_end_ms)
    return render(request, f"{TEMPLATE}#push-preview", context)
