"""Script files in and out: SRT, WebVTT, Dubformer JSON and CSV. Pure functions, no database.

Parsing returns a `Script` or raises `ScriptFileError` with every problem found and its line, so a
person can fix the file in one go. Subtitle files are read block by block (blank-line separated), so that
every block is either a cue or a problem with its line; pysubs2 writes them.
"""

import codecs
import csv
import html
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field

import pysubs2
from django.utils.translation import ngettext

from .. import text_input
from ..timecodes import MAX_MS, TimecodeError, check_range, format_timecode, parse_timecode
from ..wording import counted

FORMATS = {
    "srt": "SubRip (.srt)",
    "vtt": "WebVTT (.vtt)",
    "dubformer": "Dubformer script JSON (.json)",
    "csv": "Spreadsheet (.csv)",
}
EXTENSIONS = {"srt": ".srt", "vtt": ".vtt", "dubformer": ".json", "csv": ".csv"}
CONTENT_TYPES = {
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "dubformer": "application/json",
    "csv": "text/csv; charset=utf-8",
}
TEXT_COLUMNS = {"target": "Translated text (target)", "source": "Original text (source)"}
MAX_PROBLEMS = 50
# What the database holds: speaker names, voice keys and ids beyond these are refused, not cut.
MAX_SPEAKER_NAME = 120
MAX_VOICE_KEY = 200
MAX_SPEAKER_ID = 2**31 - 1


@dataclass
class ScriptSpeaker:
    speaker_id: int
    name: str = ""
    style: str = ""
    voice_key: str = ""
    modelslab_voice_id: str = ""


@dataclass
class ScriptSegment:
    start_ms: int
    end_ms: int
    source_text: str = ""
    target_text: str = ""
    speaker_id: int | None = None
    review_status: str = ""


@dataclass
class Script:
    segments: list[ScriptSegment] = field(default_factory=list)
    speakers: list[ScriptSpeaker] = field(default_factory=list)
    # "id": speakers are the provider's numbered speakers; "name": they were named in the file, and are
    # matched to the project's speakers by name.
    speaker_match: str = "id"
    notices: list[str] = field(default_factory=list)
    # Whether some speakers were read from `Name: ` prefixes, a guess the user may undo; and then the
    # script read without that guess.
    speakers_from_prefixes: bool = False
    without_prefixes: "Script | None" = None
    # The broken blocks left out, as Problems, when the person chose to skip them (skip_broken).
    skipped: list = field(default_factory=list)

    def to_dict(self):
        # vars() rather than dataclasses.asdict: the fields are flat, and asdict's deep copy is the
        # slowest step of backing up a long script.
        return {
            "segments": [dict(vars(segment)) for segment in self.segments],
            "speakers": [dict(vars(speaker)) for speaker in self.speakers],
            "speaker_match": self.speaker_match,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            segments=[ScriptSegment(**segment) for segment in data["segments"]],
            speakers=[ScriptSpeaker(**speaker) for speaker in data["speakers"]],
            speaker_match=data.get("speaker_match", "id"),
        )


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self):
        return f"Line {self.line}: {self.message}" if self.line else self.message


class ScriptFileError(ValueError):
    """The file cannot become a script. `problems` lists what is wrong, with line numbers; `skippable`
    says that every problem is a broken block of a subtitle file, which the person may choose to skip
    (parse(…, skip_broken=True))."""

    def __init__(self, problems, *, skippable=False):
        if isinstance(problems, str):
            problems = [Problem(None, problems)]
        self.problems = list(problems)
        self.skippable = skippable
        super().__init__("; ".join(str(problem) for problem in self.problems[:3]))


class _Problems(list):
    def add(self, line, message):
        if len(self) < MAX_PROBLEMS:
            self.append(Problem(line, message))
        elif len(self) == MAX_PROBLEMS:
            self.append(Problem(None, "…and more problems; fix these first."))

    def raise_if_any(self):
        if self:
            raise ScriptFileError(self)


# ---------------------------------------------------------------------------------------------------------
# Bytes → text


