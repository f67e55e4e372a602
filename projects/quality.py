"""Per-segment quality checks for a dubbing script. Pure functions: no Django, no database.

A segment is any object with `start_ms`, `end_ms`, `target_text` and `speaker_id` (None when no speaker
is set); `check_script` also reads `pk`. Each check is one small function returning a `Flag` or None;
`check_segment` runs them in `FLAG_KINDS` order.

Every threshold lives in this section. Defaults (see `Thresholds`):

    max_cps            17 chars/s (ja 9, zh 7, ko 9)  reading speed of the target text
    speech_cps         per language, table below      how fast a voice speaks the target language
    min_duration_ms    500                            shorter segments are "too_short"
    max_duration_ms    7000                           longer segments are "too_long"
    min_gap_ms         80                             0 <= gap to the previous segment < 80 is "gap"
    max_speedup        1.15                           the voice may speak up to 15 % faster than natural
    FIT_ERROR_SPEEDUP  1.5                            above this, "fit" is an error, not a warning

Characters are counted without whitespace or line breaks (`text_length`).
"""

import math
from dataclasses import dataclass

from projects.timecodes import format_timecode

FLAG_KINDS: dict[str, str] = {
    "fit": "Too long to speak",
    "cps": "Reading speed",
    "overlap": "Overlap",
    "too_short": "Too short",
    "too_long": "Too long",
    "gap": "Tight gap",
    "empty": "No text",
    "no_speaker": "No speaker",
    "past_end": "Past video end",
}

ERROR = "error"
WARNING = "warning"

# A line that needs more than this speed-up cannot be saved by the voice actor or TTS: it must be cut.
FIT_ERROR_SPEEDUP = 1.5

# Per language (the part of the BCP-47 tag before "-"): (speech_cps, max_cps).
#
#   lang  speech_cps  max_cps        lang  speech_cps  max_cps
#   en    14.5        17             ru    12.5        17
#   fr    14.0        17             pl    12.5        17
#   es    15.0        17             tr    13.0        17
#   it    14.5        17             ar    12.0        17
#   pt    14.5        17             hi    12.5        17
#   de    13.0        17             ja     7.5         9
#   nl    13.5        17             zh     5.0         7
#   other 13.0        17             ko     7.0         9
#
# speech_cps is characters (without spaces) a voice speaks per second at a natural pace; CJK scripts
# pack a syllable or more into one character, hence the low figures for ja, zh and ko.
DEFAULT_SPEECH_CPS = 13.0
DEFAULT_MAX_CPS = 17.0
LANGUAGE_RATES: dict[str, tuple[float, float]] = {
    "en": (14.5, 17.0),
    "fr": (14.0, 17.0),
    "es": (15.0, 17.0),
    "it": (14.5, 17.0),
    "pt": (14.5, 17.0),
    "de": (13.0, 17.0),
    "nl": (13.5, 17.0),
    "ru": (12.5, 17.0),
    "pl": (12.5, 17.0),
    "tr": (13.0, 17.0),
    "ar": (12.0, 17.0),
    "hi": (12.5, 17.0),
    "ja": (7.5, 9.0),
    "zh": (5.0, 7.0),
    "ko": (7.0, 9.0),
}


@dataclass(frozen=True)
class Thresholds:
    max_cps: float  # max reading speed, characters per second of target text
    speech_cps: float  # speaking rate of the target language: characters spoken per second
    min_duration_ms: int = 500
    max_duration_ms: int = 7000
    min_gap_ms: int = 80  # a gap to the previous segment below this (and >= 0) is "tight"
    max_speedup: float = 1.15  # "fit" flag when the voice would need to speak faster than this


def thresholds_for(language_code: str) -> Thresholds:
    """The thresholds for a BCP-47 tag (`fr-FR`, `ja-JP`); unknown languages get the defaults."""
    language = (language_code or "").replace("_", "-").split("-")[0].lower()
    speech_cps, max_cps = LANGUAGE_RATES.get(language, (DEFAULT_SPEECH_CPS, DEFAULT_MAX_CPS))
    return Thresholds(max_cps=max_cps, speech_cps=speech_cps)


@dataclass(frozen=True)
class Flag:
    kind: str  # one of FLAG_KINDS
    severity: str  # ERROR or WARNING
    message: str  # a short sentence for a person


# --- Measures ---------------------------------------------------------------------------------------


def text_length(text: str) -> int:
    """Characters that count: everything except whitespace and line breaks."""
    return len("".join(text.split())) if text else 0


def speech_ms(text: str, thresholds: Thresholds) -> int:
    """Estimated milliseconds a voice needs to speak `text` at the language's natural pace."""
    return _speech_ms(text_length(text), thresholds)


def speedup_needed(text: str, duration_ms: int, thresholds: Thresholds) -> float:
    """How much faster than natural the voice must speak to fit `duration_ms` (1.0 = natural pace)."""
    return _speedup(text_length(text), duration_ms, thresholds)


def _speech_ms(length, thresholds):
    return round(length * 1000 / thresholds.speech_cps)


def _speedup(length, duration_ms, thresholds):
    if not length:
        return 0.0
    return round(_speech_ms(length, thresholds) / max(duration_ms, 1), 2)


