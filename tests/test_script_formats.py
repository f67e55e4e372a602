"""Reading and writing script files, without the database."""

import codecs
import csv
import io
import json
from pathlib import Path

import pytest

from projects.services import script_formats as sf
from projects.services.script_formats import Script, ScriptFileError, ScriptSegment, ScriptSpeaker

DATA = Path(__file__).parent / "data"
MB = 1024 * 1024


def read(name):
    return (DATA / name).read_text(encoding="utf-8")


def problems_of(call, *args, **kwargs):
    with pytest.raises(ScriptFileError) as error:
        call(*args, **kwargs)
    return [str(problem) for problem in error.value.problems]


# --- SRT -------------------------------------------------------------------------------------------------


def test_srt_gives_timings_text_and_speakers_from_name_prefixes():
    script = sf.parse(read("keynote.srt"), "srt")
    assert [(s.start_ms, s.end_ms) for s in script.segments] == [(800, 3150), (3600, 6020), (6500, 9999)]
    assert script.segments[1].target_text == "Thank you, Anna. Let's start\nwith the numbers."
    assert [speaker.name for speaker in script.speakers] == ["Anna", "Ben"]
    assert [s.speaker_id for s in script.segments] == [1, 2, 1]
    assert script.segments[2].target_text == 'Sales grew by 40% — "a record".'


def test_srt_text_can_go_to_the_source_column():
    script = sf.parse(read("keynote.srt"), "srt", text_column="source")
    assert script.segments[0].source_text == "Welcome, everyone, to the launch."
    assert script.segments[0].target_text == ""


def test_srt_name_prefixes_can_be_switched_off():
    script = sf.parse(read("keynote.srt"), "srt", speaker_prefixes=False)
    assert script.speakers == []
    assert script.segments[0].target_text == "Anna: Welcome, everyone, to the launch."


def test_srt_formatting_tags_are_removed_with_a_notice():
    text = '1\n00:00:01,000 --> 00:00:02,000\n<i>Hello</i> {\\an8}<font color="red">there</font>\n'
    script = sf.parse(text, "srt")
    assert script.segments[0].target_text == "Hello there"
    assert any("Formatting tags" in notice for notice in script.notices)


def test_srt_malformed_timestamp_is_reported_with_its_line():
    text = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:0x:03,000 --> 00:00:04,000\nBroken\n"
    assert problems_of(sf.parse, text, "srt") == [
        "Line 6: this timing is malformed: “00:0x:03,000 --> 00:00:04,000”."
    ]


def test_srt_impossible_seconds_are_reported():
    text = "1\n00:00:75,000 --> 00:00:76,000\nToo many seconds\n"
    assert problems_of(sf.parse, text, "srt") == ["Line 2: “00:00:75,000”: seconds must be below 60."]


def test_srt_end_before_start_is_reported_with_its_line():
    text = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:05,000 --> 00:00:04,000\nBackwards\n"
    assert problems_of(sf.parse, text, "srt") == [
        "Line 6: the cue ends (00:00:04.000) before it starts (00:00:05.000)."
    ]


def test_every_problem_is_listed_not_only_the_first():
    text = "".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},000\nZero length\n\n" for n in range(1, 4))
    assert len(problems_of(sf.parse, text, "srt")) == 3


def test_text_that_is_not_subtitles_is_refused():
    assert problems_of(sf.parse, "Dear team,\nplease find the script attached.\n", "srt") == [
        "No subtitle cues found: no line has a timing like “00:00:01,000 --> 00:00:02,500”. "
        "Is this really a subtitle file?"
    ]


# --- WebVTT ----------------------------------------------------------------------------------------------


def test_vtt_speakers_come_from_voice_tags_and_identifiers_notes_are_skipped():
    script = sf.parse(read("keynote.vtt"), "vtt")
    assert [(s.start_ms, s.end_ms) for s in script.segments] == [(800, 3150), (3600, 6020), (6500, 9999)]
    assert [speaker.name for speaker in script.speakers] == ["Anna", "Ben"]
    assert script.segments[0].target_text == "Welcome, everyone, to the launch."
    assert script.segments[1].target_text == "Thank you, Anna & team.\nLet's start with the numbers."
    assert script.segments[2].target_text == "Sales grew by 40% — a record."


