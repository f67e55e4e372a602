"""Timecodes as people type them, to and from integer milliseconds. Pure functions."""

import re

_TIMECODE = re.compile(
    r"""^\s*
    (?:(?:(?P<hours>\d{1,9}):)?(?P<minutes>\d{1,9}):)?   # optional [H:]M: (9 digits: a day is fewer,
    (?P<seconds>\d{1,9})                                # and int() refuses thousands of digits)
    (?:[.,](?P<fraction>\d{1,3}))?              # .345 or ,345 (SRT)
    \s*$""",
    re.VERBOSE,
)


# Scripts are stored as 32-bit milliseconds; no video we dub is a day long.
MAX_MS = 24 * 3600 * 1000


class TimecodeError(ValueError):
    pass


def check_range(ms, label="time"):
    """`ms` itself if it lies from 0 up to 24 hours; TimecodeError otherwise."""
    if ms < 0:
        raise TimecodeError(f"The {label} cannot be before 0.")
    if ms > MAX_MS:
        raise TimecodeError(f"The {label} {format_timecode(ms)} is past 24 hours.")
    return ms


def parse_timecode(text):
    """Milliseconds from `1:02.345`, `62.345`, `00:01:02,345`, `01:02:03.004` or `62`.

    Seconds (and minutes, when hours are given) must be below 60 once a larger unit is written."""
    if text is None:
        raise TimecodeError("No time given.")
    match = _TIMECODE.match(str(text))
    if not match:
        shown = str(text) if len(str(text)) <= 40 else str(text)[:39] + "…"
        raise TimecodeError(f"“{shown}” is not a time. Write it like 1:02.345 or 00:01:02,345.")
    hours = int(match["hours"] or 0)
    minutes = int(match["minutes"] or 0)
    seconds = int(match["seconds"])
    if match["minutes"] is not None and seconds >= 60:
        raise TimecodeError(f"“{text}”: seconds must be below 60.")
    if match["hours"] is not None and minutes >= 60:
        raise TimecodeError(f"“{text}”: minutes must be below 60.")
    fraction_ms = int((match["fraction"] or "0").ljust(3, "0"))
    if hours > 24:
        raise TimecodeError(f"“{text}” is past 24 hours.")
    return check_range(((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction_ms)


def format_timecode(ms, separator="."):
    """The canonical form, `HH:MM:SS.mmm` (`,` for SRT)."""
    if ms is None:
        return ""
    sign = "-" if ms < 0 else ""
    ms = abs(int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def format_duration(ms):
    """A short human duration: `2.35 s`, `1 min 05 s`, `1 h 02 min`."""
    if ms is None:
        return ""
    if ms < 60_000:
        return f"{ms / 1000:.2f} s"
    total_s = ms // 1000
    if total_s < 3600:
        return f"{total_s // 60} min {total_s % 60:02d} s"
    return f"{total_s // 3600} h {total_s % 3600 // 60:02d} min"