def check_size(size, max_bytes):
    if size > max_bytes:
        raise ScriptFileError(
            f"The file is {size / 1_048_576:.1f} MB; the largest accepted is "
            f"{max_bytes / 1_048_576:.0f} MB. Split the script or remove what is not needed."
        )


def decode_upload(raw, max_bytes):
    """The file's text and any notice about how it was read. UTF-8 (with or without BOM) and UTF-16
    are read as they are; other bytes as Windows-1252, with a notice asking to check accents."""
    check_size(len(raw), max_bytes)
    if not raw.strip():
        raise ScriptFileError("The file is empty.")
    notices = []
    if raw.startswith(codecs.BOM_UTF8):
        encoding, raw = "utf-8", raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _looks_like_bomless_utf16(raw):
        encoding = "utf-16-le" if raw[1::2].count(0) > raw[0::2].count(0) else "utf-16-be"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding != "utf-8":
            raise ScriptFileError(
                f"The file says it is {encoding.upper()} but is not valid {encoding.upper()}."
            ) from None
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            line = raw[: error.start].count(b"\n") + 1
            raise ScriptFileError(
                [
                    Problem(
                        line,
                        "this file is not text in UTF-8, UTF-16 or Windows-1252. "
                        "Save it as UTF-8 and upload it again.",
                    )
                ]
            ) from None
        notices.append(
            "The file is not UTF-8, so it was read as Windows-1252 (Western European). "
            "Check that accented letters look right; if not, save the file as UTF-8 and upload it again."
        )
    if "\x00" in text or _control_ratio(text) > 0.01:
        raise ScriptFileError("This is not a text file. Upload an .srt, .vtt, .json or .csv script.")
    if problem := text_input.problem(text, "this line"):
        line = text.count("\n", 0, text_input.position(text)) + 1
        raise ScriptFileError([Problem(line, problem)])
    return text.lstrip("\ufeff"), notices


def _looks_like_bomless_utf16(raw):
    sample = raw[:4096]
    return len(sample) >= 4 and sample.count(0) >= len(sample) // 4


def _control_ratio(text):
    sample = text[:20000]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\r\n\t\f")
    return controls / max(len(sample), 1)


