from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Activity,
    Membership,
    Project,
    ScriptImport,
    ScriptSnapshot,
    Segment,
    Speaker,
    Submission,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    fields = ["speaker_id", "name", "style", "voice_key", "modelslab_voice_id"]


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    fields = ["start_ms", "end_ms", "speaker", "source_text", "target_text", "review_status", "version"]
    readonly_fields = ["version"]
    show_change_link = True
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the speakers of the project being edited.
        if db_field.name == "speaker" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Speaker.objects.filter(project_id=request.resolver_match.kwargs["object_id"])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "team",
        "source_language",
        "target_language",
        "status",
        "dubformer_project_id",
        "updated_at",
    ]
    list_filter = ["status", "team", "source_language", "target_language"]
    search_fields = ["title", "dubformer_project_id", "team__name"]
    date_hierarchy = "created_at"
    raw_id_fields = ["created_by"]
    inlines = [SpeakerInline, SegmentInline]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "speaker_id", "project", "style", "voice_key", "modelslab_voice_id"]
    list_filter = ["style", "project__team"]
    search_fields = ["name", "voice_key", "project__title"]
    raw_id_fields = ["project"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "speaker", "short_target", "review_status", "version", "updated_at"]
    list_filter = ["review_status", "project__team"]
    search_fields = ["source_text", "target_text", "project__title"]
    raw_id_fields = ["project", "speaker"]
    list_select_related = ["project", "speaker"]

    @admin.display(description="target text")
    def short_target(self, segment):
        return segment.target_text[:80]


@admin.register(ScriptSnapshot)
class ScriptSnapshotAdmin(admin.ModelAdmin):
    list_display = ["project", "reason", "segment_count", "created_by", "created_at"]
    search_fields = ["project__title", "reason"]
    raw_id_fields = ["project", "created_by"]
    exclude = ["data"]


@admin.register(ScriptImport)
class ScriptImportAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "project",
        "file_format",
        "status",
        "segment_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "file_format"]
    search_fields = ["filename", "project__title"]
    raw_id_fields = ["project", "created_by", "snapshot"]
    exclude = ["data"]
    readonly_fields = ["notices"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project_link", "actor", "verb", "message"]
    list_filter = ["verb"]
    search_fields = ["message", "project__title", "actor__username"]
    raw_id_fields = ["project", "actor"]

    @admin.display(description="project")
    def project_link(self, activity):
        url = reverse("admin:projects_project_change", args=[activity.project_id])
        return format_html('<a href="{}">{}</a>', url, activity.project)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "project",
        "provider",
        "kind",
        "status",
        "provider_job_id",
        "sandbox",
        "created_by",
    ]
    list_filter = ["provider", "kind", "status", "sandbox"]
    search_fields = ["project__title", "provider_job_id", "error_message"]
    raw_id_fields = ["project", "created_by"]
    readonly_fields = ["idempotency_key", "webhook_token", "request", "responses"]
