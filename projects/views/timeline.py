"""The editor's timeline: the script's timings as JSON (static/js/timeline.js draws them)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .. import access
from ..timeline import timeline_data


@login_required
@require_GET
def timeline_segments(request, pk):
    """Every segment's id, timing, speaker, version, flags and the start of its text (constant queries)."""
    project = access.get_project_for(request.user, pk, "view", with_speakers=True)
    response = JsonResponse(timeline_data(project))
    response["Cache-Control"] = "private, no-cache"  # the script changes under it: always ask again
    return response
