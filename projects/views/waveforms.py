"""Waveforms: the status card on the project page (an HTMX partial) and the peaks themselves, served like
a static file (ETag, revalidated by the browser, 304 when unchanged) to project members only."""

import gzip

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from .. import access
from ..models import Waveform
from ..services import waveforms

PARTIAL = "projects/waveform.html#waveform-status"


@login_required
@require_safe
def waveform_status(request, pk):
    """The source video's waveform: computing, ready, or failed with the reason (polled while computing)."""
    project = access.get_project_for(request.user, pk, "view")
    return render(request, PARTIAL, status_context(project))


@login_required
@require_POST
def waveform_compute(request, pk):
    """Compute the source video's waveform again (managers)."""
    project = access.get_project_for(request.user, pk, "edit_project")
    problem = ""
    try:
        waveforms.compute_again(project)
    except waveforms.WaveformError as error:
        problem = str(error)
    if not request.htmx:  # a plain form post (no JavaScript): back to the page, which shows the status
        if problem:
            messages.error(request, problem)
        return redirect(project)
    return render(request, PARTIAL, status_context(project, problem=problem))


def status_context(project, *, problem=""):
    waveform = waveforms.source_waveform(project)
    return {
        "project": project,
        "waveform": waveform,
        "waveform_stuck": bool(waveform and waveforms.is_stuck(waveform)),
        "waveform_problem": problem,
        "waveforms_enabled": settings.COMPUTE_WAVEFORMS,
        "can_compute_waveform": settings.COMPUTE_WAVEFORMS and access.allows(project, "edit_project"),
    }


@login_required
@require_safe
def source_peaks(request, pk):
    """The source video's peaks (.dat, see projects/waveform_peaks.py)."""
    project = access.get_project_for(request.user, pk, "view")
    return _peaks_response(request, waveforms.source_waveform(project))


@login_required
@require_safe
def output_peaks(request, pk, submission_pk, which):
    """The peaks of a job's kept dubbed video (`video`) or voice track (`audio`)."""
    project = access.get_project_for(request.user, pk, "view")
    submission = get_object_or_404(project.submissions, pk=submission_pk)
    waveform = Waveform.objects.filter(submission=submission, track=which).first()
    return _peaks_response(request, waveform)


def _peaks_response(request, waveform):
    if waveform is None or waveform.status != Waveform.Status.READY or not waveform.peaks_file:
        # The timeline works without a waveform: it is told why there is none (a machine answer, JSON).
        status = waveform.status if waveform else "none"
        message = (waveform.error_message if waveform else "") or _NOT_READY[status]
        return JsonResponse({"status": status, "message": message}, status=404)
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"waveform-{waveform.pk}-{waveform.generation}{"-gz" if gzipped else ""}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding, Cookie"}
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return HttpResponse(status=304, headers=headers)
    storage, name = waveform.peaks_file.storage, waveform.peaks_file.name
    packed = gzipped and storage.exists(waveforms.gzipped_name(name))
    try:
        with storage.open(waveforms.gzipped_name(name) if packed else name, "rb") as file:
            data = file.read()  # 2 bytes per 10 ms: 1.4 MB for two hours, 0.6 MB gzipped
    except OSError:
        return JsonResponse(
            {"status": "missing", "message": "The waveform file is missing; compute it again."}, status=404
        )
    if gzipped:
        data = data if packed else gzip.compress(data, compresslevel=6, mtime=0)  # peaks kept before .gz were
        headers["Content-Encoding"] = "gzip"
    headers["Content-Disposition"] = f'inline; filename="waveform-{waveform.track}.dat"'
    return HttpResponse(data, content_type="application/octet-stream", headers=headers)


_NOT_READY = {
    "none": "No waveform for this track (no video, or not computed).",
    Waveform.Status.PENDING: "The waveform is waiting to be computed.",
    Waveform.Status.RUNNING: "The waveform is being computed.",
    Waveform.Status.FAILED: "The waveform could not be computed.",
}


def _matches(if_none_match, etag):
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