def test_vtt_without_header_is_refused():
    assert problems_of(sf.parse, "00:00.000 --> 00:01.000\nHi\n", "vtt") == [
        "Line 1: a WebVTT file must start with the line “WEBVTT”."
    ]


# --- Dubformer JSON --------------------------------------------------------------------------------------


def test_get_project_response_imports_as_it_is():
    script = sf.parse(read("get_project_ready.json"), "dubformer")
    assert [(s.start_ms, s.end_ms, s.source_text, s.target_text, s.speaker_id) for s in script.segments] == [
        (100, 1544, "Hello world!", "Bonjour le monde !", 1),
        (2000, 3500, "How are you?", "Comment ça va ?", 2),
    ]
    assert [(s.speaker_id, s.style, s.voice_key) for s in script.speakers] == [
        (1, "feminine", "voice:Rachel"),
        (2, "masculine", "53f154:fr-FR-HenriNeural"),
    ]


def test_dubformer_unknown_speaker_id_is_named():
    body = {"target_script": [{"start_ms": 0, "end_ms": 900, "text": "Salut", "speaker_id": 7}],
            "target_speakers": [{"speaker_id": 1, "style": "feminine", "voice_key": "soundalike"}]}  # fmt: skip
    assert problems_of(sf.parse, json.dumps(body), "dubformer") == [
        "target_script[0] (segment 1): speaker_id 7 is not in “target_speakers”."
    ]


def test_dubformer_bad_timings_and_styles_are_named():
    body = {
        "target_script": [
            {"start_ms": 500, "end_ms": 400, "text": "x", "speaker_id": 1},
            {"start_ms": "soon", "end_ms": 400, "text": "x", "speaker_id": 1},
        ],
        "target_speakers": [{"speaker_id": 1, "style": "robotic", "voice_key": ""}],
    }
    problems = problems_of(sf.parse, json.dumps(body), "dubformer")
    assert "target_speakers[0]: “style” must be “masculine” or “feminine”, not 'robotic'." in problems
    assert "target_script[0] (segment 1): ends (400 ms) before it starts (500 ms)." in problems
    assert (
        "target_script[1] (segment 2): “start_ms” and “end_ms” must be numbers of milliseconds." in problems
    )


def test_broken_json_names_its_line():
    assert problems_of(sf.parse, '{\n  "target_script": [\n  oops\n]}', "dubformer") == [
        "Line 3: this is not valid JSON (Expecting value, column 3)."
    ]


def test_json_that_is_not_a_script_is_refused():
    assert "not a Dubformer script" in problems_of(sf.parse, '{"hello": 1}', "dubformer")[0]


def test_ids_sent_as_strings_are_accepted():
    body = {"target_script": [{"start_ms": "0", "end_ms": 900.0, "text": "Salut", "speaker_id": "1"}],
            "target_speakers": [{"speaker_id": "1", "style": "masculine", "voice_key": "soundalike"}]}  # fmt: skip
    script = sf.parse(json.dumps(body), "dubformer")
    assert (script.segments[0].start_ms, script.segments[0].end_ms, script.segments[0].speaker_id) == (
        0,
        900,
        1,
    )


def test_dubformer_export_is_exactly_the_retranslation_request():
    script = Script(
        segments=[ScriptSegment(100, 1544, "Hello", "Bonjour", 1, "approved")],
        speakers=[ScriptSpeaker(1, "Anna", "feminine", "voice:Rachel", "henry"), ScriptSpeaker(2, "Unused")],
    )
    assert json.loads(sf.serialize(script, "dubformer")) == {
        "target_script": [{"start_ms": 100, "end_ms": 1544, "text": "Bonjour", "speaker_id": 1}],
        "target_speakers": [{"speaker_id": 1, "style": "feminine", "voice_key": "voice:Rachel"}],
    }


