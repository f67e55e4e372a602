"""Property-based tests (hypothesis): the timecode parser, every script importer and the payload builders.

For any input they either give a value or refuse with their own readable exception (TimecodeError,
ScriptFileError, InvalidRequest), never another one; what they write they read back exactly; and what
the payload builders let through, the providers' published contracts accept. Examples are bounded by the
profile in tests/conftest.py ("ci": fixed seed, no example database).
"""

import json
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from projects import languages, text_input
from projects.models import Project
from projects.providers.http import InvalidRequest
from projects.services import payloads, script_formats
from projects.services.script_formats import Script, ScriptFileError, ScriptSegment, ScriptSpeaker
from projects.timecodes import MAX_MS, TimecodeError, format_timecode, parse_timecode

from .schemas import dubformer_errors, modelslab_errors

# --- Timecodes -------------------------------------------------------------------------------------------

milliseconds = st.integers(min_value=0, max_value=MAX_MS)


@given(milliseconds, st.sampled_from([".", ","]))
def test_every_time_of_a_day_formats_and_parses_back_to_the_same_millisecond(ms, separator):
    assert parse_timecode(format_timecode(ms, separator)) == ms


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999),
    st.sampled_from([".", ","]),
)
def test_a_timecode_as_people_write_it_is_the_time_it_says(hours, minutes, seconds, millis, separator):
    written = f"{hours}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
    assert parse_timecode(written) == ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    assert parse_timecode(f"{minutes}:{seconds:02d}{separator}{millis}") == (
        (minutes * 60 + seconds) * 1000 + int(str(millis).ljust(3, "0"))
    )


_TIMECODE_LIKE = st.text(alphabet="0123456789:.,- \t٣", max_size=24)


@given(st.one_of(st.text(max_size=60), _TIMECODE_LIKE))
@example("99999999999999999999:00")
@example("24:00:00.001")
@example("\x00")
def test_any_text_is_a_time_of_the_day_or_a_clear_refusal(text):
    try:
        ms = parse_timecode(text)
    except TimecodeError as refusal:
        assert str(refusal)
    else:
        assert 0 <= ms <= MAX_MS
        assert parse_timecode(format_timecode(ms)) == ms


# --- Importers: what we write we read back exactly -------------------------------------------------------

WORD_LETTERS = string.ascii_letters + "àéîõüßçñøÅÉŁŚЖжΩω日本語"


def _line(alphabet):
    # A line of a cue starts with a letter (a line of digits alone is an SRT cue number).
    return st.builds(
        lambda first, rest: (first + rest).strip(),
        st.sampled_from(WORD_LETTERS),
        st.text(alphabet=alphabet, max_size=30),
    )


def _cue_text(alphabet):
    return st.lists(_line(alphabet), min_size=1, max_size=3).map("\n".join)


def _timings(count):
    """`count` segments' (start, end), in time order, none starting at the same time."""
    return st.lists(
        st.tuples(st.integers(0, MAX_MS - 1), st.integers(1, 60_000)),
        min_size=count,
        max_size=count,
        unique_by=lambda timing: timing[0],
    ).map(lambda timings: sorted((start, min(start + length, MAX_MS)) for start, length in timings))


@st.composite
def scripts(draw, *, text, names, min_segments=1):
    """A script of up to 8 segments, each with a speaker from up to 3 named ones (or none)."""
    speaker_names = draw(st.lists(names, max_size=3, unique_by=str.casefold))
    speakers = [ScriptSpeaker(speaker_id=number, name=name) for number, name in enumerate(speaker_names, 1)]
    count = draw(st.integers(min_segments, 8))
    segments = [
        ScriptSegment(
            start_ms=start,
            end_ms=end,
            target_text=draw(text),
            speaker_id=draw(st.sampled_from([None, *(speaker.speaker_id for speaker in speakers)])),
        )
        for start, end in draw(_timings(count))
    ]
    used = {segment.speaker_id for segment in segments}
    return Script(segments=segments, speakers=[s for s in speakers if s.speaker_id in used])


def _read_back(script, fmt, **options):
    text = script_formats.serialize(script, fmt, **options)
    decoded, notices = script_formats.decode_upload(text.encode(), 10 * 2**20)
    assert script_formats.detect_format(f"back{script_formats.EXTENSIONS[fmt]}", decoded) == fmt
    return script_formats.parse(decoded, fmt, speaker_prefixes=False)


