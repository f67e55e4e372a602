from types import SimpleNamespace

import pytest

from projects.quality import (
    FLAG_KINDS,
    Flag,
    Thresholds,
    check_script,
    check_segment,
    speech_ms,
    speedup_needed,
    summarize,
    text_length,
    thresholds_for,
)

# Round numbers: 10 characters take 1 s to speak; reading speed is out of the way unless a test lowers it.
EASY = Thresholds(max_cps=100, speech_cps=10)


def seg(start_ms, end_ms, text="Hello", speaker_id=1, pk=None):
    return SimpleNamespace(pk=pk, start_ms=start_ms, end_ms=end_ms, target_text=text, speaker_id=speaker_id)


def chars(n):
    return "x" * n


def kinds(flags):
    return [flag.kind for flag in flags]


def only(flags, kind):
    [flag] = [flag for flag in flags if flag.kind == kind]
    return flag


# --- Measures -----------------------------------------------------------------------------------------


def test_spaces_and_line_breaks_do_not_count_as_characters():
    assert text_length("Bonjour à tous,\nça va ?") == 18
    assert text_length("  \n\t ") == 0
    assert text_length("") == 0


def test_speech_time_follows_the_languages_speaking_rate():
    english = thresholds_for("en-US")  # 14.5 characters a second
    assert speech_ms(chars(29), english) == 2000
    assert speech_ms(chars(29), EASY) == 2900


def test_the_speed_up_is_the_speech_time_over_the_slot_rounded_to_two_decimals():
    assert speedup_needed(chars(20), 2000, EASY) == 1.0
    assert speedup_needed(chars(23), 1982, EASY) == 1.16  # 2300 / 1982 = 1.1604…
    assert speedup_needed("", 2000, EASY) == 0.0
    assert speedup_needed(" \n ", 2000, EASY) == 0.0


# --- fit ------------------------------------------------------------------------------------------------


def test_a_line_too_long_for_its_slot_says_how_much_faster_the_voice_must_speak():
    flags = check_segment(seg(0, 2000, chars(28)), None, EASY)
    assert only(flags, "fit") == Flag("fit", "warning", "Needs 1.4× to fit (2.8 s of speech in 2.0 s).")


def test_a_line_the_voice_can_fit_by_speaking_up_to_15_percent_faster_is_not_flagged():
    assert "fit" not in kinds(check_segment(seg(0, 2000, chars(23)), None, EASY))  # exactly 1.15×
    assert "fit" in kinds(check_segment(seg(0, 1982, chars(23)), None, EASY))  # 1.16×


def test_a_line_needing_more_than_one_and_a_half_times_the_speed_is_an_error():
    at_limit = only(check_segment(seg(0, 2000, chars(30)), None, EASY), "fit")  # 1.5×
    beyond = only(check_segment(seg(0, 1986, chars(30)), None, EASY), "fit")  # 1.51×
    assert at_limit.severity == "warning"
    assert beyond.severity == "error"


# --- cps ------------------------------------------------------------------------------------------------


def test_a_line_read_faster_than_the_limit_shows_its_reading_speed():
    ten_a_second = Thresholds(max_cps=10, speech_cps=1000)
    assert "cps" not in kinds(check_segment(seg(0, 1000, chars(10)), None, ten_a_second))
    flag = only(check_segment(seg(0, 1000, chars(11)), None, ten_a_second), "cps")
    assert flag == Flag("cps", "warning", "Reading speed 11 chars/s (max 10).")


def test_a_reading_speed_just_over_the_limit_is_not_shown_as_the_limit():
    ten_a_second = Thresholds(max_cps=10, speech_cps=1000)
    flag = only(check_segment(seg(0, 2000, chars(21)), None, ten_a_second), "cps")  # 10.5 chars/s
    assert flag.message == "Reading speed 10.5 chars/s (max 10)."


# --- empty ----------------------------------------------------------------------------------------------


def test_a_line_without_translation_is_an_error_and_skips_the_speed_checks():
    tight = Thresholds(max_cps=0.1, speech_cps=0.1)
    flags = check_segment(seg(0, 1000, " \n "), None, tight)
    assert kinds(flags) == ["empty"]
    assert flags[0] == Flag("empty", "error", "No translated text.")


def test_a_line_with_text_is_not_empty():
    assert "empty" not in kinds(check_segment(seg(0, 1000, "Oui"), None, EASY))


# --- overlap and gap ------------------------------------------------------------------------------------


def test_a_line_starting_before_the_previous_one_ends_is_an_overlap_error():
    flags = check_segment(seg(1000, 3000), seg(0, 1250), EASY)
    assert only(flags, "overlap") == Flag("overlap", "error", "Overlaps the previous segment by 0.25 s.")
    assert "gap" not in kinds(flags)


def test_a_line_starting_as_the_previous_one_ends_does_not_overlap_but_is_tight():
    flags = check_segment(seg(1000, 3000), seg(0, 1000), EASY)
    assert "overlap" not in kinds(flags)
    assert only(flags, "gap").message == "Only 0 ms after the previous segment."


def test_a_gap_under_80_ms_is_tight_and_80_ms_is_enough():
    tight = check_segment(seg(1079, 3000), seg(0, 1000), EASY)
    assert only(tight, "gap") == Flag("gap", "warning", "Only 79 ms after the previous segment.")
    assert "gap" not in kinds(check_segment(seg(1080, 3000), seg(0, 1000), EASY))


def test_the_first_line_has_no_overlap_or_gap():
    assert kinds(check_segment(seg(0, 1000), None, EASY)) == []


# --- duration -------------------------------------------------------------------------------------------


