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
from datetime import timedelta

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
    unassigned_can_edit = models.BooleanField(
        "Editors may edit projects they are not assigned to",
        default=True,
        db_default=True,  # rows written by code that predates the column (a rolling deploy) get it too
        help_text="Off: an editor edits a project's script only when assigned to translate it.",
    )

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
    # The project's last change, its script's included (to the minute: see note_script_change): the
    # project list sorts the person's projects by it, without looking up each one's newest edit.
    last_change_at = models.DateTimeField(default=timezone.now)

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
        self.last_change_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "last_change_at"}
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
        self.updated_at = self.last_change_at = timezone.now()
        Project.objects.filter(pk=self.pk).update(updated_at=self.updated_at, last_change_at=self.updated_at)

    # A script being edited moves its project up the list at most once a minute: one UPDATE of the project's
    # row a minute, not one a save (fifty people saving every second would queue on that row).
    CHANGE_GRAIN = timedelta(minutes=1)

    def note_script_change(self):
        now = timezone.now()
        if self.last_change_at and self.last_change_at > now - self.CHANGE_GRAIN:
            return
        self.last_change_at = now
        Project.objects.filter(pk=self.pk, last_change_at__lt=now - self.CHANGE_GRAIN).update(
            last_change_at=now
        )


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
    # How many segments this speaker has, kept on write with the script's counts (script_summary): the
    # project page shows it without reading the script.
    line_count = models.IntegerField(default=0, editable=False)

    class Meta:
        ordering = ["speaker_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "speaker_id"], name="speaker_id_unique_in_project"),
            # The target of the segment → speaker composite foreign key (migration 0002).
            models.UniqueConstraint(fields=["project", "id"], name="speaker_project_id_pair"),
        ]

    def __str__(self):
        return f"{self.name} (#{self.speaker_id})"

    def save(self, *args, **kwargs):
        # line_count moves only by increments in the database (script_summary): saving a speaker read
        # before someone gave it lines must not put its old count back.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.attname for field in self._meta.concrete_fields
                if not field.primary_key and field.attname != "line_count"
            ]  # fmt: skip
        super().save(*args, **kwargs)


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
    # The last review decision (services/review.py): who made it, when, and why changes were requested.
    review_reason = models.TextField(blank=True, default="", db_default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The quality flags this segment had at its last write, a bit per kind (quality.FLAG_BITS): the
    # script's counts, the problem filter and "next problem" read these instead of checking the script.
    flags = models.PositiveIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Unresolved comment threads on this segment, kept by projects/services/comments.py on every comment
    # write: the editor's rows show it without reading the comments (constant queries, 10 or 3,000 rows).
    open_comment_count = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["start_ms", "id"]
        indexes = [
            models.Index(fields=["project", "start_ms"]),
            # Only the segments with problems: "next problem" walks these in time order.
            models.Index(
                fields=["project", "start_ms", "id"], condition=Q(flags__gt=0), name="segment_problems"
            ),
            # What changed since an open editor last asked (projects/services/presence.py).
            models.Index(fields=["project", "updated_at"], name="segment_changed"),
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
    # The project's team (a project stays in its team), so that My work finds the scripts waiting in the
    # person's teams through an index, without reading every team's.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
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

    class Meta:
        indexes = [
            # "My work": a team's scripts waiting for review, the most waiting first (only those are indexed).
            models.Index(
                fields=["team", "-review_needs_review", "project"],
                condition=Q(review_needs_review__gt=0),
                name="summary_waiting_team",
            )
        ]

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
    # Broken blocks of the file left out of `data`: the file was refused for them, and this import of
    # the rest applies only if the person chooses to skip them (listed in data["skipped"]).
    skipped_blocks = models.PositiveIntegerField(default=0)
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
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            # The team feed: the recent events of many projects, read from the newest back.
            models.Index(fields=["-created_at"], name="activity_time"),
        ]
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
            # The team feed: the recent edits of many projects, read from the newest back.
            models.Index(fields=["-created_at"], name="scriptedit_time"),
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
    # Review gate (services/project_review.py): who sent it although some segments were not approved, and how many.
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_unapproved = models.PositiveIntegerField(null=True, blank=True)
    # A re-translation's script as sent, per segment ([[segment id, start_ms, end_ms, text, speaker_id], …]):
    # Dubformer's body has no segment ids, and the next push form compares against this (services/push_diff.py).
    script_snapshot = CompressedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["status", "next_check_at"]),
            # "My work": the person's own recent jobs.
            models.Index(fields=["created_by", "-id"], name="submission_author_recent"),
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
        from dubweb.logs import register_secret

        from .secrets_box import decrypt

        plain = decrypt(self.encrypted_key)
        register_secret(plain)  # from now on, no log line of this process shows it
        return plain


@receiver(post_delete, sender=Submission)
def _delete_output_copies(sender, instance, **kwargs):
    """A deleted job (or project) leaves no orphan files behind."""
    for field in (instance.output_video_file, instance.output_audio_file):
        if field:
            field.delete(save=False)