def _named_lines(script):
    """Each segment as (start, end, speaker name, target text)."""
    names = {speaker.speaker_id: speaker.name for speaker in script.speakers}
    return [(s.start_ms, s.end_ms, names.get(s.speaker_id, ""), s.target_text) for s in script.segments]


SUBTITLE_TEXT = WORD_LETTERS + string.digits + " .,!?'\"()%;—…«»¿¡"
NAMES = _line(string.ascii_letters + " .'-").filter(lambda name: len(name) <= 40)


# SRT has no escapes: "<i>" is formatting there, and a line with "-->" a timing.
@given(scripts(text=_cue_text(SUBTITLE_TEXT + ">&-"), names=NAMES))
@example(Script(segments=[ScriptSegment(0, 900, target_text="a --> b")]))
def test_srt_reads_back_the_timings_and_text_it_wrote_or_says_why_it_cannot(script):
    try:
        back = _read_back(script, "srt", speaker_names=False)
    except ScriptFileError as refusal:  # a cue saying "-->", which SRT cannot hold
        assert "-->" in str(refusal) and any("-->" in s.target_text for s in script.segments)
        return
    assert [(s.start_ms, s.end_ms, s.target_text) for s in back.segments] == [
        (s.start_ms, s.end_ms, s.target_text) for s in script.segments
    ]


# WebVTT escapes markup, so a cue may say "<b>" and "&amp;" and mean it.
@given(scripts(text=_cue_text(SUBTITLE_TEXT + "<>&/:="), names=NAMES))
@example(Script(segments=[ScriptSegment(0, 900, target_text="Hi", speaker_id=1)],
                speakers=[ScriptSpeaker(speaker_id=1, name="Jean--")]))  # fmt: skip
def test_webvtt_reads_back_the_timings_speakers_and_text_it_wrote(script):
    assert _named_lines(_read_back(script, "vtt")) == _named_lines(script)


# A spreadsheet cell holds any text: quotes, separators, line breaks, and formulas kept as text.
# What dubweb stores: any text but the characters projects/text_input.py refuses.
STORABLE = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t").filter(
    lambda char: not text_input.problem(char)
)
CELL_TEXT = st.text(STORABLE, max_size=40).map(str.strip)


@given(scripts(text=CELL_TEXT, names=CELL_TEXT.filter(lambda name: 0 < len(name) <= 120)))
@example(Script(segments=[ScriptSegment(0, 1000, target_text='=HYPERLINK("x");"a,b"\n\'+1')]))
def test_csv_reads_back_the_timings_speakers_and_text_it_wrote(script):
    back = _read_back(script, "csv")
    assert _named_lines(back) == _named_lines(script)


JSON_TEXT = st.text(STORABLE, max_size=40)


@st.composite
def dubformer_scripts(draw):
    """A script every segment of which has a speaker, as Dubformer's re-translation needs."""
    ids = draw(st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=3, unique=True))
    speakers = [
        ScriptSpeaker(
            speaker_id=speaker_id,
            style=draw(st.sampled_from(["masculine", "feminine"])),
            voice_key=draw(st.text(string.ascii_letters + string.digits + ":-_", min_size=1, max_size=30)),
        )
        for speaker_id in ids
    ]
    segments = [
        ScriptSegment(start, end, target_text=draw(JSON_TEXT), speaker_id=draw(st.sampled_from(ids)))
        for start, end in draw(_timings(draw(st.integers(1, 8))))
    ]
    used = {segment.speaker_id for segment in segments}
    return Script(segments=segments, speakers=[speaker for speaker in speakers if speaker.speaker_id in used])


@given(dubformer_scripts())
def test_dubformer_json_reads_back_the_script_and_voices_it_wrote(script):
    text = script_formats.serialize(script, "dubformer")
    assert dubformer_errors("CreateRetranslationRequest", json.loads(text)) == []
    back = script_formats.parse(text, "dubformer")
    assert [(s.start_ms, s.end_ms, s.target_text, s.speaker_id) for s in back.segments] == [
        (s.start_ms, s.end_ms, s.target_text, s.speaker_id) for s in script.segments
    ]
    assert [(s.speaker_id, s.style, s.voice_key) for s in back.speakers] == [
        (s.speaker_id, s.style, s.voice_key) for s in script.speakers
    ]