def test_a_line_shorter_than_half_a_second_is_too_short():
    assert "too_short" not in kinds(check_segment(seg(0, 500, "Oui"), None, EASY))
    flag = only(check_segment(seg(0, 499, "Oui"), None, EASY), "too_short")
    assert flag == Flag("too_short", "warning", "Lasts only 0.499 s (min 0.5 s).")


def test_a_line_longer_than_seven_seconds_is_too_long():
    assert "too_long" not in kinds(check_segment(seg(0, 7000), None, EASY))
    flag = only(check_segment(seg(0, 7001), None, EASY), "too_long")
    assert flag == Flag("too_long", "warning", "Lasts 7.001 s (max 7 s).")


# --- speaker and video end ------------------------------------------------------------------------------


def test_a_line_without_a_speaker_is_flagged():
    assert only(check_segment(seg(0, 1000, speaker_id=None), None, EASY), "no_speaker") == Flag(
        "no_speaker", "warning", "No speaker."
    )
    assert "no_speaker" not in kinds(check_segment(seg(0, 1000, speaker_id=3), None, EASY))


def test_a_line_ending_after_the_video_is_an_error():
    flag = only(check_segment(seg(59_000, 60_350), None, EASY, video_duration_ms=60_000), "past_end")
    assert flag == Flag("past_end", "error", "Ends after the video (0.35 s past its end at 00:01:00.000).")


def test_a_line_ending_with_the_video_or_without_a_known_video_length_is_fine():
    assert kinds(check_segment(seg(59_000, 60_000), None, EASY, video_duration_ms=60_000)) == []
    assert kinds(check_segment(seg(59_000, 60_350), None, EASY)) == []
    assert kinds(check_segment(seg(59_000, 60_350), None, EASY, video_duration_ms=0)) == []


def test_flags_come_in_the_order_of_flag_kinds():
    flags = check_segment(
        seg(900, 1200, chars(40), speaker_id=None), seg(0, 1000), Thresholds(max_cps=17, speech_cps=10)
    )
    assert kinds(flags) == ["fit", "cps", "overlap", "too_short", "no_speaker"]
    assert kinds(check_segment(seg(1000, 9000, ""), seg(0, 1000), EASY, video_duration_ms=8000)) == [
        "too_long",
        "gap",
        "empty",
        "past_end",
    ]


# --- languages ------------------------------------------------------------------------------------------


def test_japanese_is_spoken_and_read_more_slowly_per_character_than_english():
    japanese, english = thresholds_for("ja-JP"), thresholds_for("en-US")
    assert (japanese.speech_cps, japanese.max_cps) == (7.5, 9)
    assert (english.speech_cps, english.max_cps) == (14.5, 17)
    line = seg(0, 2000, chars(20))  # 10 characters a second
    assert kinds(check_segment(line, None, english)) == []
    assert kinds(check_segment(line, None, japanese)) == ["fit", "cps"]


@pytest.mark.parametrize(
    ("code", "speech_cps", "max_cps"),
    [("zh-CN", 5.0, 7), ("ko-KR", 7.0, 9), ("fr-FR", 14.0, 17), ("de", 13.0, 17), ("sv-SE", 13.0, 17)],
)
def test_each_language_uses_the_part_before_the_region(code, speech_cps, max_cps):
    thresholds = thresholds_for(code)
    assert (thresholds.speech_cps, thresholds.max_cps) == (speech_cps, max_cps)
    assert thresholds.max_speedup == 1.15
    assert (thresholds.min_duration_ms, thresholds.max_duration_ms, thresholds.min_gap_ms) == (500, 7000, 80)


# --- whole scripts --------------------------------------------------------------------------------------


def test_each_line_of_a_script_is_checked_against_the_line_just_before_it():
    script = [
        seg(0, 2000, pk=1),
        seg(2500, 4000, pk=2),  # clear of line 1
        seg(3900, 5000, pk=3),  # overlaps line 2
        seg(5040, 6000, pk=4),  # 40 ms after line 3
        seg(7000, 8000, pk=5),
    ]
    flags_by_pk = check_script(script, EASY)
    assert {pk: kinds(flags) for pk, flags in flags_by_pk.items()} == {3: ["overlap"], 4: ["gap"]}
    assert flags_by_pk[4][0].message == "Only 40 ms after the previous segment."


def test_a_script_passes_the_video_length_to_every_line():
    script = [seg(0, 1000, pk=1), seg(1500, 2500, pk=2)]
    assert kinds(check_script(script, EASY, video_duration_ms=2000)[2]) == ["past_end"]
    assert check_script([], EASY) == {}


def test_the_summary_counts_every_kind_including_the_ones_not_found():
    flags_by_pk = check_script(
        [seg(0, 1000, speaker_id=None, pk=1), seg(900, 2000, "", speaker_id=None, pk=2)], EASY
    )
    summary = summarize(flags_by_pk)
    assert list(summary) == list(FLAG_KINDS)
    assert summary == {
        "fit": 0,
        "cps": 0,
        "overlap": 1,
        "too_short": 0,
        "too_long": 0,
        "gap": 0,
        "empty": 1,
        "no_speaker": 2,
        "past_end": 0,
    }
    assert summarize({}) == dict.fromkeys(FLAG_KINDS, 0)


def test_flag_kinds_have_short_labels_for_people():
    assert FLAG_KINDS == {
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
    assert list(FLAG_KINDS) == [
        "fit",
        "cps",
        "overlap",
        "too_short",
        "too_long",
        "gap",
        "empty",
        "no_speaker",
        "past_end",
    ]
