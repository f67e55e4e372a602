"""The minutes a push will cost, as the providers' contracts state it (/work/shared/providers.md).

Dubformer bills minutes of source video (`cost_minutes`, `balance_minutes`): a project is charged when it is
created, by its video's duration; a re-translation "typically" costs nothing more (its create answer says
`cost_minutes` is typically 0), and failed projects are not charged (§1.5, §1.6). The contract gives no
rounding rule, so the video's minutes are shown to one decimal, and the job shows the cost Dubformer states
when it takes the push. ModelsLab's contract states no price per minute: only the video's length is shown.
"""

from dataclasses import dataclass

from django.db.models import Max

from ..models import Segment, Submission

Kind = Submission.Kind


@dataclass(frozen=True)
class PushCost:
    video_minutes: float | None  # the project's duration, in minutes (None: not known, and no script)
    from_script: bool  # the duration is not set on the project: the script's last end stands in for it
    charged_minutes: float | None  # what the provider's contract says it charges (None: it does not say)
    balance_minutes: float | None  # the provider's balance as its latest answer stated it
    provider: str


def estimate(project, kind, *, script_end_ms=None):
    """What `kind` will cost for `project`. `script_end_ms`: the script's last end, when the caller has the
    script (else read, one query, only when the project's duration is not set)."""
    duration_ms, from_script = project.video_duration_ms, False
    if not duration_ms:
        if script_end_ms is None:
            script_end_ms = Segment.objects.filter(project=project).aggregate(end=Max("end_ms"))["end"]
        duration_ms, from_script = script_end_ms, True
    minutes = round(duration_ms / 60_000, 1) if duration_ms else None
    charged = {Kind.RETRANSLATE: 0.0, Kind.CREATE_PROJECT: minutes}.get(kind)
    provider = Submission.Provider.MODELSLAB if kind == Kind.NEW_DUB else Submission.Provider.DUBFORMER
    balance = (
        Submission.objects.filter(project__team_id=project.team_id, provider=provider)
        .exclude(balance_minutes=None)
        .order_by("-created_at", "-id")
        .values_list("balance_minutes", flat=True)
        .first()
    )
    return PushCost(minutes, from_script, charged, balance, Submission.Provider(provider).label)
