from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Activity,
    Comment,
    EditedSegment,
    Membership,
    Project,
    Role,
    ScriptEdit,
    ScriptImport,
    ScriptSnapshot,
    Segment,
    Speaker,
    Submission,
    Team,
)
from .services import changes, editing, teams

# --- support work in the admin lands in the project's one trail, like the app's own changes -----------


def _trail_state(obj):
    """(kind, state) of a project, speaker or segment for the trail."""
    if isinstance(obj, Project):
        return ScriptEdit.Kind.PROJECT, changes.project_settings(obj)
    if isinstance(obj, Speaker):
        return ScriptEdit.Kind.SPEAKERS, changes.speaker_state(obj)
    return ScriptEdit.Kind.SEGMENTS, editing.state(obj)


def _record_admin_change(user, obj, before, after, project):
    kind, _ = _trail_state(obj)
    if before == after:
        return
    if before and after:
        before, after, names = changes.changed_only(before, after)
        what = f"Changed {', '.join(names).replace('_', ' ')}"
    else:
        what = "Added" if after else "Deleted"
    label = f"{what} in the admin: {obj._meta.verbose_name} “{obj}”"
    changes.record(project, user, kind, label, [before] if before else [], [after] if after else [])


def _project_of(obj):
    return obj if isinstance(obj, Project) else obj.project


class RecordedInTrail:
    """A ModelAdmin mixin: every save and delete (inlines and bulk deletes too) is recorded, with the
    object before and after, by the admin user."""

    def _stored(self, obj):
        stored = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
        return _trail_state(stored)[1] if stored else None

    def save_model(self, request, obj, form, change):
        before = self._stored(obj)
        super().save_model(request, obj, form, change)
        _record_admin_change(request.user, obj, before, _trail_state(obj)[1], _project_of(obj))

    def delete_model(self, request, obj):
        before, project = _trail_state(obj)[1], _project_of(obj)
        super().delete_model(request, obj)
        if not isinstance(obj, Project):  # a deleted project takes its trail with it
            _record_admin_change(request.user, obj, before, None, project)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        stored = (
            {obj.pk: self._stored(obj) for obj in formset.queryset} if formset.queryset is not None else {}
        )
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            before, project = stored.get(obj.pk), _project_of(obj)
            obj.delete()
            _record_admin_change(request.user, obj, before, None, project)
        for obj in instances:
            before = stored.get(obj.pk)
            obj.save()
            _record_admin_change(request.user, obj, before, _trail_state(obj)[1], _project_of(obj))
        formset.save_m2m()


# --- the last owner of a team stays its owner, in the admin too (services/teams.py) ---------------------


class MembershipForm(forms.ModelForm):
    """A membership changed in the admin: its team's last owner can be neither demoted nor moved away."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = Membership.objects.select_related("user", "team").get(pk=self.instance.pk)
            if cleaned.get("role") != stored.role or cleaned.get("team", stored.team) != stored.team:
                refusal = teams.last_owner_refusal([stored])
                if refusal:
                    raise forms.ValidationError(refusal)
        return cleaned


class TeamMembershipsFormSet(forms.BaseInlineFormSet):
    """A team's members edited on its page: a team that has an owner keeps at least one."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if any(form.cleaned_data.get("role") == Role.OWNER for form in kept):
            return
        stored = Membership.objects.filter(team=self.instance).select_related("user", "team")
        refusal = teams.last_owner_refusal(list(stored))
        if refusal:
            raise forms.ValidationError(refusal)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = TeamMembershipsFormSet
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
    form = MembershipForm
    actions = ["delete_selected"]  # this class's, in place of Django's (below)
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]

    def delete_view(self, request, object_id, extra_context=None):
        membership = self.get_object(request, object_id)
        refusal = teams.last_owner_refusal([membership]) if membership else None
        if refusal:
            self.message_user(request, f"Not deleted: {refusal}", messages.ERROR)
            return redirect("admin:projects_membership_change", membership.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Delete selected memberships", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's bulk delete (confirmation page and all), unless it would take a team's last owner."""
        refusal = teams.last_owner_refusal(list(queryset.select_related("user", "team")))
        if refusal:
            self.message_user(request, f"Nothing deleted: {refusal}", messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)


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
class ProjectAdmin(RecordedInTrail, admin.ModelAdmin):
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
class SpeakerAdmin(RecordedInTrail, admin.ModelAdmin):
    list_display = ["name", "speaker_id", "project", "style", "voice_key", "modelslab_voice_id"]
    list_filter = ["style", "project__team"]
    search_fields = ["name", "voice_key", "project__title"]
    raw_id_fields = ["project"]


@admin.register(Segment)
class SegmentAdmin(RecordedInTrail, admin.ModelAdmin):
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


from .models import Invitation  # noqa: E402


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """For support: who was invited where, and what became of it. Links are not recoverable (only
    their hash is stored); invite again from the team page."""

    list_display = [
        "email",
        "team",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    readonly_fields = ["token_hash", "invited_by", "accepted_by", "accepted_at", "created_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "author", "segment_id", "submission", "at_ms", "resolved_at"]
    list_filter = ["resolved_at"]
    search_fields = ["project__title", "body", "author__username"]
    raw_id_fields = ["project", "segment", "submission", "parent", "author", "resolved_by"]


@admin.register(ScriptEdit)
class ScriptEditAdmin(admin.ModelAdmin):
    """The audit trail, read-only: it is written by the app (and by the admin's own saves above)."""

    list_display = ["created_at", "project", "user", "kind", "label", "undone"]
    list_filter = ["kind", "undone"]
    search_fields = ["label", "project__title", "user__username"]
    list_select_related = ["project", "user"]
    readonly_fields = [
        "project",
        "user",
        "kind",
        "label",
        "before",
        "after",
        "undone",
        "undone_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(EditedSegment)
