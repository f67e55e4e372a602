"""Teams, projects and their dubbing scripts. Data and invariants only; no HTTP here.

The invariants of a script live in the database, not only in forms: a segment starts at 0 ms or later,
ends after it starts, and its speaker belongs to the same project (a composite foreign key on PostgreSQL,
triggers on SQLite: see migration 0002).
"""

import contextlib
import json
import secrets
import uuid
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from . import languages, video_urls


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_one_per_team")]
        ordering = ["team__name", "user__username"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.get_role_display()})"


def validate_video_url(value):
    """An absolute http(s) URL, or a path on this site (`/static/demo/…`) made absolute when sent; valid
    by RFC 3986 (the contracts' `format: uri`) once percent-encoded, as it is saved (Project.save)."""
    try:
        problem = video_urls.problem(video_urls.normalise(value), relative_ok=True)
    except video_urls.BadURL as error:
        problem = str(error)
    if problem:
        raise ValidationError(problem)


class Project(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        DUBBING = "dubbing", "Dubbing"
        DELIVERED = "delivered", "Delivered"
        ARCHIVED = "archived", "Archived"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    source_video_url = models.CharField(
        "source video URL",
        max_length=1000,
        blank=True,
        validators=[validate_video_url],
        help_text="A direct link to the video file (or a YouTube URL for Dubformer).",
    )
    video_duration_ms = models.PositiveIntegerField(
        "video duration (ms)", null=True, blank=True, help_text="When known, timings are checked against it."
    )
    source_language = models.CharField(max_length=8, choices=languages.CHOICES)
    target_language = models.CharField(max_length=8, choices=languages.CHOICES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    dubformer_project_id = models.CharField("Dubformer project id", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["team", "-updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source_language=F("target_language")),
                name="project_languages_differ",
                violation_error_message="The target language must differ from the source language.",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Stored as the providers' contracts want it (`format: uri`): spaces, accents, brackets encoded.
        # One that cannot be encoded is left as typed: validation says why, and a request carrying it is refused.
        with contextlib.suppress(video_urls.BadURL):
            self.source_video_url = video_urls.normalise(self.source_video_url)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    @property
    def source_language_name(self):
        return languages.name(self.source_language)

    @property
    def target_language_name(self):
        return languages.name(self.target_language)

    def touch(self):
        """Mark the project as changed now (its script changed): the list sorts and shows by this."""
        self.updated_at = timezone.now()
        Project.objects.filter(pk=self.pk).update(updated_at=self.updated_at)


class Speaker(models.Model):
    class Style(models.TextChoices):
        MASCULINE = "masculine", "Masculine"
        FEMININE = "feminine", "Feminine"

    SOUNDALIKE = "soundalike"
    EMOTIONAL_TRANSFER = "emotional_transfer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="speakers")
    speaker_id = models.PositiveIntegerField(help_text="The number the providers use for this speaker.")
    name = models.CharField(max_length=120)
    style = models.CharField(max_length=16, choices=Style.choices, default=Style.FEMININE)
    voice_key = models.CharField(
        "Dubformer voice key",
        max_length=200,
        blank=True,
        help_text="“soundalike”, “emotional_transfer” or a key from Dubformer's voice catalogue.",
    )
    modelslab_voice_id = models.CharField("ModelsLab voice id", max_length=200, blank=True)

    class Meta:
        ordering = ["speaker_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "speaker_id"], name="speaker_id_unique_in_project"),
            # The target of the segment → speaker composite foreign key (migration 0002).
            models.UniqueConstraint(fields=["project", "id"], name="speaker_project_id_pair"),
        ]

    def __str__(self):
        return f"{self.name} (#{self.speaker_id})"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    NEEDS_REVIEW = "needs_review", "Needs review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Segment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="segments")
    start_ms = models.IntegerField()
    end_ms = models.IntegerField()
    source_text = models.TextField(blank=True)
    target_text = models.TextField(blank=True)
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, null=True, blank=True, related_name="segments"
    )
    # Bumped by every save: a save that carries an older version is a conflict, not an overwrite.
    version = models.PositiveIntegerField(default=1)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    # The quality flags this segment had at its last write, a bit per kind (quality.FLAG_BITS): the
    # script's counts, the problem filter and "next problem" read these instead of checking the script.
    flags = models.PositiveIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_ms", "id"]
        indexes = [
            models.Index(fields=["project", "start_ms"]),
            # Only the segments with problems: "next problem" walks these in time order.
            models.Index(
                fields=["project", "start_ms", "id"], condition=Q(flags__gt=0), name="segment_problems"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_ms__gte=0),
                name="segment_starts_at_or_after_zero",
                violation_error_message="A segment cannot start before 0.",
            ),
            models.CheckConstraint(
                condition=Q(end_ms__gt=F("start_ms")),
                name="segment_ends_after_start",
                violation_error_message="A segment must end after it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.start_ms}–{self.end_ms} ms"

    @property
    def duration_ms(self):
        return self.end_ms - self.start_ms

    def clean(self):
        super().clean()
        if self.speaker_id and self.project_id and self.speaker.project_id != self.project_id:
            raise ValidationError({"speaker": "This speaker belongs to another project."})


class ScriptSummary(models.Model):
    """A project's script in figures, kept up to date by every write of its segments (in the same
    transaction: projects/services/script_summary.py), so that pages read them instead of the script."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="+")
    segments = models.IntegerField(default=0)
    review_draft = models.IntegerField(default=0)
    review_needs_review = models.IntegerField(default=0)
    review_approved = models.IntegerField(default=0)
    review_changes_requested = models.IntegerField(default=0)
    # Segments with each flag (quality.FLAG_KINDS).
    flag_fit = models.IntegerField(default=0)
    flag_cps = models.IntegerField(default=0)
    flag_overlap = models.IntegerField(default=0)
    flag_too_short = models.IntegerField(default=0)
    flag_too_long = models.IntegerField(default=0)
    flag_gap = models.IntegerField(default=0)
    flag_empty = models.IntegerField(default=0)
    flag_no_speaker = models.IntegerField(default=0)
    flag_past_end = models.IntegerField(default=0)

    def __str__(self):
        return f"Summary of project {self.project_id}"


class CompressedJSONField(models.BinaryField):
    """JSON kept zlib-compressed: for whole scripts that are stored and read back but never queried
    inside. A 5,000-segment script is ~1 MB as JSON and ~150 kB compressed, and storing it is several
    times faster than as jsonb."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(zlib.decompress(bytes(value)))

    def get_prep_value(self, value):
        if value is None:
            return None
        return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 1)

    def to_python(self, value):
        return value


class ScriptSnapshot(models.Model):
    """A whole script as it was before something replaced it (an import, a restore)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="snapshots")
    reason = models.CharField(max_length=200)
    # {"speakers": [...], "segments": [...]} in the shape of projects.services.script_formats.Script.
    data = CompressedJSONField()
    segment_count = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Backup of {self.project} ({self.reason})"


class ScriptImport(models.Model):
    """An uploaded script file, checked and waiting for the user to confirm that it replaces the script."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLIED = "applied", "Applied"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=16)
    text_column = models.CharField(max_length=16, default="target")
    data = CompressedJSONField()
    notices = models.JSONField(default=list)
    segment_count = models.PositiveIntegerField()
    speaker_count = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    snapshot = models.ForeignKey(
        ScriptSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename} → {self.project}"


class Activity(models.Model):
    """An event of a project that is not a change of its data (a job asked for, finished, stopped): who,
    what, when. Changes of segments, speakers and settings are ScriptEdit records (see there why)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.message


class ScriptEdit(models.Model):
    """One change by one person, with what it changed before and after: THE audit trail of a project.

    Why one trail and which: dubweb had three. `ScriptEdit` (segments before/after, for undo and redo),
    `Activity` (one line of text per event, no before/after) and django-simple-history (a full copy of a
    project or speaker on every save, without the segments). Only ScriptEdit could answer "what did this
    segment say before, and who changed it", and undo already depends on it, so it was extended to
    speakers and project settings (`kind`) and simple-history was dropped (migration 0009_h copies its
    rows in here). Activity stays only for what is an event rather than a change of data (a job asked
    for, finished, stopped): the project and team feeds (projects/feed.py) read both, and anything a
    later feature adds through the feed's registry.

    `kind` says what `before` and `after` hold, each a list of states:
    - "segments": {"id", "start_ms", "end_ms", "source_text", "target_text", "speaker_id",
      "review_status"} (speaker_id is the Speaker's pk); undo and redo replay these, and only these.
    - "restore": the same states, for a segment put back as it was at an earlier change (its history
      panel); undone and redone like "segments" edits.
    - "undo" / "redo": the same states, recorded when a person undoes or redoes a "segments" edit (that
      edit is marked `undone` as before; this record says who put what back, and when).
    - "speakers": {"id", "speaker_id", "name", "style", "voice_key", "modelslab_voice_id"}.
    - "project": {"id", and the settings that changed}.
    - "script": a whole script replaced (an import, a restored backup, an import from Dubformer): the
      scripts are kept whole elsewhere, so before is [{"backup": ScriptSnapshot id}] (empty when there
      was no script) and after names where the new one came from ([{"import": ScriptImport id}],
      [{"backup": id}], or empty).
    Each segment a "segments", "restore", "undo" or "redo" record touches has a row in EditedSegment."""

    class Kind(models.TextChoices):
        SEGMENTS = "segments", "Segments"
        RESTORE = "restore", "Restore of an earlier version"
        UNDO = "undo", "Undo"
        REDO = "redo", "Redo"
        SPEAKERS = "speakers", "Speakers"
        PROJECT = "project", "Project settings"
        SCRIPT = "script", "Whole script"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SEGMENTS, db_default="segments")
    label = models.CharField(max_length=200)
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)
    undone = models.BooleanField(default=False)
    # When it was undone: redo takes the edit undone last (if no newer edit has been made since).
    undone_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["project", "user", "-id"]),
            # The feeds: newest first, per project.
            models.Index(fields=["project", "-created_at"], name="scriptedit_project_time"),
        ]

    def __str__(self):
        return self.label


class EditedSegment(models.Model):
    """Which segments a ScriptEdit touched: a segment's history is one index read here.

    A link table rather than a JSON containment query on `before`/`after`: SQLite has no JSON
    containment lookup (Django refuses `contains` on its JSONField), and on PostgreSQL a GIN index on
    two JSON columns would cost every save more than this narrow row. `segment_id` is not a foreign key:
    the history of a segment outlives the segment (a merge or a delete can be undone, or restored)."""

    edit = models.ForeignKey(ScriptEdit, on_delete=models.CASCADE, related_name="segment_links")
    segment_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["segment_id", "-edit"], name="editedsegment_segment_edit")]
        constraints = [models.UniqueConstraint(fields=["edit", "segment_id"], name="editedsegment_once")]

    def __str__(self):
        return f"Segment {self.segment_id} in edit {self.edit_id}"


def _new_token():
    return secrets.token_urlsafe(24)


def _output_path(submission, filename):
    return f"outputs/team-{submission.project.team_id}/project-{submission.project_id}/{filename}"


class Submission(models.Model):
    """One action sent to a provider, followed to its end: what was asked, what was sent (keys masked),
    what came back, and where it stands. The worker's state lives here, not in the queue."""

    class Provider(models.TextChoices):
        DUBFORMER = "dubformer", "Dubformer"
        MODELSLAB = "modelslab", "ModelsLab"

    class Kind(models.TextChoices):
        CREATE_PROJECT = "create_project", "Create on Dubformer"
        RETRANSLATE = "retranslate", "Re-translation"
        IMPORT = "import", "Import from Dubformer"
        NEW_DUB = "new_dub", "New ModelsLab dub"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        WAITING = "waiting", "Waiting for the provider"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    class OutputCopy(models.TextChoices):
        NONE = "", "No output"
        PENDING = "pending", "Keeping a copy"
        KEPT = "kept", "Copy kept"
        FAILED = "failed", "Copy failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="submissions")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    options = models.JSONField(default=dict, help_text="What the person chose (mixing mode, voice, speed…).")
    request = models.JSONField(null=True, blank=True, help_text="The body as sent, keys masked.")
    responses = models.JSONField(
        default=list, help_text="What the provider answered, newest last, keys masked."
    )
    provider_job_id = models.CharField(max_length=100, blank=True)
    fetch_url = models.URLField(max_length=500, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    # In the ModelsLab webhook URL: the webhook is unsigned, so only this unguessable token finds the job.
    webhook_token = models.CharField(max_length=64, default=_new_token, unique=True, editable=False)
    cost_minutes = models.FloatField(null=True, blank=True)
    balance_minutes = models.FloatField(null=True, blank=True)
    estimated_completion = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When dubweb first began sending it to the provider."
    )
    attempts = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    output_video_url = models.URLField(max_length=1000, blank=True)
    output_audio_url = models.URLField(max_length=1000, blank=True)
    # dubweb's own copy of the outputs (provider links may expire): see services/outputs.py.
    output_copy = models.CharField(max_length=8, choices=OutputCopy.choices, blank=True, default="")
    output_copy_error = models.TextField(blank=True)
    output_video_file = models.FileField(upload_to=_output_path, max_length=300, blank=True)
    output_audio_file = models.FileField(upload_to=_output_path, max_length=300, blank=True)
    script_edit_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The last script edit included: the script version it was built from.",
    )
    sandbox = models.BooleanField(
        default=False, help_text="Sent to dubweb's provider sandbox, not the real service."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["status", "next_check_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.project} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in self.FINISHED

    @property
    def busy(self):
        """Still changing: the job runs, or its output is being copied (the page keeps polling)."""
        return not self.finished or self.output_copy == self.OutputCopy.PENDING


class ProviderCredential(models.Model):
    """A team's own key for a provider, encrypted at rest (projects/secrets_box.py); without one, the
    key from the environment (or the sandbox's) is used."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=16, choices=Submission.Provider.choices)
    encrypted_key = models.TextField()
    key_hint = models.CharField(max_length=8, help_text="The key's last characters, to recognise it.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "provider"], name="one_credential_per_provider")
        ]

    def __str__(self):
        return f"{self.get_provider_display()} key of {self.team} (…{self.key_hint})"

    def set_key(self, plain):
        from .secrets_box import encrypt

        self.encrypted_key = encrypt(plain)
        self.key_hint = plain[-4:] if len(plain) > 8 else ""

    def key(self):
        from .secrets_box import decrypt

        return decrypt(self.encrypted_key)


@receiver(post_delete, sender=Submission)
def _delete_output_copies(sender, instance, **kwargs):
    """A deleted job (or project) leaves no orphan files behind."""
    for field in (instance.output_video_file, instance.output_audio_file):
        if field:
            field.delete(save=False)
