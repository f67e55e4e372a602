"""Reads for the screens: one place per screen, a fixed number of queries whatever the data size."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from . import access
from .models import Activity, ScriptImport, ScriptSnapshot, Segment, Speaker


def _count_of(model):
    """A correlated COUNT(*) of `model` rows of the outer project (no join fan-out between counts)."""
    return Coalesce(
        Subquery(
            model.objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(count=Count("pk"))
            .values("count"),
            output_field=IntegerField(),
        ),
        0,
    )


def project_list(user, *, q="", status="", language=""):
    projects = (
        access.projects_for(user)
        .select_related("team")
        .annotate(segment_count=_count_of(Segment), speaker_count=_count_of(Speaker))
        .prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.only("project_id", "name", "speaker_id"))
        )
        .order_by("-updated_at", "-id")
    )
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(dubformer_project_id__iexact=q))
    if status:
        projects = projects.filter(status=status)
    if language:
        projects = projects.filter(Q(target_language=language) | Q(source_language=language))
    return projects


def project_page(project):
    """Everything the project page shows beside the project itself."""
    speakers = list(project.speakers.annotate(segment_count=Count("segments")).order_by("speaker_id"))
    segments = list(
        Segment.objects.filter(project=project)
        .select_related("speaker")
        .only(
            "start_ms",
            "end_ms",
            "source_text",
            "target_text",
            "review_status",
            "speaker__name",
            "speaker__speaker_id",
        )
        .order_by("start_ms", "id")
    )
    return {
        "speakers": speakers,
        "segments": segments,
        "activities": list(Activity.objects.filter(project=project).select_related("actor")[:8]),
        "snapshots": list(
            ScriptSnapshot.objects.filter(project=project).select_related("created_by").defer("data")[:5]
        ),
        "pending_imports": list(
            ScriptImport.objects.filter(project=project, status=ScriptImport.Status.PENDING).defer("data")[:3]
        ),
    }
