"""State of the provider sandbox: fake Dubformer projects, fake ModelsLab jobs, balances and failure plans.

Readiness is lazy: a row records when it becomes ready (`ready_at`) and `advance()` moves it on when the
sandbox next looks at it (a poll, an output download, a webhook run). Nothing runs in the background.
"""

from django.db import models
from django.utils import timezone


class Provider(models.TextChoices):
    DUBFORMER = "dubformer", "Dubformer"
    MODELSLAB = "modelslab", "ModelsLab"


class Balance(models.Model):
    """Minutes left on one API key (providers.md 1.6: charged at creation, refunded when a project fails)."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    api_key = models.CharField(max_length=200)
    minutes = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "api_key"], name="sandbox_balance_unique")]

    def __str__(self):
        return f"{self.provider} {self.api_key[:6]}…: {self.minutes} min"


class DubformerProject(models.Model):
    """A project as the Dubformer Platform API reports it (providers.md 1.3-1.5)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        READY = "ready"
        ERROR = "error"

    project_id = models.CharField(max_length=20, unique=True)
    api_key = models.CharField(max_length=200)
    base_url = models.CharField(max_length=300, help_text="Scheme and host the project was created through.")
    name = models.CharField(max_length=500, blank=True)
    source_lang = models.CharField(max_length=10)
    target_lang = models.CharField(max_length=20)
    mixing_mode = models.CharField(max_length=40, default="voiceover_with_original_track")
    source_video_url = models.TextField()
    options = models.JSONField(default=dict, blank=True, help_text="The other create/re-translation flags.")
    duration_s = models.FloatField(default=30.0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    created = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField()
    completed = models.DateTimeField(null=True, blank=True)
    cost_minutes = models.IntegerField(default=0)
    translations_count = models.IntegerField(default=0)
    source_script = models.JSONField(default=list, blank=True)
    target_script = models.JSONField(default=list, blank=True)
    target_speakers = models.JSONField(default=list, blank=True)
    output_video_name = models.CharField(max_length=200, blank=True)
    output_audio_name = models.CharField(max_length=200, blank=True)
    fail_message = models.TextField(blank=True, help_text="When set, the project ends in error with it.")
    error_message = models.TextField(blank=True)
    previous_ready = models.JSONField(
        null=True,
        blank=True,
        help_text="Get Project's answer for the last ready translation (for stale plans).",
    )

    def __str__(self):
        return f"Dubformer project {self.project_id} ({self.status})"

    def advance(self, now=None):
        """Move an in_progress project to ready (or error, refunding its cost) once ready_at has passed."""
        now = now or timezone.now()
        if self.status != self.Status.IN_PROGRESS or now < self.ready_at:
            return False
        self.completed = self.ready_at
        if self.fail_message:
            self.status = self.Status.ERROR
            self.error_message = self.fail_message
            refund(Provider.DUBFORMER, self.api_key, self.cost_minutes)
            self.cost_minutes = 0
        else:
            self.status = self.Status.READY
        self.save()
        return True


class ModelsLabJob(models.Model):
    """A create_dubbing request as ModelsLab's v6 voice API reports it (providers.md 2.2-2.5)."""

    class Status(models.TextChoices):
        PROCESSING = "processing"
        SUCCESS = "success"
        FAILED = "failed"

    job_id = models.BigIntegerField(unique=True, help_text="The top-level `id` of the responses.")
    fetch_id = models.BigIntegerField(
        unique=True, help_text="The id in fetch_result (≠ job_id, as documented)."
    )
    uuid = models.CharField(max_length=36, unique=True)
    api_key = models.CharField(max_length=200)
    base_url = models.CharField(max_length=300, help_text="Scheme and host the job was created through.")
    params = models.JSONField(default=dict, help_text="The request body, without the key.")
    meta = models.JSONField(default=dict, help_text="The `meta` object echoed in responses.")
    duration_s = models.FloatField(default=30.0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROCESSING)
    created = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField()
    eta = models.IntegerField(default=0)
    output_name = models.CharField(max_length=300)
    fail_message = models.TextField(blank=True, help_text="When set, the job ends failed with it.")
    error_message = models.TextField(blank=True)
    webhook_url = models.TextField(blank=True)
    track_id = models.CharField(max_length=100, blank=True)
    webhook_duplicate = models.BooleanField(default=False, help_text="Deliver the webhook twice.")
    webhook_deliveries = models.IntegerField(default=0)
    webhook_last_error = models.TextField(blank=True)

    def __str__(self):
        return f"ModelsLab job {self.job_id} ({self.status})"

    def advance(self, now=None):
        """Move a processing job to success (or failed) once ready_at has passed."""
        now = now or timezone.now()
        if self.status != self.Status.PROCESSING or now < self.ready_at:
            return False
        if self.fail_message:
            self.status = self.Status.FAILED
            self.error_message = self.fail_message
        else:
            self.status = self.Status.SUCCESS
        self.save()
        return True


class IdempotencyRecord(models.Model):
    """The first answer given to a Dubformer POST with an Idempotency-Key, replayed for repeats (1.1)."""

    api_key = models.CharField(max_length=200)
    scope = models.CharField(max_length=100, help_text="Endpoint name, plus the project for re-translations.")
    key = models.CharField(max_length=200)
    response = models.JSONField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "scope", "key"], name="sandbox_idempotency_unique")
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"


class FailurePlan(models.Model):
    """Make the next `remaining` calls of an endpoint fail with `kind`.

    Plans made through control/fail have an empty `match` and are deleted when used up. Plans made by a
    `[sandbox:fail=KINDxN]` marker are keyed on the text carrying it (`match`) and kept at 0, so that the
    same project name / file prefix succeeds from then on.
    """

    KINDS = [
        "401",
        "402",
        "403",
        "429",
        "500",
        "503",
        "timeout",
        "malformed",
        "html503",
        "queue_full",
        "stale",
    ]
    # "stale" is not a failure: Get Project answers the previous translation's `ready` while the new one
    # runs, which Dubformer may do (providers.md §1.4 leaves it open).
    STALE = "stale"

    provider = models.CharField(max_length=20, choices=Provider.choices)
    endpoint = models.CharField(max_length=50, help_text='An endpoint name, or "*" for all.')
    kind = models.CharField(max_length=20, choices=[(k, k) for k in KINDS])
    remaining = models.PositiveIntegerField(default=1)
    match = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.provider}/{self.endpoint}: {self.kind} ×{self.remaining}"


def initial_balance_minutes():
    from django.conf import settings

    return getattr(settings, "SANDBOX_INITIAL_BALANCE_MINUTES", 600)


def balance_for(provider, api_key):
    """The key's Balance row, created with the initial balance on first use."""
    balance, _ = Balance.objects.get_or_create(
        provider=provider, api_key=api_key, defaults={"minutes": initial_balance_minutes()}
    )
    return balance


def refund(provider, api_key, minutes):
    balance = balance_for(provider, api_key)
    Balance.objects.filter(pk=balance.pk).update(minutes=models.F("minutes") + minutes)