def test_dubformer_export_refuses_segments_without_a_speaker():
    script = Script(segments=[ScriptSegment(0, 1000, "Hi", "Salut", None)])
    assert problems_of(sf.serialize, script, "dubformer") == ["Segment 1 (00:00:00.000) has no speaker."]


# --- CSV -------------------------------------------------------------------------------------------------


def test_csv_with_header_reads_both_texts_and_multiline_cells():
    script = sf.parse(read("keynote.csv"), "csv")
    assert [(s.start_ms, s.end_ms) for s in script.segments] == [(800, 3150), (3600, 6020)]
    assert script.segments[1].source_text == "Thank you,\nAnna."
    assert script.segments[1].target_text == "Merci,\nAnna."
    assert [speaker.name for speaker in script.speakers] == ["Anna", "Ben"]


def test_csv_from_a_spreadsheet_with_semicolons_and_ms_columns():
    text = "start_ms;end_ms;speaker;source;target\n0;1500;Ann;Hi;Salut\n1500;2500;;Bye;Au revoir\n"
    script = sf.parse(text, "csv")
    assert [(s.start_ms, s.end_ms, s.target_text) for s in script.segments] == [
        (0, 1500, "Salut"),
        (1500, 2500, "Au revoir"),
    ]
    assert script.segments[1].speaker_id is None


def test_csv_bad_rows_are_reported_with_their_lines():
    text = "start,end,speaker,source_text,target_text\n00:00:01.000,00:00:02.000,A,a,b\nsoon,00:00:03.000,A,a,b\n00:00:05.000,00:00:04.000,A,a,b\n"
    assert problems_of(sf.parse, text, "csv") == [
        "Line 3: “soon” is not a time. Write it like 1:02.345 or 00:01:02,345.",
        "Line 4: ends (00:00:04.000) before it starts (00:00:05.000).",
    ]


# --- Bytes, encodings, sizes ------------------------------------------------------------------------------


def test_utf8_with_bom_and_utf16_are_read_without_notice():
    text = read("keynote.srt")
    for raw in (codecs.BOM_UTF8 + text.encode(), text.encode("utf-16"), text.encode("utf-16-le")):
        decoded, notices = sf.decode_upload(raw, 5 * MB)
        assert decoded == text
        assert notices == []


def test_cp1252_is_read_with_a_notice():
    text = "1\n00:00:01,000 --> 00:00:02,000\nCafé crème, déjà vu\n"
    decoded, notices = sf.decode_upload(text.encode("cp1252"), 5 * MB)
    assert "Café crème, déjà vu" in decoded
    assert "Windows-1252" in notices[0]


def test_empty_file_is_refused():
    assert problems_of(sf.decode_upload, b"  \n\n", 5 * MB) == ["The file is empty."]


def test_binary_file_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert "not" in problems_of(sf.decode_upload, png, 5 * MB)[0]


def test_file_over_the_limit_is_refused_with_its_size():
    assert problems_of(sf.decode_upload, b"x" * (5 * MB + 1), 5 * MB) == [
        "The file is 5.0 MB; the largest accepted is 5 MB. Split the script or remove what is not needed."
    ]


@pytest.mark.parametrize(
    ("filename", "text", "fmt"),
    [
        ("a.srt", "", "srt"),
        ("b.VTT", "", "vtt"),
        ("upload", "WEBVTT\n\n00:01.000 --> 00:02.000\nx", "vtt"),
        ("upload", '{"target_script": []}', "dubformer"),
        ("upload.txt", "1\n00:00:01,000 --> 00:00:02,000\nx", "srt"),
        ("notes.txt", "just words", None),
    ],
)
def test_format_is_recognised_from_name_then_content(filename, text, fmt):
    assert sf.detect_format(filename, text) == fmt


# --- Round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), [("keynote.srt", "srt"), ("keynote.csv", "csv")])
def test_export_gives_back_the_imported_file(name, fmt):
    original = read(name)
    # Byte for byte, but for the blank line pysubs2 ends an SRT with.
    assert sf.serialize(sf.parse(original, fmt), fmt).rstrip("\n") == original.rstrip("\n")


