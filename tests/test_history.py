"""History (issue 10): one audit trail of segments, speakers and project settings; a segment's history
with restore; the project and team activity feeds."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import feed
from projects.models import Activity, EditedSegment, ScriptEdit, Segment
from projects.services import editing, segment_history

from .factories import ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory, make_segments

HX = {"HX-Request": "true"}


@pytest.fixture
def segment(project, speaker):
    return SegmentFactory(
        project=project, start_ms=0, end_ms=4000, target_text="Bonjour à tous et bienvenue.", speaker=speaker
    )


def as_stored(segment_pk):
    s = Segment.objects.get(pk=segment_pk)
    return (s.start_ms, s.end_ms, s.target_text, s.speaker_id)


def history_url(segment):
    return reverse("projects:segment-history", args=[segment.project_id, segment.pk])


def restore_url(segment):
    return reverse("projects:segment-restore", args=[segment.project_id, segment.pk])


def current_version(segment_pk):
    return Segment.objects.get(pk=segment_pk).version


# --- the chain: edit, shift, split, restore an early version, undo the restore ---------------------------


def test_restore_puts_back_exactly_an_earlier_text_and_timing_and_can_be_undone(
    client, project, segment, editor, manager, speaker
):
    editing.save_segment(
        project, segment.pk, {"target_text": "Salut à tous, bienvenue."}, version=1, by=editor
    )
    after_text_edit = as_stored(segment.pk)
    editing.shift_segments(project, delta_ms=500, segment_pks=[segment.pk], by=manager)
    editing.split_segment(project, segment.pk, version=current_version(segment.pk), text_cursor=7, by=editor)
    first_half = as_stored(segment.pk)
    assert first_half[:3] == (500, 1667, "Salut à")

    # The history of the first half lists the three changes, newest first, each with its person.
    page, changes = segment_history.history_page(project, segment.pk, 1)
    assert [(c.edit.user, c.edit.kind) for c in changes] == [(editor, "segments"), (manager, "segments"),
                                                             (editor, "segments")]  # fmt: skip
    text_edit = changes[-1]

    client.force_login(manager)
    response = client.post(
        restore_url(segment),
        {"edit": text_edit.edit.pk, "which": "after", "version": current_version(segment.pk)},
        headers=HX,
    )
    assert response.status_code == 200
    assert as_stored(segment.pk) == after_text_edit == (0, 4000, "Salut à tous, bienvenue.", speaker.pk)
    body = html.unescape(response.content.decode())
    assert "Restored the segment at 00:00:00.000 as it was after the change of" in body
    assert f'id="seg-{segment.pk}"' in body  # the restored row, for the editor

    restore = ScriptEdit.objects.filter(kind="restore").get()
    assert restore.user == manager and restore.before[0]["target_text"] == "Salut à"

    editing.undo(project, by=manager)  # the restore is the manager's last edit
    assert as_stored(segment.pk) == first_half
    # …and the undo is in the segment's history too, by the manager.
    _, changes = segment_history.history_page(project, segment.pk, 1)
    assert (changes[0].edit.kind, changes[0].edit.user) == ("undo", manager)


def test_restoring_the_version_before_the_first_change_brings_back_the_original(
    client, project, segment, editor
):
    editing.save_segment(
        project, segment.pk, {"target_text": "Autre chose.", "end_ms": 3000}, version=1, by=editor
    )
    edit = ScriptEdit.objects.get()
    client.force_login(editor)
    response = client.post(
        restore_url(segment), {"edit": edit.pk, "which": "before", "version": 2}, headers=HX
    )
    assert response.status_code == 200
    assert as_stored(segment.pk)[:3] == (0, 4000, "Bonjour à tous et bienvenue.")


def test_a_restore_after_someone_else_changed_the_segment_is_a_conflict_and_overwrites_nothing(
    client, project, segment, editor, manager
):
    editing.save_segment(project, segment.pk, {"target_text": "Première."}, version=1, by=editor)
    edit = ScriptEdit.objects.get()
    opened_at_version = 2  # the version the panel was opened at
    editing.save_segment(project, segment.pk, {"target_text": "Celle du manager."}, version=2, by=manager)
    client.force_login(editor)
    response = client.post(
        restore_url(segment), {"edit": edit.pk, "which": "before", "version": opened_at_version}, headers=HX
    )
    assert response.status_code == 409
    assert "changed since you opened its history" in html.unescape(response.content.decode())
    assert as_stored(segment.pk)[2] == "Celle du manager."
    assert ScriptEdit.objects.count() == 2


def test_a_restore_names_only_versions_of_that_segment(client, project, segment, editor):
    other = SegmentFactory(project=project, start_ms=5000, end_ms=6000, target_text="Autre.")
    editing.save_segment(project, other.pk, {"target_text": "Changé."}, version=1, by=editor)
    edit = ScriptEdit.objects.get()
    client.force_login(editor)
    response = client.post(
        restore_url(segment), {"edit": edit.pk, "which": "before", "version": 1}, headers=HX
    )
    assert response.status_code == 422
    assert as_stored(segment.pk)[2] == "Bonjour à tous et bienvenue."


# --- the panel -------------------------------------------------------------------------------------------


def test_the_panel_shows_who_when_a_word_diff_and_the_timing_change(client, project, segment, editor, viewer):
    editing.save_segment(
        project, segment.pk, {"target_text": "Bonjour à <b>toutes</b> et bienvenue.", "start_ms": 250},
        version=1, by=editor,
    )  # fmt: skip
    client.force_login(viewer)
    page = client.get(history_url(segment), headers=HX).content.decode()
    assert "eddie" in page
    # Only the changed words are marked, and what people typed is escaped.
    assert "<del>tous </del><ins>&lt;b&gt;toutes&lt;/b&gt; </ins>" in page
    assert "<b>toutes</b>" not in page
    assert 'Start: <span class="tc"><del>00:00:00.000</del> → <ins>00:00:00.250</ins>' in page


def test_a_viewer_sees_the_history_but_cannot_restore(client, project, segment, editor, viewer):
    editing.save_segment(project, segment.pk, {"target_text": "Changé."}, version=1, by=editor)
    edit = ScriptEdit.objects.get()
    client.force_login(viewer)
    page = client.get(history_url(segment), headers=HX).content.decode()
    assert "Changé." in page and "Restore" not in page
    response = client.post(
        restore_url(segment), {"edit": edit.pk, "which": "before", "version": 2}, headers=HX
    )
    assert response.status_code == 403
    assert as_stored(segment.pk)[2] == "Changé."


def test_another_team_gets_404_for_history_and_restore(client, project, segment, editor, outsider):
    editing.save_segment(project, segment.pk, {"target_text": "Changé."}, version=1, by=editor)
    edit = ScriptEdit.objects.get()
    client.force_login(outsider)
    assert client.get(history_url(segment)).status_code == 404
    response = client.post(restore_url(segment), {"edit": edit.pk, "which": "before", "version": 2})
    assert response.status_code == 404
    assert as_stored(segment.pk)[2] == "Changé."
    assert client.get(reverse("projects:project-activity", args=[project.pk])).status_code == 404


def test_a_long_history_is_paged_at_a_fixed_query_cost(
    client, project, segment, editor, django_assert_max_num_queries
):
    for n in range(25):
        editing.save_segment(project, segment.pk, {"target_text": f"Version {n}"}, version=n + 1, by=editor)
    client.force_login(editor)
    # session, user, project with role, segment, count, page of edits (with their people), speakers' names
    with django_assert_max_num_queries(7):
        first = client.get(history_url(segment), headers=HX).content.decode()
    assert "Version 24" in first and "Version 10" not in first and "Older changes" in first
    last = client.get(history_url(segment) + "?page=3", headers=HX).content.decode()
    assert "Version 0" in last and "Restore the version before this change" in last


def test_a_segments_history_is_one_index_read_in_the_link_table(project, segment, editor):
    editing.save_segment(project, segment.pk, {"target_text": "Un."}, version=1, by=editor)
    editing.split_segment(project, segment.pk, version=2, text_cursor=2, by=editor)
    second = Segment.objects.exclude(pk=segment.pk).get()
    # Both halves link to the split; only the first to the text edit.
    assert EditedSegment.objects.filter(segment_id=segment.pk).count() == 2
    assert list(EditedSegment.objects.filter(segment_id=second.pk).values_list("edit__label", flat=True)) == [
        "Split the segment at 00:00:02.667"
    ]


# --- speakers and project settings ----------------------------------------------------------------------


def test_speaker_changes_are_recorded_with_before_and_after(client, project, speaker, editor):
    client.force_login(editor)
    client.post(reverse("projects:speaker-create", args=[project.pk]), {"name": "Ben", "style": "masculine"})
    client.post(
        reverse("projects:speaker-save", args=[project.pk, speaker.pk]),
        {"name": "Anna", "style": "feminine", "voice_key": "soundalike", "modelslab_voice_id": ""},
    )
    ben = project.speakers.get(name="Ben")
    client.post(reverse("projects:speaker-delete", args=[project.pk, ben.pk]))
    records = list(ScriptEdit.objects.filter(kind="speakers").order_by("id"))
    assert [(r.user, r.label) for r in records] == [
        (editor, "Added the speaker Ben"),
        (editor, "Changed the speaker Anna: Dubformer voice key"),
        (editor, "Deleted the speaker Ben"),
    ]
    assert records[0].before == [] and records[0].after[0]["name"] == "Ben"
    assert records[1].before == [{"id": speaker.pk, "voice_key": ""}]
    assert records[1].after == [{"id": speaker.pk, "voice_key": "soundalike"}]
    assert records[2].before[0]["style"] == "masculine" and records[2].after == []


def test_saving_a_speaker_unchanged_records_nothing(client, project, speaker, editor):
    client.force_login(editor)
    client.post(
        reverse("projects:speaker-save", args=[project.pk, speaker.pk]),
        {"name": "Anna", "style": speaker.style, "voice_key": "", "modelslab_voice_id": ""},
    )
    assert not ScriptEdit.objects.exists()


def test_a_project_setting_change_is_recorded_with_before_and_after(client, project, owner):
    client.force_login(owner)
    client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": project.title, "source_video_url": project.source_video_url, "source_language": "en-US",
         "target_language": "de-DE", "video_duration_ms": "1:00", "status": "draft"},
    )  # fmt: skip
    change = ScriptEdit.objects.get(kind="project")
    assert change.user == owner and change.label == "Changed video duration, target language"
    assert change.before == [{"id": project.pk, "video_duration_ms": None, "target_language": "fr-FR"}]
    assert change.after == [{"id": project.pk, "video_duration_ms": 60_000, "target_language": "de-DE"}]


# --- the feeds -------------------------------------------------------------------------------------------


def _at(edit_or_qs, when):
    edit_or_qs.update(created_at=when)


def test_the_project_feed_lists_every_step_with_its_person(client, project, segment, editor, manager, viewer):
    start = timezone.now() - datetime.timedelta(hours=1)
    steps = [
        lambda: editing.save_segment(project, segment.pk, {"target_text": "Salut."}, version=1, by=editor),
        lambda: editing.shift_segments(project, delta_ms=500, segment_pks=[segment.pk], by=manager),
        lambda: editing.split_segment(project, segment.pk, version=3, text_cursor=3, by=editor),
    ]
    for minute, step in enumerate(steps):
        step()
        _at(
            ScriptEdit.objects.filter(pk=ScriptEdit.objects.latest("id").pk),
            start + datetime.timedelta(minutes=minute),
        )
    Activity.objects.create(
        project=project, actor=manager, verb="submission", message="Asked for: Re-translation"
    )
    client.force_login(viewer)
    page = html.unescape(client.get(reverse("projects:project-activity", args=[project.pk])).content.decode())
    flat = " ".join(re.sub(r"<[^>]+>", "", page).split())
    steps_newest_first = [
        "manny — Asked for: Re-translation",
        "eddie split the segment at 00:00:02.500",
        "manny shifted 1 segment by +500 ms",
        "eddie changed the text at 00:00:00.000",
    ]
    positions = [flat.find(step) for step in steps_newest_first]
    assert -1 not in positions and positions == sorted(positions), flat


def test_edits_in_one_minute_by_one_person_are_one_entry(project, editor, manager):
    segments = make_segments(project, 9)
    for s in segments[:7]:
        editing.save_segment(project, s.pk, {"target_text": "x"}, version=1, by=editor)
    editing.save_segment(project, segments[0].pk, {"target_text": "y"}, version=2, by=editor)
    editing.save_segment(project, segments[8].pk, {"target_text": "z"}, version=1, by=manager)
    ScriptEdit.objects.update(created_at=timezone.now().replace(second=10))
    entries = feed.project_feed(project).entries
    words = sorted((e.who, e.words) for e in entries)
    assert words == [
        ("eddie", "edited 7 segments (8 changes)"),
        ("manny", "changed the text at 00:00:16.000"),
    ]


def test_the_team_feed_mixes_the_teams_projects_and_names_them(client, team, editor, other_team, outsider):
    first = ProjectFactory(team=team, title="Pilot")
    second = ProjectFactory(team=team, title="Finale")
    hidden = ProjectFactory(team=other_team, title="Their secret")
    for project, who in ((first, editor), (second, editor), (hidden, outsider)):
        s = SegmentFactory(project=project, start_ms=0, end_ms=1000)
        editing.save_segment(project, s.pk, {"target_text": "new"}, version=1, by=who)
    client.force_login(editor)
    page = client.get(reverse("projects:team-activity")).content.decode()
    assert "Pilot" in page and "Finale" in page and "Their secret" not in page
    assert client.get(reverse("projects:team-activity") + "?team=red").status_code == 404


@pytest.mark.parametrize("count", [10, 1000])
def test_feeds_cost_the_same_queries_at_10_and_1000_entries(client, team, editor, count):
    project = ProjectFactory(team=team)
    people = [UserFactory(username=f"person{n}") for n in range(5)]
    base = timezone.now() - datetime.timedelta(days=3)
    ScriptEdit.objects.bulk_create(
        ScriptEdit(
            project=project,
            user=people[n % 5],
            kind="segments",
            label=f"Edit {n}",
            created_at=base + datetime.timedelta(minutes=n),
        )  # fmt: skip
        for n in range(count)
    )
    Activity.objects.bulk_create(
        Activity(project=project, actor=editor, verb="submission", message=f"Job {n}")
        for n in range(count // 10)
    )
    client.force_login(editor)
    for url in (reverse("projects:project-activity", args=[project.pk]), reverse("projects:team-activity")):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + "?page=2")
        assert response.status_code == 200
        # session, user, project with role (the team feed: memberships, teams), window start, page, people, projects
        assert len(queries) <= 8, "\n".join(q["sql"] for q in queries)
    page = response.content.decode()
    entries = page.count('class="feed-entry')
    assert (entries, 'rel="next"' in page) == ((30, True) if count == 1000 else (0, False))


# --- undo keeps working over the longer trail ------------------------------------------------------------


def test_undo_reaches_back_a_hundred_edits_and_the_trail_keeps_them_all(project, segment, editor):
    for n in range(120):
        editing.save_segment(project, segment.pk, {"target_text": f"V{n}"}, version=n + 1, by=editor)
    assert ScriptEdit.objects.filter(kind="segments").count() == 120
    for _ in range(100):
        editing.undo(project, by=editor)
    assert as_stored(segment.pk)[2] == "V19"
    with pytest.raises(editing.EditError, match="Nothing to undo"):
        editing.undo(project, by=editor)


def test_speaker_and_project_records_are_not_undone_by_undo(client, project, segment, editor, speaker):
    editing.save_segment(project, segment.pk, {"target_text": "Mine."}, version=1, by=editor)
    client.force_login(editor)
    client.post(reverse("projects:speaker-create", args=[project.pk]), {"name": "Ben", "style": "masculine"})
    editing.undo(project, by=editor)  # the text, not the speaker
    assert as_stored(segment.pk)[2] == "Bonjour à tous et bienvenue."
    assert project.speakers.filter(name="Ben").exists()


def test_a_speakers_records_survive_in_other_projects_feeds_untouched(project, editor):
    other = ProjectFactory(team=project.team)
    SpeakerFactory(project=other)
    assert feed.project_feed(project).entries == []


def test_a_change_made_in_the_admin_is_in_the_trail_too(client, project, speaker):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pass-for-tests")
    client.force_login(admin)
    url = reverse("admin:projects_speaker_change", args=[speaker.pk])
    response = client.post(url, {"project": project.pk, "speaker_id": 1, "name": "Anna B.", "style": "feminine",
                                 "voice_key": "", "modelslab_voice_id": ""})  # fmt: skip
    assert response.status_code == 302
    change = ScriptEdit.objects.get()
    assert (change.user, change.kind) == (admin, "speakers")
    assert change.label == "Changed name in the admin: speaker “Anna B. (#1)”"
    assert (change.before, change.after) == (
        [{"id": speaker.pk, "name": "Anna"}],
        [{"id": speaker.pk, "name": "Anna B."}],
    )


def test_the_admin_shows_the_trail_and_projects_without_simple_history(client, project, segment, editor):
    from django.contrib.auth import get_user_model

    editing.save_segment(project, segment.pk, {"target_text": "Changé."}, version=1, by=editor)
    client.force_login(
        get_user_model().objects.create_superuser("root", "root@example.com", "pass-for-tests")
    )
    assert client.get(reverse("admin:projects_project_change", args=[project.pk])).status_code == 200
    trail = client.get(reverse("admin:projects_scriptedit_changelist")).content.decode()
    assert "Changed the text at 00:00:00.000" in trail


def test_someone_in_no_team_sees_an_explanation_on_the_activity_page(client, db):
    client.force_login(UserFactory(username="loner"))
    page = client.get(reverse("projects:team-activity")).content.decode()
    assert "You are not in a team yet" in page


@pytest.mark.parametrize("window", [1, 2, 1000])
def test_a_page_read_through_a_window_of_recent_edits_is_the_same_page(
    project, editor, manager, monkeypatch, window
):
    """Bursts of edits in one minute collapse into one entry: a window too short for the page is
    widened, never a page with entries missing or cut groups."""
    base = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=2)
    ScriptEdit.objects.bulk_create(
        ScriptEdit(
            project=project,
            user=(editor, manager)[n % 2],
            label=f"Edit {n}",
            created_at=base + datetime.timedelta(seconds=7 * n),
        )  # fmt: skip
        for n in range(120)
    )
    monkeypatch.setattr(feed, "WINDOW_EDITS", window)
    pages = [
        [(e.who, e.at, e.changes) for e in feed.project_feed(project, n, per_page=4).entries]
        for n in (1, 2, 5)
    ]
    monkeypatch.setattr(feed, "WINDOW_EDITS", 10**6)
    assert pages == [[(e.who, e.at, e.changes) for e in feed.project_feed(project, n, per_page=4).entries]
                     for n in (1, 2, 5)]  # fmt: skip
    assert all(len(page) == 4 for page in pages)


def test_an_import_and_a_restore_are_recorded_with_their_backups(client, project, segment, manager):
    from projects.models import ScriptSnapshot
    from projects.services import scripts

    text = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Hello.\n"
    staged = scripts.stage_import(project, filename="one.vtt", raw=text, by=manager, max_bytes=10_000)
    scripts.apply_import(staged, by=manager)
    client.force_login(manager)
    imported = ScriptEdit.objects.get(kind="script")
    backup = ScriptSnapshot.objects.get()
    assert imported.user == manager
    assert imported.label == "Imported 1 segment from one.vtt (the previous script is kept as a backup)"
    assert imported.before == [{"backup": backup.pk}] and list(imported.after[0]) == ["import"]
    client.post(reverse("projects:backup-restore", args=[project.pk, backup.pk]))
    restored = ScriptEdit.objects.filter(kind="script").latest("id")
    assert restored.after == [{"backup": backup.pk}] and restored.before[0]["backup"] != backup.pk
    assert Segment.objects.get(project=project).target_text == "Bonjour à tous et bienvenue."


def test_after_a_shift_of_many_segments_a_history_shows_just_that_segments_timing(client, project, editor):
    segments = make_segments(project, 800)
    editing.shift_segments(project, delta_ms=250, from_ms=0, by=editor)
    client.force_login(editor)
    page = client.get(history_url(segments[400]), headers=HX).content.decode()
    assert 'Start: <span class="tc"><del>00:13:20.000</del> → <ins>00:13:20.250</ins>' in page
    assert page.count('class="history-item"') == 1 and "00:13:22.000" not in page