# --- Importers: anything else is a clear refusal ---------------------------------------------------------


def _read_upload(raw, filename):
    """The whole path of an upload before the database: decode, recognise, parse (both ways a subtitle
    file can be read). A script, or ScriptFileError."""
    text, _ = script_formats.decode_upload(raw, 2**20)
    fmt = script_formats.detect_format(filename, text) or "srt"
    try:
        return script_formats.parse(text, fmt)
    except ScriptFileError as refused:
        if not refused.skippable:
            raise
        return script_formats.parse(text, fmt, skip_broken=True)


def _check_stored_text(script):
    """What a parsed script holds can be stored: text by dubweb's rule, times within a day."""
    for segment in script.segments:
        assert 0 <= segment.start_ms < segment.end_ms <= MAX_MS
        assert text_input.problem(segment.source_text + segment.target_text) == ""
    for speaker in script.speakers:
        assert len(speaker.name) <= script_formats.MAX_SPEAKER_NAME
        assert text_input.problem(speaker.name + speaker.voice_key) == ""


FILENAMES = st.sampled_from(["script.srt", "script.vtt", "script.json", "script.csv", "script.txt", ""])
# Text near each format: its markers, separators and timings, so that examples get past the first check.
NEAR_SCRIPT = st.lists(
    st.sampled_from(
        [
            "WEBVTT", "1", "2", "00:00:01,000 --> 00:00:02,000", "00:00:03.000 --> 00:00:01.000",
            "99:99:99,999 --> 00:00:01,000", "Anna: Hola", "<v Ben>Hi</v>", "<i>x", "NOTE", "", "",
            "start,end,speaker,source_text,target_text", "0:01,0:02,Anna,Hi,Hola", "'=1+1", '"a\nb"',
            "start_ms;end_ms", "5;4", "1e309;2", '{"target_script": [', "]}", "{", "[", "\x07", "\t",
            "-->", "\\N", "&amp;", "\ufeff",
        ]
    ),
    max_size=20,
).map("\n".join)  # fmt: skip
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=10),
        st.sampled_from(["\ud800", "\x00", "masculine", "12", "-1"]),
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["start_ms", "end_ms", "text", "speaker_id", "style", "voice_key", "name",
                         "target_script", "target_speakers", "output_target_script",
                         "output_source_script", "output_target_speakers"]),
        children, max_size=6),
    max_leaves=20,
)  # fmt: skip