@pytest.mark.parametrize("fmt", ["srt", "vtt", "csv", "dubformer"])
def test_round_trip_keeps_timings_to_the_millisecond_and_text(fmt):
    script = Script(
        segments=[
            ScriptSegment(0, 1, "a", "Très <court> & bref", 1),
            ScriptSegment(1001, 62_345, "b", "Deux\nlignes", 2),
            ScriptSegment(3_723_004, 3_723_999, "c", "Hé: « oui » {sic}", 1),
        ],
        speakers=[ScriptSpeaker(1, "Anna", "feminine"), ScriptSpeaker(2, "Ben Okafor", "masculine")],
    )
    again = sf.parse(sf.serialize(script, fmt), fmt)
    assert [(s.start_ms, s.end_ms, s.target_text) for s in again.segments] == [
        (s.start_ms, s.end_ms, s.target_text) for s in script.segments
    ]
    names = {sp.speaker_id: sp.name for sp in again.speakers}
    if fmt != "dubformer":  # Dubformer's shape carries speaker ids, not names
        assert [names[s.speaker_id] for s in again.segments] == ["Anna", "Ben Okafor", "Anna"]


# --- Blocks that are not cues: listed, never glued or dropped ------------------------------------------


def test_srt_cue_without_its_timing_line_is_refused_not_glued_onto_the_previous_cue():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n\n"
        "2\nCaption text #2\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n"
    )
    assert problems_of(sf.parse, text, "srt") == [
        "Line 5: a block without a timing line: “2 / Caption text #2”."
    ]


def test_vtt_cue_without_its_timing_line_is_refused_not_dropped():
    text = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\nCaption text #1\n\n"
        "2\nCaption text #2\n\n00:05.000 --> 00:06.000\nCaption text #3\n"
    )
    assert problems_of(sf.parse, text, "vtt") == [
        "Line 6: a block without a timing line: “2 / Caption text #2”."
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "problem"),
    [
        (
            "srt",
            "1\n00:00:01,000 --> 00:00:02,000\nHello\n\nA stray line\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nWorld\n",
            "Line 5: a block without a timing line: “A stray line”.",
        ),
        (
            "srt",  # the cue's text parted from its timing by a blank line: not an empty cue
            "1\n00:00:01,000 --> 00:00:02,000\n\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n",
            "Line 4: a block without a timing line: “Hello”.",
        ),
        (
            "vtt",
            "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n\nA stray line\n\n00:03.000 --> 00:04.000\nWorld\n",
            "Line 6: a block without a timing line: “A stray line”.",
        ),
        (
            "srt",
            "1\n00:00:01,000 --> 00:00:02,000\nHello\n\nA stray line\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n",
            "Line 5: text before the timing line: “A stray line / 2”.",
        ),
        (
            "vtt",
            "WEBVTT\n\nA stray line\nintro\n00:01.000 --> 00:02.000\nHello\n",
            "Line 3: text before the timing line: “A stray line / intro”.",
        ),
        (
            "srt",  # cue 2 lost its timing line and the blank line before it
            "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n2\nCaption text #2\n\n"
            "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n",
            "Line 4: cue 2 has no timing line: “2 / Caption text #2”.",
        ),
        (
            "vtt",  # the same with numbered WebVTT cues
            "WEBVTT\n\n1\n00:01.000 --> 00:02.000\nCaption text #1\n2\nCaption text #2\n",
            "Line 6: cue 2 has no timing line: “2 / Caption text #2”.",
        ),
        (
            "vtt",
            "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\nintro\n00:03.000 --> 00:04.000\nWorld\n",
            "Line 6: this cue has no blank line before it, so its lines cannot be told apart.",
        ),
    ],
    ids=["srt-stray-line", "srt-text-parted", "vtt-stray-line", "srt-text-before-timing",
         "vtt-two-identifiers", "srt-number-and-text-without-timing", "vtt-number-and-text-without-timing",
         "vtt-no-blank-line"],
)  # fmt: skip
def test_each_block_that_is_not_a_cue_is_a_problem_with_its_line(fmt, text, problem):
    assert problems_of(sf.parse, text, fmt) == [problem]


