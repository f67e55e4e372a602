"""Each speaker's number of lines is kept on write (Speaker.line_count), so the project page shows it
at the same cost for 10 and 3,000 segments, and it says what counting the script would say after any
chain of edits."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from projects.models import ScriptSnapshot, Segment, Speaker
from projects.services import editing, scripts

from .factories import SpeakerFactory, make_segments

SRT = """1
00:00:01,000 --> 00:00:03,000
Anna: Bonjour.

2
00:00:04,000 --> 00:00:06,000
Ben: Salut, ça va ?

3
00:00:07,000 --> 00:00:09,000
Anna: Très bien, et toi ?

4
00:00:10,000 --> 00:00:12,000
Ben: Pas mal.

5
00:00:13,000 --> 00:00:15,000
Anna: On y va.
"""


def lines_shown(body):
    """{name: lines} as the project page's speakers table shows them."""
    table = body.split('id="speakers-heading"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r"<td>([^<]+)<br>.*?<td class=\"num\">([\d,]+)</td>", table, re.S))


def stored_lines(project):
    return dict(Speaker.objects.filter(project=project).values_list("name", "line_count"))


def counted_lines(project):
    return dict(
        Speaker.objects.filter(project=project).annotate(n=Count("segments")).values_list("name", "n")
    )


def segments_of(project, name):
    return list(Segment.objects.filter(project=project, speaker__name=name).order_by("start_ms"))


def imported(project, by, text=SRT):
    staged = scripts.stage_import(project, filename="scene.srt", raw=text.encode(), by=by, max_bytes=10**6)
    scripts.apply_import(staged, by=by)


@pytest.mark.parametrize("count", [10, 3000])
def test_project_page_shows_each_speakers_lines_at_the_same_cost(
    client, editor, project, count, django_assert_max_num_queries
):
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna")
    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben")
    make_segments(project, count - 3, speaker=anna)
    make_segments(project, 3, speaker=ben)
    client.force_login(editor)
    # session + user + project with role + team + the script's stored counts + speakers + first rows
    # + events + edits + backups + imports: the same at 10 and 3,000 segments
    with django_assert_max_num_queries(12):  # the page's own, who is assigned included
        response = client.get(project.get_absolute_url())
    body = response.content.decode()
    assert lines_shown(body) == {"Anna": f"{count - 3:,}", "Ben": "3"}


def test_counts_follow_import_speaker_change_split_delete_and_undo(client, editor, project):
    imported(project, editor)
    assert stored_lines(project) == {"Anna": 3, "Ben": 2}

    anna_lines = segments_of(project, "Anna")
    ben = Speaker.objects.get(project=project, name="Ben")
    editing.set_speaker(project, [s.pk for s in anna_lines[:2]], ben, by=editor)
    assert stored_lines(project) == {"Anna": 1, "Ben": 4}

    first = segments_of(project, "Ben")[0]
    editing.split_segment(project, first.pk, version=first.version, text_cursor=4, by=editor)
    assert stored_lines(project) == {"Anna": 1, "Ben": 5}

    editing.delete_segments(project, [s.pk for s in segments_of(project, "Ben")[:3]], by=editor)
    assert stored_lines(project) == {"Anna": 1, "Ben": 2}

    editing.undo(project, by=editor)  # the delete comes back
    assert stored_lines(project) == counted_lines(project) == {"Anna": 1, "Ben": 5}

    client.force_login(editor)
    assert lines_shown(client.get(project.get_absolute_url()).content.decode()) == {"Anna": "1", "Ben": "5"}


def test_every_other_write_keeps_the_counts(project, editor, manager):
    imported(project, editor)
    anna = Speaker.objects.get(project=project, name="Anna")
    ben = Speaker.objects.get(project=project, name="Ben")

    line = segments_of(project, "Anna")[0]
    editing.save_segment(project, line.pk, {"speaker": ben}, version=line.version, by=editor)
    assert stored_lines(project) == {"Anna": 2, "Ben": 3}
    line.refresh_from_db()
    editing.save_segment(project, line.pk, {"speaker": None}, version=line.version, by=editor)
    assert stored_lines(project) == {"Anna": 2, "Ben": 2}

    editing.insert_after(project, segments_of(project, "Anna")[-1].pk, by=editor)  # takes Anna's voice
    assert stored_lines(project) == {"Anna": 3, "Ben": 2}

    bens = segments_of(project, "Ben")[0]
    editing.merge_with_next(project, bens.pk, version=bens.version, by=editor)  # Anna's next line joins it
    assert stored_lines(project) == {"Anna": 2, "Ben": 2}

    editing.undo(project, by=editor)
    assert stored_lines(project) == {"Anna": 3, "Ben": 2}
    editing.redo(project, by=editor)
    assert stored_lines(project) == {"Anna": 2, "Ben": 2}

    editing.shift_segments(project, delta_ms=500, from_ms=0, by=editor)
    editing.replace_text(project, "Pas", "Vraiment pas", by=editor)
    assert stored_lines(project) == counted_lines(project) == {"Anna": 2, "Ben": 2}

    imported(project, editor)  # the edited script is kept as a backup…
    assert stored_lines(project) == counted_lines(project) == {"Anna": 3, "Ben": 2}
    scripts.restore_snapshot(ScriptSnapshot.objects.get(project=project), by=manager)  # …and comes back
    assert stored_lines(project) == counted_lines(project) == {"Anna": 2, "Ben": 2}

    # A speaker saved from a copy read before its lines changed keeps the stored count.
    stale_anna = Speaker.objects.get(pk=anna.pk)
    editing.set_speaker(project, [s.pk for s in segments_of(project, "Ben")], anna, by=editor)
    stale_anna.name = "Anna K."
    stale_anna.save()
    assert stored_lines(project) == counted_lines(project) == {"Anna K.": 4, "Ben": 0}
    assert anna.pk == stale_anna.pk


def test_a_reimport_counts_the_speakers_it_keeps_and_drops_the_others(project, editor):
    imported(project, editor)
    imported(project, editor, SRT.replace("Ben:", "Carla:"))
    assert stored_lines(project) == counted_lines(project) == {"Anna": 3, "Carla": 2}


def test_recount_scripts_puts_wrong_counts_right(project, editor):
    imported(project, editor)
    Speaker.objects.filter(project=project).update(line_count=99)  # e.g. segments edited outside dubweb
    call_command("recount_scripts", str(project.pk), stdout=None)
    assert stored_lines(project) == {"Anna": 3, "Ben": 2}