@given(st.binary(max_size=400), FILENAMES)
@example(b"\xff\xfe\x00\xd8", "x.srt")
@example(b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe\n", "x.srt")
def test_any_bytes_are_a_script_or_a_clear_refusal(raw, filename):
    try:
        script = _read_upload(raw, filename)
    except ScriptFileError as refusal:
        assert refusal.problems and str(refusal)
    else:
        _check_stored_text(script)


@given(st.one_of(NEAR_SCRIPT, st.text(max_size=200)), FILENAMES)
@example("1\n00:00:01,000 --> 00:00:02,000\n" + "Ab: x\n" * 3, "x.srt")
def test_any_text_is_a_script_or_a_clear_refusal(text, filename):
    try:
        script = _read_upload(text.encode("utf-8", "surrogatepass"), filename)
    except ScriptFileError as refusal:
        assert refusal.problems and str(refusal)
    else:
        _check_stored_text(script)


@given(JSON_VALUES)
@example({"target_script": [{"start_ms": 0, "end_ms": 1, "text": "\ud800", "speaker_id": 1}],
          "target_speakers": [{"speaker_id": 1}]})  # fmt: skip
@example({"target_speakers": [{"speaker_id": 1, "name": "\ud800"}], "target_script": []})
def test_any_json_is_a_dubformer_script_or_a_clear_refusal(value):
    text = json.dumps(value)  # ensure_ascii: lone surrogates travel as \ud800, as a file may hold them
    try:
        script = script_formats.parse(text, "dubformer")
    except ScriptFileError as refusal:
        assert refusal.problems and str(refusal)
    else:
        _check_stored_text(script)


# --- Payload builders: what they let through, the contracts accept ---------------------------------------

LANGUAGE_CODES = st.sampled_from([code for code, _ in languages.CHOICES] + ["xx-YY", ""])
URLS = st.one_of(
    st.sampled_from(
        [
            "/static/demo/keynote.mp4", "https://cdn.example.com/v/a b.mp4", "http://[::1/x", "ftp://x/y",
            "https://bücher.example/ü?x=[1]", "//evil.example/x", "https://example.com/%zz", "javascript:x",
            "https://", "https://example.com:99999/x", "",
        ]
    ),
    st.text(max_size=40),
    st.builds("https://{}.example.com/{}".format, st.text(string.ascii_lowercase, min_size=1), st.text()),
)  # fmt: skip


@st.composite
def projects(draw):
    return Project(
        title=draw(st.text(max_size=200)),
        source_language=draw(LANGUAGE_CODES),
        target_language=draw(LANGUAGE_CODES),
        source_video_url=draw(URLS),
    )


def _sent_or_refused(build):
    """The JSON body a builder's request would send, or None when the builder or the request's own check
    refuses it (with a readable message)."""
    try:
        request = build()
        request.validate()
    except InvalidRequest as refusal:
        assert refusal.problems
        return None
    return request


@given(projects(), st.sampled_from([None, "voiceover_only", "voiceover_with_original_track"]))
def test_a_dubformer_project_the_builder_lets_through_is_one_the_contract_accepts(project, mixing_mode):
    request = _sent_or_refused(
        lambda: payloads.create_project_request(
            project, site_url="https://dub.example.com", mixing_mode=mixing_mode
        )
    )
    if request is not None:
        assert dubformer_errors("CreateProjectRequest", request.to_json()) == []


@given(
    projects(),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.floats(0.5, 2.0)),
    st.one_of(st.none(), st.integers(0, 2**31 - 1)),
)
def test_a_modelslab_dub_the_builder_lets_through_is_one_the_contract_accepts(project, voice_id, speed, seed):
    request = _sent_or_refused(
        lambda: payloads.dubbing_request(
            project,
            site_url="https://dub.example.com",
            voice_id=voice_id,
            speed=speed,
            seed=seed,
            webhook="https://dub.example.com/projects/hooks/modelslab/t0k3n/",
            track_id=7,
        )
    )
    if request is not None:
        assert modelslab_errors("CreateDubbingRequest", request.to_json("ml-key")) == []


@st.composite
def retranslation_rows(draw):
    """Rows as payloads.retranslation_rows reads them from the database: (segment id, start, end, text,
    provider speaker id or None, style, voice key, speaker name)."""
    speakers = draw(
        st.lists(
            st.tuples(
                st.integers(0, 2**31 - 1),
                st.sampled_from(["masculine", "feminine"]),
                st.sampled_from(["", "soundalike", "53f154:fr-FR-HenriNeural"]),
                st.text(max_size=10),
            ),
            max_size=3,
            unique_by=lambda speaker: speaker[0],
        )
    )
    choices = [(None, "", "", "")] + speakers
    return [
        (pk, start, end, draw(st.text(max_size=30)), *draw(st.sampled_from(choices)))
        for pk, (start, end) in enumerate(draw(_timings(draw(st.integers(0, 6)))), start=1)
    ]


@given(retranslation_rows(), st.sampled_from([None, "voiceover_only"]), st.sampled_from([None, "louder"]))
def test_a_retranslation_the_builder_lets_through_is_one_the_contract_accepts(rows, mixing_mode, tts_volume):
    request = _sent_or_refused(
        lambda: payloads.retranslation_request(
            None, rows=rows, mixing_mode=mixing_mode, tts_volume=tts_volume
        )
    )
    if request is not None:
        body = request.to_json()
        assert dubformer_errors("CreateRetranslationRequest", body) == []
        # What the contract cannot say but the API requires: each line's speaker has a voice; start < end.
        voiced = {speaker["speaker_id"] for speaker in body["target_speakers"]}
        assert all(line["speaker_id"] in voiced for line in body["target_script"])
        assert all(line["start_ms"] < line["end_ms"] for line in body["target_script"])
        assert [line["text"] for line in body["target_script"]] == [row[3] for row in rows]


def test_the_builders_refuse_a_project_without_a_video_with_a_message():
    project = Project(title="x", source_language="en-US", target_language="fr-FR", source_video_url="")
    with pytest.raises(InvalidRequest, match="no source video URL"):
        payloads.dubbing_request(project, site_url="https://dub.example.com")