def test_every_broken_block_is_listed_at_once():
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n\nstray\n\n2\nTwo\n\n3\n00:00:05,000 --> 00:00:06,000\nThree\n"
    assert problems_of(sf.parse, text, "srt") == [
        "Line 5: a block without a timing line: “stray”.",
        "Line 7: a block without a timing line: “2 / Two”.",
    ]


def test_a_forgotten_blank_line_between_whole_cues_keeps_each_text_with_its_cue():
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n"
    script = sf.parse(text, "srt")
    assert [(s.start_ms, s.target_text) for s in script.segments] == [(1000, "One"), (3000, "Two")]


def test_vtt_header_lines_notes_and_styles_are_not_problems():
    text = (
        "WEBVTT\nKind: captions\nLanguage: en\n\nSTYLE\n::cue { color: lime }\n\n"
        "NOTE a comment\nover two lines\n\n00:01.000 --> 00:02.000\nHello\n"
    )
    assert [s.target_text for s in sf.parse(text, "vtt").segments] == ["Hello"]


def test_vtt_cue_right_under_the_header_is_kept():
    text = "WEBVTT\n00:01.000 --> 00:02.000\nHello\n\n00:03.000 --> 00:04.000\nWorld\n"
    assert [s.target_text for s in sf.parse(text, "vtt").segments] == ["Hello", "World"]


def test_a_number_in_the_dialogue_is_not_taken_for_a_cue_number():
    text = "1\n00:00:01,000 --> 00:00:02,000\nHow many?\n7\n\n2\n00:00:03,000 --> 00:00:04,000\n2\nTwo.\n"
    script = sf.parse(text, "srt")
    assert [s.target_text for s in script.segments] == ["How many?\n7", "2\nTwo."]


def test_empty_cue_notice_counts_in_the_singular_and_plural():
    one = "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nHi\n"
    two = one + "\n3\n00:00:05,000 --> 00:00:06,000\n\n"
    assert "1 cue has no text." in sf.parse(one, "srt").notices
    assert "2 cues have no text." in sf.parse(two, "srt").notices


# --- Speaker names from "Name:" prefixes ----------------------------------------------------------------


def test_a_dialogue_word_before_a_quotation_is_not_a_speaker():
    text = (
        "1\n00:00:01,000 --> 00:00:03,000\n¿Y qué le dices?\n\n"
        '2\n00:00:03,500 --> 00:00:06,000\nDigo: "No pienso volver".\n\n'
        "3\n00:00:06,500 --> 00:00:08,000\nBien dicho.\n"
    )
    script = sf.parse(text, "srt")
    assert script.speakers == []
    assert script.segments[1].target_text == 'Digo: "No pienso volver".'
    assert not script.speakers_from_prefixes


def test_a_prefix_seen_once_stays_text():
    text = "1\n00:00:01,000 --> 00:00:03,000\nWarning: wet floor\n\n2\n00:00:04,000 --> 00:00:05,000\nOkay.\n"
    script = sf.parse(text, "srt")
    assert script.speakers == []
    assert script.segments[0].target_text == "Warning: wet floor"


def test_recurring_names_in_a_real_dialogue_become_speakers():
    script = sf.parse(read("earnest.srt"), "srt")
    assert [speaker.name for speaker in script.speakers] == ["ALGERNON", "LANE"]
    assert [s.speaker_id for s in script.segments] == [1, 2, 1, None, 2, 1, 2, 1]
    assert script.segments[1].target_text == "I didn't think it polite to listen, sir."
    # A known speaker's line that quotes someone is still theirs; a "Note:" inside the line stays.
    assert script.segments[7].target_text == 'Note: only one bottle. "Why is that?"'
    assert script.speakers_from_prefixes


