"""Comment threads: on the project (project page), on a segment (the editor's comment panel) and pinned
to a time on a job's output video (the job's card). HTMX partials from templates/projects/comments.html.

Every write answers the anchor's whole thread list (the one fragment the forms swap). Refused input
answers 422 with the list, the message and what was typed (htmx swaps 422 in this app: base.html);
nothing is stored. Writes send `comments-changed`, on which the editor's quality summary refreshes its
open-comment count; a segment's list carries its open count, which comments.js puts on the row.
"""

import json
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access
from ..models import Comment, Segment, Submission
from ..services import comments
from ..services.comments import CommentError, NotAllowed
from ..timecodes import TimecodeError, parse_timecode

TEMPLATE = "projects/comments.html"
MAX_ID = 2**63 - 1


def _in_range(pk):
    if not 0 < pk <= MAX_ID:
        raise Http404("No such item.")
    return pk


class Anchor:
    """Where a thread list hangs: the project, one segment, or one job's output. Knows its URL, its
    element id and how to read its threads."""

    def __init__(self, project, *, segment=None, submission=None):
        self.project, self.segment, self.submission = project, segment, submission
        if segment is not None:
            self.kind, self.dom_id = "segment", f"comments-seg-{segment.pk}"
            self.url = reverse("projects:segment-comments", args=[project.pk, segment.pk])
        elif submission is not None:
            self.kind, self.dom_id = "job", f"comments-job-{submission.pk}"
            self.url = reverse("projects:job-comments", args=[project.pk, submission.pk])
        else:
            self.kind, self.dom_id = "project", "comments-project"
            self.url = reverse("projects:project-comments", args=[project.pk])

    @classmethod
    def of(cls, project, comment):
        if comment.submission_id:
            return cls(project, submission=comment.submission)
        if comment.segment_id:
            segment = Segment.objects.filter(pk=comment.segment_id, project_id=project.pk).first()
            if segment is not None:
                return cls(project, segment=segment)
        return cls(project)

    def threads(self):
        if self.segment is not None:
            return comments.threads(self.project, segment=self.segment)
        if self.submission is not None:
            return comments.threads(self.project, submission=self.submission)
        return comments.threads(self.project)


def _project(request, pk, action="view"):
    project = access.get_project_for(request.user, pk, action)
    project.can_comment = access.can(project.role, "comment")
    return project


def _list(
    request, anchor, *, status=200, error="", error_for="new", typed="", typed_at="", partial="thread-list"
):
    threads = anchor.threads()
    for thread in threads:
        thread.can_resolve = comments.can_resolve(anchor.project, thread, request.user)
    context = {
        "project": anchor.project,
        "anchor": anchor,
        "threads": threads,
        "open_count": sum(1 for thread in threads if not thread.resolved),
        "error": error,
        "error_for": str(error_for),
        "typed": typed,
        "typed_at": typed_at,
        "people_url": reverse("projects:mention-options", args=[anchor.project.pk]),
    }
    response = render(request, f"{TEMPLATE}#{partial}", context, status=status)
    if request.method == "POST" and status == 200:
        response["HX-Trigger"] = json.dumps({"comments-changed": True})
    return response


def _write(request, anchor, action, *, error_for="new"):
    """Run one write; the anchor's list after it, or the reason (422, nothing stored)."""
    try:
        action()
    except NotAllowed as refused:
        raise PermissionDenied(str(refused)) from None
    except CommentError as error:
        return _list(request, anchor, status=422, error=str(error), error_for=error_for,
                     typed=request.POST.get("body", ""), typed_at=request.POST.get("at", ""))  # fmt: skip
    return _list(request, anchor)


