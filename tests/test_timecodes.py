import pytest

from projects.timecodes import TimecodeError, format_duration, format_timecode, parse_timecode


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("1:02.345", 62_345),
        ("62.345", 62_345),
        ("00:01:02,345", 62_345),
        ("01:02:03.004", 3_723_004),
        ("62", 62_000),
        ("0:00.5", 500),
        ("  00:00:01.2 ", 1_200),
    ],
)
def test_parses_the_ways_people_write_times(text, ms):
    assert parse_timecode(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "-1.0", "00:61.000", "01:60:00.000", "1.2345"])
def test_refuses_what_is_not_a_time(text):
    with pytest.raises(TimecodeError):
        parse_timecode(text)


def test_canonical_form_round_trips():
    for ms in (0, 1, 999, 62_345, 3_723_004, 36_000_000):
        assert parse_timecode(format_timecode(ms)) == ms
    assert format_timecode(62_345) == "00:01:02.345"
    assert format_timecode(62_345, ",") == "00:01:02,345"


def test_durations_read_naturally():
    assert format_duration(2350) == "2.35 s"
    assert format_duration(65_000) == "1 min 05 s"
    assert format_duration(3_720_000) == "1 h 02 min"