def _seconds(ms: int) -> str:
    """`0.25 s`, `7 s`, `7.001 s`: exact to the millisecond, so an edge case never reads as the limit."""
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".") + " s"


def _rate(chars_per_second: float, limit: float) -> str:
    """`21` — or `17.1` when the whole number would not read as above `limit`."""
    if round(chars_per_second) > limit:
        return f"{round(chars_per_second)}"
    return f"{math.ceil(chars_per_second * 10) / 10:g}"


# --- Checks: each returns a Flag or None ---------------------------------------------------------


def _check_fit(length, duration_ms, thresholds):
    speedup = _speedup(length, duration_ms, thresholds)
    if speedup <= thresholds.max_speedup:
        return None
    severity = ERROR if speedup > FIT_ERROR_SPEEDUP else WARNING
    needed_s = _speech_ms(length, thresholds) / 1000
    message = f"Needs {speedup:.1f}× to fit ({needed_s:.1f} s of speech in {duration_ms / 1000:.1f} s)."
    return Flag("fit", severity, message)


def _check_cps(length, duration_ms, thresholds):
    cps = length * 1000 / max(duration_ms, 1)
    if cps <= thresholds.max_cps:
        return None
    message = f"Reading speed {_rate(cps, thresholds.max_cps)} chars/s (max {thresholds.max_cps:g})."
    return Flag("cps", WARNING, message)


def _check_overlap(segment, previous):
    if previous is None or previous.end_ms <= segment.start_ms:
        return None
    overlap_ms = previous.end_ms - segment.start_ms
    return Flag("overlap", ERROR, f"Overlaps the previous segment by {_seconds(overlap_ms)}.")


def _check_too_short(duration_ms, thresholds):
    if duration_ms >= thresholds.min_duration_ms:
        return None
    message = f"Lasts only {_seconds(duration_ms)} (min {_seconds(thresholds.min_duration_ms)})."
    return Flag("too_short", WARNING, message)


def _check_too_long(duration_ms, thresholds):
    if duration_ms <= thresholds.max_duration_ms:
        return None
    message = f"Lasts {_seconds(duration_ms)} (max {_seconds(thresholds.max_duration_ms)})."
    return Flag("too_long", WARNING, message)


def _check_gap(segment, previous, thresholds):
    if previous is None:
        return None
    gap_ms = segment.start_ms - previous.end_ms
    if not 0 <= gap_ms < thresholds.min_gap_ms:
        return None
    return Flag("gap", WARNING, f"Only {gap_ms} ms after the previous segment.")


def _check_no_speaker(segment):
    if segment.speaker_id is not None:
        return None
    return Flag("no_speaker", WARNING, "No speaker.")


def _check_past_end(segment, video_duration_ms):
    if not video_duration_ms or segment.end_ms <= video_duration_ms:
        return None
    over = _seconds(segment.end_ms - video_duration_ms)
    message = f"Ends after the video ({over} past its end at {format_timecode(video_duration_ms)})."
    return Flag("past_end", ERROR, message)


def check_segment(segment, previous, thresholds: Thresholds, *, video_duration_ms=None) -> list[Flag]:
    """The flags for one segment, in FLAG_KINDS order. `previous` is the segment just before it, or None."""
    duration_ms = segment.end_ms - segment.start_ms
    length = text_length(segment.target_text)
    empty = length == 0  # nothing but whitespace: the speed checks have nothing to measure
    candidates = [
        None if empty else _check_fit(length, duration_ms, thresholds),
        None if empty else _check_cps(length, duration_ms, thresholds),
        _check_overlap(segment, previous),
        _check_too_short(duration_ms, thresholds),
        _check_too_long(duration_ms, thresholds),
        _check_gap(segment, previous, thresholds),
        Flag("empty", ERROR, "No translated text.") if empty else None,
        _check_no_speaker(segment),
        _check_past_end(segment, video_duration_ms),
    ]
    return [flag for flag in candidates if flag is not None]


def check_script(segments, thresholds: Thresholds, *, video_duration_ms=None) -> dict[int, list[Flag]]:
    """{pk: flags} for the segments (in time order) that have any flags."""
    flags_by_pk = {}
    previous = None
    for segment in segments:
        flags = check_segment(segment, previous, thresholds, video_duration_ms=video_duration_ms)
        if flags:
            flags_by_pk[segment.pk] = flags
        previous = segment
    return flags_by_pk


def summarize(flags_by_pk: dict) -> dict[str, int]:
    """How many flags of each kind, for every kind in FLAG_KINDS order (0 for kinds with none)."""
    counts = dict.fromkeys(FLAG_KINDS, 0)
    for flags in flags_by_pk.values():
        for flag in flags:
            counts[flag.kind] += 1
    return counts


# --- Stored flags: one bit per kind, kept on each segment so counts and filters need no re-check ------

FLAG_BITS: dict[str, int] = {kind: 1 << index for index, kind in enumerate(FLAG_KINDS)}


def flag_bits(flags) -> int:
    """The flags (as `check_segment` returns them) as one integer, a bit per kind."""
    bits = 0
    for flag in flags:
        bits |= FLAG_BITS[flag.kind]
    return bits


def kinds_of(bits: int) -> list[str]:
    """The kinds whose bit is set, in FLAG_KINDS order."""
    return [kind for kind, bit in FLAG_BITS.items() if bits & bit]