@login_required
@require_http_methods(["GET", "POST"])
def project_comments(request, pk):
    project = _project(request, pk, "comment" if request.method == "POST" else "view")
    anchor = Anchor(project)
    if request.method == "GET":
        return _list(request, anchor)
    return _write(
        request,
        anchor,
        lambda: comments.comment_on_project(project, request.POST.get("body"), by=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def segment_comments(request, pk, segment_pk):
    """GET: the editor's comment panel for a segment; POST: a new thread on it."""
    project = _project(request, pk, "comment" if request.method == "POST" else "view")
    segment = get_object_or_404(Segment.objects.filter(project_id=project.pk), pk=_in_range(segment_pk))
    anchor = Anchor(project, segment=segment)
    if request.method == "GET":
        return _list(request, anchor, partial="segment-panel")
    return _write(
        request,
        anchor,
        lambda: comments.comment_on_segment(project, segment, request.POST.get("body"), by=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_comments(request, pk, submission_pk):
    """GET: the comments pinned on a job's output (markers and list); POST: a new one at `at` (m:ss)."""
    project = _project(request, pk, "comment" if request.method == "POST" else "view")
    submission = get_object_or_404(
        Submission.objects.filter(project_id=project.pk), pk=_in_range(submission_pk)
    )
    anchor = Anchor(project, submission=submission)
    if request.method == "GET":
        return _list(request, anchor)

    def pin():
        try:
            at_ms = parse_timecode(request.POST.get("at", ""))
        except TimecodeError as error:
            raise CommentError(f"{error} Nothing was saved.") from None
        return comments.comment_at_time(project, submission, at_ms, request.POST.get("body"), by=request.user)

    return _write(request, anchor, pin)


def _comment(project, comment_pk):
    return get_object_or_404(
        Comment.objects.filter(project_id=project.pk).select_related("submission"), pk=_in_range(comment_pk)
    )


def _change_comment(request, pk, comment_pk, action, change, *, error_for):
    """One change to one comment (reply, edit, resolve, delete): the role allows `action`, the comment is
    the project's (else 404), `change(project, comment)` is made, the thread's list comes back; a refusal
    is said next to `error_for(comment)`."""
    project = _project(request, pk, action)
    comment = _comment(project, comment_pk)
    return _write(request, Anchor.of(project, comment), lambda: change(project, comment),
                  error_for=error_for(comment))  # fmt: skip


def _thread_of(comment):
    return comment.parent_id or comment.pk


def _body(request):
    return request.POST.get("body")


@login_required
@require_POST
def comment_reply(request, pk, comment_pk):
    return _change_comment(
        request, pk, comment_pk, "comment",
        lambda project, thread: comments.reply(project, thread, _body(request), by=request.user),
        error_for=_thread_of,
    )  # fmt: skip


@login_required
@require_POST
def comment_edit(request, pk, comment_pk):
    return _change_comment(
        request, pk, comment_pk, "comment",
        lambda project, comment: comments.edit(project, comment, _body(request), by=request.user),
        error_for=lambda comment: f"edit-{comment.pk}",
    )  # fmt: skip


@login_required
@require_POST
def comment_resolve(request, pk, comment_pk):
    """resolved=1 resolves the thread, resolved=0 reopens it."""
    wanted = request.POST.get("resolved")

    def resolve(project, thread):
        if wanted not in ("0", "1"):
            raise CommentError("Say whether to resolve (1) or reopen (0) the thread; nothing was changed.")
        comments.set_resolved(project, thread, wanted == "1", by=request.user)

    return _change_comment(request, pk, comment_pk, "view", resolve, error_for=lambda thread: thread.pk)


@login_required
@require_POST
def comment_delete(request, pk, comment_pk):
    return _change_comment(
        request, pk, comment_pk, "comment",
        lambda project, comment: comments.delete(project, comment, by=request.user),
        error_for=_thread_of,
    )  # fmt: skip


@login_required
@require_GET
def mention_options(request, pk):
    """The team members matching what follows the @ being typed: the autocomplete's listbox options."""
    project = _project(request, pk, "comment")
    members = comments.member_suggestions(project, request.GET.get("q", ""))
    listbox = re.sub(r"[^\w-]", "", request.GET.get("listbox", ""))[:80] or "mentions"  # used in ids
    return render(request, f"{TEMPLATE}#mention-options", {"members": members, "listbox": listbox})