class Presence(models.Model):
    """Who has a project's editor open, and on which segment: each open editor reports every few seconds
    (projects/services/presence.py). A row older than a few polls means the person has gone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # No foreign key: the segment may be deleted by someone else while the person is on it.
    segment_id = models.BigIntegerField(null=True, blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_presence_per_editor")]
        indexes = [models.Index(fields=["project", "seen_at"])]

    def __str__(self):
        return f"{self.user} on {self.project}"


class Notification(models.Model):
    """Something a person should see: they were mentioned, asked to review, assigned, or their job ended.
    Written by projects/services/notifications.py; shown in the header's count and on the notifications
    page; also emailed for the kinds in EMAILED, unless the person turned that off."""

    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        REVIEW_REQUESTED = "review_requested", "Review requested"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        ASSIGNED = "assigned", "Assigned to you"
        JOB_FINISHED = "job_finished", "Job finished"
        JOB_FAILED = "job_failed", "Job failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)  # a path inside dubweb, never an outside address
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"]),
            # The header's unread count: only the unread ones are indexed.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return self.text


class NotificationSettings(models.Model):
    """Which notifications a person also gets by email (all of them unless they opt out)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    email_mentions = models.BooleanField("Email me when someone mentions me", default=True)
    email_assignments = models.BooleanField("Email me when I am assigned a project or a review", default=True)
    email_jobs = models.BooleanField("Email me when my provider jobs finish or fail", default=True)

    def __str__(self):
        return f"Notification settings of {self.user}"


class Assignment(models.Model):
    """Who is to translate or review a project, and by when. Managers and owners hand projects out; a team
    may keep editing to the editors assigned (Team.unassigned_can_edit)."""

    class Task(models.TextChoices):
        TRANSLATE = "translate", "Translate"
        REVIEW = "review", "Review"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    task = models.CharField(max_length=16, choices=Task.choices)
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "task"], name="one_assignment_per_task")
        ]
        indexes = [models.Index(fields=["user", "due_date"])]

    def __str__(self):
        return f"{self.user} to {self.task} {self.project}"

    @property
    def overdue(self):
        return bool(self.due_date and self.due_date < timezone.localdate())


class Invitation(models.Model):
    """An invitation to join a team by email. The link carries a random token; only its SHA-256 is
    stored, so a copy of the database opens no team. Used once: accepting, revoking or expiring ends it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "accepted_at", "revoked_at"])]

    def __str__(self):
        return f"{self.email} to {self.team} ({self.get_role_display()})"

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Comment(models.Model):
    """A remark in a project's discussion: on the project, on one segment, or pinned to a time on a job's
    output video. A thread is a root comment and its replies (one level); a thread is resolved as a
    whole (on its root). The body is plain text: projects/comment_text.py turns it into safe HTML."""

    MAX_LENGTH = 5000

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    # No database constraint and no cascade: a segment deleted by an edit leaves its comments in place,
    # and undoing the edit (which re-creates the segment with its old id) brings them back with it.
    segment = models.ForeignKey(
        Segment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="comments",
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    # Where on the submission's output video (replies share their root's anchor).
    at_ms = models.PositiveIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A comment deleted while others had replied to it stays as a placeholder, so the thread still reads.
    deleted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentioned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="mentioned_in", blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["project", "segment"], name="comment_project_segment"),
            models.Index(fields=["submission", "at_ms"], name="comment_submission_time"),
            models.Index(fields=["parent"], name="comment_parent"),
            # The editor's count of open threads (after every save): only those are indexed.
            models.Index(
                fields=["project"],
                condition=Q(parent__isnull=True, resolved_at__isnull=True),
                name="comment_open_threads",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(submission__isnull=True, at_ms__isnull=True)
                | Q(submission__isnull=False, at_ms__isnull=False, segment__isnull=True),
                name="comment_one_anchor",
                violation_error_message="A comment is on a segment, on the project, or at a time of a job's video.",
            ),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author} on {self.project}"

    @property
    def resolved(self):
        return self.resolved_at is not None


class Mention(models.Model):
    """A team member named with @username in a comment (kept for notifications: comments.mentions_for)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="mention_once_per_comment")]
        indexes = [models.Index(fields=["user", "-created_at"], name="mention_user_recent")]

    def __str__(self):
        return f"@{self.user} in comment {self.comment_id}"


def _waveform_path(waveform, filename):
    return f"waveforms/team-{waveform.project.team_id}/project-{waveform.project_id}/{filename}"


class Waveform(models.Model):
    """The audio peaks of one track, computed once by the worker (services/waveforms.py): the project's
    source video, or a finished job's dubbed video or voice track. `generation` counts the requests, so a
    task that a newer request overtook cannot overwrite the newer result."""

    class Track(models.TextChoices):
        SOURCE = "source", "Source video"
        VIDEO = "video", "Dubbed video"
        AUDIO = "audio", "Voice track"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be computed"
        RUNNING = "running", "Computing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="waveforms")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="waveforms"
    )
    track = models.CharField(max_length=8, choices=Track.choices, default=Track.SOURCE)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error_message = models.TextField(blank=True)
    source_url = models.CharField(
        max_length=1000, blank=True, help_text="What the peaks were computed from (a URL or a stored file)."
    )
    generation = models.PositiveIntegerField(default=0)
    peaks_file = models.FileField(upload_to=_waveform_path, max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True, help_text="The source audio's, in Hz.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "track"],
                condition=Q(submission__isnull=True),
                name="waveform_one_per_project_track",
            ),
            models.UniqueConstraint(
                fields=["submission", "track"],
                condition=Q(submission__isnull=False),
                name="waveform_one_per_output",
            ),
        ]

    def __str__(self):
        return f"{self.get_track_display()} waveform of {self.project_id} ({self.status})"


class WorkerHeartbeat(models.Model):
    """When a background worker last took a job, one row per worker host: readiness (projects/health.py)
    answers 503 while no worker has been seen for HEALTH_WORKER_MAX_AGE_S. The scheduled check of provider
    jobs runs every minute, so a running worker is seen at least that often."""

    worker = models.CharField(max_length=200, unique=True, help_text="Host name and cluster name.")
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} seen at {self.seen_at:%Y-%m-%d %H:%M:%S}"