def test_a_list_of_names_each_seen_once_is_a_speaker_list():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nJOHN: Hi.\n\n2\n00:00:03,000 --> 00:00:04,000\nMary Ann: Hello.\n"
    )
    script = sf.parse(text, "srt")
    assert [speaker.name for speaker in script.speakers] == ["JOHN", "Mary Ann"]
    assert [s.target_text for s in script.segments] == ["Hi.", "Hello."]


def test_a_dialogue_word_is_not_a_speaker_amid_many_unlabelled_lines():
    cues = [f"{n}\n00:00:{n:02},000 --> 00:00:{n:02},500\nLine {n}.\n" for n in range(1, 9)]
    cues[2] = "3\n00:00:03,000 --> 00:00:03,500\nMira: allí.\n"
    cues[5] = "6\n00:00:06,000 --> 00:00:06,500\nOye: ven.\n"
    script = sf.parse("\n".join(cues), "srt")
    assert script.speakers == []
    assert script.segments[2].target_text == "Mira: allí."


# --- CSV: formulas and hostile input ----------------------------------------------------------------------

TRICKY_TEXTS = [
    '=HYPERLINK("http://evil.example","Click")',
    "+1 555 0100",
    "-5 degrees, she said",
    "@SUM(A1:A9)",
    "\tindented",
    "\rcarriage return first",
    "'quoted from the start'",
    "'=already escaped by hand",
    "''",
    "It's fine",
    "=",
]


def test_csv_export_defuses_formulas_for_spreadsheets():
    script = Script(
        segments=[ScriptSegment(0, 1000, "=1+1", "@cmd", 1), ScriptSegment(1000, 2000, "-2", "+3", None)],
        speakers=[ScriptSpeaker(1, "=Anna")],
    )
    rows = list(csv.reader(io.StringIO(sf.to_csv(script))))
    assert rows[1][2:] == ["'=Anna", "'=1+1", "'@cmd"]
    assert rows[2][2:] == ["", "'-2", "'+3"]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row[2:])


def test_csv_round_trip_is_exact_for_text_that_starts_like_a_formula_or_a_quote():
    segments = [
        ScriptSegment(n * 1000, n * 1000 + 900, text, TRICKY_TEXTS[-1 - n], 1 + n % 2)
        for n, text in enumerate(TRICKY_TEXTS)
    ]
    script = Script(segments=segments, speakers=[ScriptSpeaker(1, "-Anna"), ScriptSpeaker(2, "'Ben")])
    again = sf.parse(sf.serialize(script, "csv"), "csv")
    assert [(s.source_text, s.target_text) for s in again.segments] == [
        (s.source_text, s.target_text) for s in segments
    ]
    names = {speaker.speaker_id: speaker.name for speaker in again.speakers}
    assert [names[s.speaker_id] for s in again.segments[:2]] == ["-Anna", "'Ben"]
    assert sf.serialize(again, "csv") == sf.serialize(script, "csv")


def test_a_quote_typed_in_a_spreadsheet_cell_is_kept():
    text = "start,end,speaker,source_text,target_text\n0:01.000,0:02.000,,'Tis true,'Tis vrai\n"
    assert sf.parse(text, "csv").segments[0].target_text == "'Tis vrai"


def test_deeply_nested_json_is_refused_with_a_message():
    assert problems_of(sf.parse, "[" * 100_000 + "]" * 100_000, "dubformer") == [
        "This JSON is nested too deeply to be a script (lists or objects inside each other "
        "thousands of times)."
    ]
    nested = '{"target_script": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001
    assert "nested too deeply" in problems_of(sf.parse, nested, "dubformer")[0]


def test_a_two_megabyte_line_as_csv_is_refused_with_its_line():
    text = "start,end,speaker,source_text,target_text\n0:01.000,0:02.000,A,b," + "x" * 2_000_000 + "\n"
    assert problems_of(sf.parse, text, "csv") == [
        "Line 2: a cell is longer than 131,072 characters, far more than a line of a script. "
        "Is this really a script CSV?"
    ]
    assert "longer than 131,072" in problems_of(sf.parse, "x" * 2_000_000, "csv")[0]