def detect_format(filename, text):
    """Which format the file is in, from its name and then its first lines; None if unknown."""
    name = (filename or "").lower()
    for fmt, extension in EXTENSIONS.items():
        if name.endswith(extension):
            return fmt
    head = text.lstrip()[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith(("{", "[")):
        return "dubformer"
    if _TIMING.search(head):
        return "srt"
    first_line = head.split("\n", 1)[0].lower()
    if name.endswith((".tsv", ".txt")) and "start" in first_line and "end" in first_line:
        return "csv"
    return None


# ---------------------------------------------------------------------------------------------------------
# SRT and WebVTT

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_TIMING = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(?:\s+.*)?$", re.MULTILINE)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_VOICE_TAGS = re.compile(r"</?v(?:[\s.][^>]*)?>")
_TAGS = re.compile(r"</?(?:[biuc]|v|lang|ruby|rt|font|span)(?:[\s.][^>]*)?>|<\d[\d:.]*>", re.IGNORECASE)
_ASS_TAGS = re.compile(r"\{\\[^}]*\}")
_NAME_PREFIX = re.compile(r"^(?P<name>[^\W\d_][\w .'’-]{0,39}?)\s*:\s+(?P<text>\S.*)$", re.DOTALL)


def parse_subtitles(text, fmt, *, text_column="target", speaker_prefixes=True, skip_broken=False):
    """A script from an SRT or WebVTT file. The cue text goes to `text_column` ("target" or "source").

    The speaker comes from a WebVTT voice tag (`<v Mary>`) or, when `speaker_prefixes`, from a
    `Name: ` at the start of the cue, when the file uses such prefixes as speaker names (see
    `_prefix_speakers`).

    A broken block (no timing line, text before the timing, a cue number without its timing…) refuses
    the file (ScriptFileError, `skippable`), unless `skip_broken`: then it is left out and listed in the
    script's `skipped`, never glued onto a neighbour."""
    problems = _Problems()
    lines = text.splitlines()
    if fmt == "vtt" and (not lines or not lines[0].lstrip("\ufeff").startswith("WEBVTT")):
        raise ScriptFileError([Problem(1, "a WebVTT file must start with the line “WEBVTT”.")])
    if not any("-->" in line for line in lines):
        raise ScriptFileError(
            "No subtitle cues found: no line has a timing like “00:00:01,000 --> 00:00:02,500”. "
            "Is this really a subtitle file?"
        )
    broken = []
    cues = _scan_cue_blocks(lines, fmt, broken)
    if broken and not skip_broken:
        for problem in broken:
            problems.add(problem.line, problem.message)
        raise ScriptFileError(problems, skippable=True)

    read = []  # (line, start_ms, end_ms, voice name, text, "Name:" prefix) of each cue
    stripped_markup = 0
    for line, start_ms, end_ms, cue_lines in cues:
        raw = "\n".join(cue_lines).strip()
        raw = raw.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", "\u00a0")
        if _ASS_TAGS.search(raw) or _TAGS.search(_VOICE_TAGS.sub("", raw)):
            stripped_markup += 1
        voice = _VOICE.search(raw)
        body = _plain_text(raw, fmt)
        prefix = _name_prefix(body) if speaker_prefixes and not voice else None
        read.append((line, start_ms, end_ms, voice.group(1).strip() if voice else None, body, prefix))
    named = _prefix_speakers([(body, prefix) for *_, voice, body, prefix in read if not voice])

    script = _script_of(read, named, text_column, problems)
    if script.speakers_from_prefixes:
        script.without_prefixes = _script_of(read, set(), text_column, _Problems())
    problems.raise_if_any()
    script.skipped = broken
    if stripped_markup:
        script.notices.append(
            f"Formatting tags (italics, colours…) were removed from {counted(stripped_markup, 'cue')}."
        )
    empty = sum(1 for segment in script.segments if not getattr(segment, f"{text_column}_text"))
    if empty:
        script.notices.append(f"{counted(empty, 'cue')} {ngettext('has', 'have', empty)} no text.")
    return script


def _script_of(read, named, text_column, problems):
    """The script of the cues `read`, with the `Name:` prefixes in `named` taken as speakers."""
    script = Script(speaker_match="name")
    speaker_ids = {}
    for line, start_ms, end_ms, voice, body, prefix in read:
        name = voice
        if prefix and prefix[0].casefold() in named:
            name, body = prefix
            script.speakers_from_prefixes = True
        if end_ms <= start_ms:
            problems.add(
                line,
                f"the cue ends ({format_timecode(end_ms)}) before it starts ({format_timecode(start_ms)}).",
            )
            continue
        if name and len(name) > MAX_SPEAKER_NAME:
            problems.add(line, f"the speaker name is longer than {MAX_SPEAKER_NAME} characters.")
            continue
        speaker_id = _speaker_for_name(name, speaker_ids, script)
        segment = ScriptSegment(start_ms=start_ms, end_ms=end_ms, speaker_id=speaker_id)
        setattr(segment, f"{text_column}_text", body)
        script.segments.append(segment)
    return script


def _speaker_for_name(name, speaker_ids, script):
    """The script's speaker id for a name read from the file, adding the speaker on first sight."""
    if not name:
        return None
    key = name.casefold()
    if key not in speaker_ids:
        speaker_ids[key] = len(speaker_ids) + 1
        script.speakers.append(ScriptSpeaker(speaker_id=speaker_ids[key], name=name))
    return speaker_ids[key]


def _scan_cue_blocks(lines, fmt, broken):
    """Every cue of the file as (timing line number, start_ms, end_ms, text lines). Each block that is not
    a cue is added to `broken` (a Problem named by its line) and left out of the cues: a block without a
    timing line, text before a timing, a cue number followed by text but no timing. Nothing is glued
    onto a neighbour or dropped quietly.

    Blocks are separated by blank lines. An SRT block may hold more than one cue (a blank line
    forgotten between them): the cue number just before a timing belongs to that timing's cue."""
    problems = _BrokenBlocks(broken)
    cues = []
    blocks = _blocks(lines, start=1 if fmt == "vtt" else 0)
    if fmt == "vtt" and blocks and blocks[0][0][0] == 2 and not any("-->" in text for _, text in blocks[0]):
        blocks = blocks[1:]  # the header's own lines ("Kind: captions"), right under WEBVTT
    for block in blocks:
        if fmt == "vtt" and block[0][1].split(None, 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timings = [index for index, (_, text) in enumerate(block) if "-->" in text]
        if not timings:
            problems.add(block[0][0], f"a block without a timing line: “{_quote_lines(block)}”.")
            continue
        lead = block[: timings[0]]
        if len(lead) > 1 or (lead and fmt == "srt" and not _CUE_NUMBER.match(lead[0][1])):
            problems.add(lead[0][0], f"text before the timing line: “{_quote_lines(lead)}”.")
        for position, index in enumerate(timings):
            number, timing = block[index]
            end = timings[position + 1] if position + 1 < len(timings) else len(block)
            text = block[index + 1 : end]
            if fmt == "vtt" and position:
                # WebVTT cue identifiers may be any text, so which of the lines above belong to
                # which cue cannot be told.
                problems.add(
                    number, "this cue has no blank line before it, so its lines cannot be told apart."
                )
                continue
            if fmt == "srt" and end < len(block) and text and _CUE_NUMBER.match(text[-1][1]):
                text = text[:-1]  # the next cue's number, a blank line having been forgotten
            own = block[index - 1][1] if index and _CUE_NUMBER.match(block[index - 1][1]) else None
            text = text[: _stray_cue_number(own, text, problems)]
            timings_ms = _read_timing(number, timing, problems)
            if timings_ms:
                cues.append((number, *timings_ms, [line for _, line in text]))
    return cues


_CUE_NUMBER = re.compile(r"^\s*\d{1,9}\s*$")


class _BrokenBlocks:
    """Collects broken blocks as Problems, all of them (a person skipping them sees each one)."""

    def __init__(self, found):
        self.found = found

    def add(self, line, message):
        self.found.append(Problem(line, message))


def _blocks(lines, start):
    """The file's lines as blocks of (line number, line), split at blank lines."""
    blocks, block = [], []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip():
            block.append((number, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


def _quote_lines(lines):
    text = " / ".join(line.strip() for _, line in lines)
    return text if len(text) <= 80 else text[:79] + "…"


def _read_timing(number, line, problems):
    """(start_ms, end_ms) of a timing line, or None with the problem added."""
    match = _TIMING.match(line)
    if not match:
        problems.add(number, f"this timing is malformed: “{line.strip()[:80]}”.")
        return None
    try:
        return parse_timecode(match[1]), parse_timecode(match[2])
    except TimecodeError as error:
        problems.add(number, str(error))
        return None


def _stray_cue_number(own_number, text, problems):
    """Where the next cue's number stands inside a cue's text, with text after it: a cue whose timing
    line (and the blank line before it) is missing, added to `problems`. Read as it is, its number and
    text would be voiced as part of this cue: the cue's own text ends there. None when there is none."""
    if own_number is None:
        return None
    expected = int(own_number) + 1
    for index, (number, line) in enumerate(text[:-1]):
        if _CUE_NUMBER.match(line) and int(line) == expected:
            problems.add(number, f"cue {expected} has no timing line: “{_quote_lines(text[index:])}”.")
            return index
    return None


def _plain_text(raw, fmt):
    text = _VOICE.sub("", raw)
    text = _TAGS.sub("", text)
    text = _ASS_TAGS.sub("", text)
    if fmt == "vtt":
        text = html.unescape(text)
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


_QUOTES = tuple("\"'“”„«»‘’‚‹›「『")


def _name_prefix(body):
    """(name, rest) when the text starts with something that could be a speaker's `Name: `."""
    match = _NAME_PREFIX.match(body)
    if match and len(match["name"].split()) <= 4:
        return match["name"].strip(), match["text"].strip()
    return None


def _looks_like_a_name(name):
    words = name.split()
    return len(words) <= 3 and (name.isupper() or all(word[0].isupper() for word in words))


def _prefix_speakers(cues):
    """Which `Name:` prefixes of the cues are speakers (casefolded). A colon is also ordinary
    punctuation (`Digo: "…"` is "I say: …"), so a prefix is a speaker only when the file uses it as one:
    the same prefix starts two or more cues, or several cues start with names (capitalised words or
    ALL CAPS) as a list of speakers does. A prefix that opens a quotation is reported speech, unless
    the same prefix is a speaker elsewhere in the file."""
    counts = Counter()
    name_like = Counter()
    with_text = 0
    for body, prefix in cues:
        with_text += bool(body)
        if not prefix or prefix[1].startswith(_QUOTES):
            continue
        key = prefix[0].casefold()
        counts[key] += 1
        if _looks_like_a_name(prefix[0]):
            name_like[key] += 1
    speakers = {key for key, count in counts.items() if count >= 2}
    if len(name_like) >= 2 and name_like.total() >= 0.3 * with_text:
        speakers |= set(name_like)
    return speakers


def to_subtitles(script, fmt, *, text_column="target", speaker_names=True):
    """SRT or WebVTT text of the script. Speakers become `Name: ` (SRT) or `<v Name>` (WebVTT)."""
    names = {speaker.speaker_id: speaker.name for speaker in script.speakers}
    subs = pysubs2.SSAFile()
    problems = _Problems()
    for number, segment in enumerate(script.segments, start=1):
        text = getattr(segment, f"{text_column}_text")
        name = names.get(segment.speaker_id) if speaker_names else None
        if fmt == "srt" and "-->" in f"{name}{text}":
            problems.add(
                None,
                f"Segment {number} ({format_timecode(segment.start_ms)}) holds “-->”, which SRT reads as a "
                "timing: write it another way (→), or export as WebVTT, which can hold it.",
            )
        if fmt == "vtt":
            text = html.escape(text, quote=False)
            if name:
                # A space before ">" when the name ends in "-": "<v Jean-->" would read as a timing "-->".
                name = html.escape(name, quote=False)
                text = f"<v {name}{' ' if name.endswith('-') else ''}>{text}"
        elif name:
            text = f"{name}: {text}"
        subs.append(
            pysubs2.SSAEvent(start=segment.start_ms, end=segment.end_ms, text=text.replace("\n", "\\N"))
        )
    problems.raise_if_any()
    return subs.to_string(fmt, keep_ssa_tags=True)


# ---------------------------------------------------------------------------------------------------------
# Dubformer JSON

DUBFORMER_SCRIPT_KEYS = ("output_target_script", "output_source_script", "target_script")


def parse_dubformer_json(text):
    """A script from Dubformer's shapes: a Get Project response (`output_target_script`,
    `output_source_script`, `output_target_speakers`) or a re-translation request (`target_script`,
    `target_speakers`). Source and target segments are paired by their timings."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScriptFileError(
            [Problem(error.lineno, f"this is not valid JSON ({error.msg}, column {error.colno}).")]
        ) from None
    except RecursionError:
        raise ScriptFileError(
            "This JSON is nested too deeply to be a script (lists or objects inside each other "
            "thousands of times)."
        ) from None
    except ValueError:  # a number of thousands of digits, which int() refuses to read
        raise ScriptFileError(
            "This JSON holds a number thousands of digits long; it is not a script."
        ) from None
    if not isinstance(data, dict) or not any(key in data for key in DUBFORMER_SCRIPT_KEYS):
        raise ScriptFileError(
            "This JSON is not a Dubformer script: it needs “output_target_script” (a Get Project response) "
            "or “target_script” (a re-translation request)."
        )
    problems = _Problems()
    speakers_key = "output_target_speakers" if "output_target_speakers" in data else "target_speakers"
    speakers = _dubformer_speakers(data.get(speakers_key, []), speakers_key, problems)
    known_ids = {speaker.speaker_id for speaker in speakers}
    target = _dubformer_segments(
        data,
        "output_target_script" if "output_target_script" in data else "target_script",
        known_ids,
        speakers_key,
        problems,
    )
    source = _dubformer_segments(data, "output_source_script", known_ids, speakers_key, problems)
    problems.raise_if_any()

    segments = {}
    for start_ms, end_ms, text, speaker_id in target:
        segments[(start_ms, end_ms)] = ScriptSegment(
            start_ms, end_ms, target_text=text, speaker_id=speaker_id
        )
    unmatched_source = 0
    for start_ms, end_ms, text, speaker_id in source:
        segment = segments.get((start_ms, end_ms))
        if segment is None:
            unmatched_source += 1
            segments[(start_ms, end_ms)] = ScriptSegment(
                start_ms, end_ms, source_text=text, speaker_id=speaker_id
            )
        else:
            segment.source_text = text
    script = Script(
        segments=sorted(segments.values(), key=lambda segment: (segment.start_ms, segment.end_ms)),
        speakers=speakers,
        speaker_match="id",
    )
    if source and unmatched_source:
        script.notices.append(
            f"{counted(unmatched_source, 'source segment')} "
            + ngettext("has", "have", unmatched_source)
            + " no target segment with the same timing; they were kept with an empty translation."
        )
    if not script.segments:
        script.notices.append("The script has no segments.")
    return script


def _dubformer_speakers(items, key, problems):
    if not isinstance(items, list):
        problems.add(None, f"“{key}” must be a list of speakers.")
        return []
    speakers = []
    seen = set()
    for index, item in enumerate(items):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            problems.add(None, f"{where} is not an object.")
            continue
        speaker_id = _whole_number(item.get("speaker_id"))
        if speaker_id is None or not 0 <= speaker_id <= MAX_SPEAKER_ID:
            problems.add(
                None,
                f"{where}: “speaker_id” must be a whole number, not {_clip(repr(item.get('speaker_id')))}.",
            )
            continue
        texts = {key: item.get(key) or "" for key in ("name", "voice_key")}
        if not all(isinstance(value, str) for value in texts.values()):
            problems.add(None, f"{where}: “name” and “voice_key” must be text.")
            continue
        if problem := text_input.problem(texts["name"] + texts["voice_key"], "the name or voice key"):
            problems.add(None, f"{where}: {problem}")
            continue
        if len(texts["name"]) > MAX_SPEAKER_NAME or len(texts["voice_key"]) > MAX_VOICE_KEY:
            problems.add(None, f"{where}: the name or voice key is too long.")
            continue
        if speaker_id in seen:
            problems.add(None, f"{where}: speaker_id {speaker_id} is listed twice.")
            continue
        style = item.get("style", "")
        if style not in ("", "masculine", "feminine"):
            problems.add(
                None, f"{where}: “style” must be “masculine” or “feminine”, not {_clip(repr(style))}."
            )
            continue
        seen.add(speaker_id)
        speakers.append(
            ScriptSpeaker(
                speaker_id=speaker_id,
                name=texts["name"],
                style=style,
                voice_key=texts["voice_key"],
            )
        )
    return speakers


def _dubformer_segments(data, key, known_speaker_ids, speakers_key, problems):
    items = data.get(key, [])
    if not isinstance(items, list):
        problems.add(None, f"“{key}” must be a list of segments.")
        return []
    segments = []
    for index, item in enumerate(items):
        where = f"{key}[{index}] (segment {index + 1})"
        if not isinstance(item, dict):
            problems.add(None, f"{where} is not an object.")
            continue
        start_ms, end_ms = _whole_number(item.get("start_ms")), _whole_number(item.get("end_ms"))
        speaker_id = _whole_number(item.get("speaker_id"))
        text = item.get("text")
        if start_ms is None or end_ms is None:
            problems.add(None, f"{where}: “start_ms” and “end_ms” must be numbers of milliseconds.")
        elif start_ms < 0:
            problems.add(None, f"{where}: starts before 0 ({_clip(str(start_ms))} ms).")
        elif end_ms <= start_ms:
            problems.add(
                None, f"{where}: ends ({_clip(str(end_ms))} ms) before it starts ({_clip(str(start_ms))} ms)."
            )
        elif end_ms > MAX_MS:
            problems.add(None, f"{where}: ends past 24 hours ({_clip(str(end_ms))} ms).")
        elif not isinstance(text, str):
            problems.add(None, f"{where}: “text” must be a string.")
        elif problem := text_input.problem(text, "“text”"):
            problems.add(None, f"{where}: {problem}")
        elif speaker_id is None:
            problems.add(None, f"{where}: “speaker_id” must be a whole number.")
        elif speaker_id not in known_speaker_ids:
            problems.add(None, f"{where}: speaker_id {speaker_id} is not in “{speakers_key}”.")
        else:
            segments.append((start_ms, end_ms, text, speaker_id))
    return segments


def _clip(text, length=40):
    """A value from the file, short enough to quote in a message."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _whole_number(value):
    """An int from an int, an integral float or a digit string (providers send ids both ways)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value)
    return None


def to_dubformer_json(script):
    """Exactly the `target_script` + `target_speakers` of Dubformer's re-translation request."""
    problems = _Problems()
    used = set()
    for number, segment in enumerate(script.segments, start=1):
        if segment.speaker_id is None:
            problems.add(None, f"Segment {number} ({format_timecode(segment.start_ms)}) has no speaker.")
        used.add(segment.speaker_id)
    problems.raise_if_any()
    body = {
        "target_script": [
            {
                "start_ms": segment.start_ms,
                "end_ms": segment.end_ms,
                "text": segment.target_text,
                "speaker_id": segment.speaker_id,
            }
            for segment in script.segments
        ],
        "target_speakers": [
            {
                "speaker_id": speaker.speaker_id,
                "style": speaker.style or "feminine",
                "voice_key": speaker.voice_key,
            }
            for speaker in script.speakers
            if speaker.speaker_id in used
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------------------
# CSV

CSV_COLUMNS = ["start", "end", "speaker", "source_text", "target_text"]
_CSV_ALIASES = {
    "start": "start", "start_ms": "start", "in": "start", "begin": "start",
    "end": "end", "end_ms": "end", "out": "end", "stop": "end",
    "speaker": "speaker", "character": "speaker", "name": "speaker",
    "source_text": "source_text", "source": "source_text", "original": "source_text",
    "target_text": "target_text", "target": "target_text", "translation": "target_text",
}  # fmt: skip


def parse_csv(text):
    """A script from a CSV with columns start, end, speaker, source text, target text (a header row
    naming them is optional; `,` `;` or tab separated). Times as 00:01:02.345 or plain seconds."""
    sample = text[:5000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = [(number, row) for number, row in _csv_rows(text, delimiter) if any(cell.strip() for cell in row)]
    if not rows:
        raise ScriptFileError("The file has no rows.")

    columns = CSV_COLUMNS
    header_cells = [cell.strip().lower().replace(" ", "_") for cell in rows[0][1]]
    header = [_CSV_ALIASES.get(cell) for cell in header_cells]
    # A `start_ms` column holds milliseconds; any other time column holds timecodes or seconds.
    in_ms = {"start": "start_ms" in header_cells, "end": "end_ms" in header_cells}
    if "start" in header and "end" in header:
        columns = header
        rows = rows[1:]
    elif len(rows[0][1]) < 3:
        raise ScriptFileError(
            [
                Problem(
                    rows[0][0],
                    "a script CSV needs the columns start, end, speaker, source text, target text.",
                )
            ]
        )

    problems = _Problems()
    script = Script(speaker_match="name")
    speaker_ids = {}
    for number, row in rows:
        values = {
            column: (_unescape_formula(row[index].strip()) if index < len(row) else "")
            for index, column in enumerate(columns)
            if column
        }
        try:
            start_ms = _csv_time(values.get("start", ""), in_ms["start"])
            end_ms = _csv_time(values.get("end", ""), in_ms["end"])
        except TimecodeError as error:
            problems.add(number, str(error))
            continue
        if end_ms <= start_ms:
            problems.add(
                number, f"ends ({format_timecode(end_ms)}) before it starts ({format_timecode(start_ms)})."
            )
            continue
        name = values.get("speaker", "")
        if len(name) > MAX_SPEAKER_NAME:
            problems.add(number, f"the speaker name is longer than {MAX_SPEAKER_NAME} characters.")
            continue
        speaker_id = _speaker_for_name(name, speaker_ids, script)
        script.segments.append(
            ScriptSegment(
                start_ms=start_ms,
                end_ms=end_ms,
                source_text=values.get("source_text", ""),
                target_text=values.get("target_text", ""),
                speaker_id=speaker_id,
            )
        )
    problems.raise_if_any()
    if not script.segments:
        raise ScriptFileError("The file has a header but no segments.")
    script.segments.sort(key=lambda segment: (segment.start_ms, segment.end_ms))
    return script


def _csv_rows(text, delimiter):
    """(line number, cells) of each row; a row the csv module cannot read is a problem with its line
    (a cell over its size limit: a script line is never 128 KB long).

    Only the separator is guessed: spreadsheets quote with "…" and double a " inside, and a guess of
    the rest can be fooled by cells that start with ' (text that must not run as a formula)."""
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            if "field limit" in str(error):
                message = (
                    f"a cell is longer than {csv.field_size_limit():,} characters, far more than a line "
                    "of a script. Is this really a script CSV?"
                )
            else:
                message = f"this row cannot be read as CSV ({error})."
            raise ScriptFileError([Problem(line, message)]) from None
        rows.append((line, row))


def _csv_time(value, in_ms):
    if not value:
        raise TimecodeError("a start or end time is missing.")
    if in_ms:
        if not re.fullmatch(r"\d{1,9}", value):
            raise TimecodeError(f"“{_clip(value)}” is not a whole number of milliseconds.")
        return check_range(int(value))
    return parse_timecode(value)


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"); the
# export puts a ' before it, which spreadsheets show as text, and the import takes it off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell that itself starts with ' is escaped too, so that taking the ' off is always right.
_ESCAPED_STARTS = (*_FORMULA_STARTS, "'")


def _escape_formula(cell):
    return "'" + cell if cell.startswith(_ESCAPED_STARTS) else cell


def _unescape_formula(cell):
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_ESCAPED_STARTS) else cell


class _RowsEndingInNewline:
    """A file for csv.writer, which writes each row in one call: rows are written with "\r\n" so that
    the writer quotes a cell holding a lone "\r" (with "\n" it would not, and no reader could read
    the file back), and stored ending in "\n"."""

    def __init__(self):
        self.rows = []

    def write(self, row):
        self.rows.append(row.removesuffix("\r\n") + "\n")

    def getvalue(self):
        return "".join(self.rows)


def to_csv(script):
    names = {speaker.speaker_id: speaker.name for speaker in script.speakers}
    out = _RowsEndingInNewline()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for segment in script.segments:
        writer.writerow(
            [
                format_timecode(segment.start_ms),
                format_timecode(segment.end_ms),
                _escape_formula(names.get(segment.speaker_id, "")),
                _escape_formula(segment.source_text),
                _escape_formula(segment.target_text),
            ]
        )
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------
# One entry point each way


def parse(text, fmt, *, text_column="target", speaker_prefixes=True, skip_broken=False):
    if fmt in ("srt", "vtt"):
        return parse_subtitles(
            text, fmt, text_column=text_column, speaker_prefixes=speaker_prefixes, skip_broken=skip_broken
        )
    if fmt == "dubformer":
        return parse_dubformer_json(text)
    if fmt == "csv":
        return parse_csv(text)
    raise ScriptFileError(f"Unknown format {fmt!r}.")


def serialize(script, fmt, *, text_column="target", speaker_names=True):
    if fmt in ("srt", "vtt"):
        return to_subtitles(script, fmt, text_column=text_column, speaker_names=speaker_names)
    if fmt == "dubformer":
        return to_dubformer_json(script)
    if fmt == "csv":
        return to_csv(script)
    raise ScriptFileError(f"Unknown format {fmt!r}.")
