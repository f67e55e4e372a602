"""The editor's page and HTMX endpoints, as a browser would call them."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ScriptEdit, Segment

from .factories import ProjectFactory, SegmentFactory, SpeakerFactory, make_segments

HX = {"HX-Request": "true"}


@pytest.fixture
def segment(project, speaker):
    return SegmentFactory(
        project=project, start_ms=1000, end_ms=3000, target_text="Bonjour.", speaker=speaker
    )


def save(client, segment, **data):
    url = reverse("projects:segment-save", args=[segment.project_id, segment.pk])
    return client.post(
        url, {"version": segment.version, **data}, headers={**HX, "HX-Target": f"seg-{segment.pk}"}
    )


def test_editor_shows_editable_rows_to_editors_and_plain_rows_to_viewers(
    client, editor, viewer, project, segment
):
    client.force_login(editor)
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    assert 'id="seg-editor"' in page and "Bonjour." in page
    assert page.count("<textarea") == 1  # one editor, whatever the number of rows
    client.force_login(viewer)
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    assert "Bonjour." in page and "<textarea" not in page and 'data-command="undo"' not in page


def test_saving_text_answers_the_row_and_keeps_it(client, editor, project, segment):
    client.force_login(editor)
    response = save(client, segment, field="target_text", target_text="  Salut à tous.  ")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="seg-{segment.pk}"' in body and "Salut à tous." in body and "Saved" in body
    assert "hx-swap-oob" not in body.split(f'id="seg-{segment.pk}"')[0][-200:]
    segment.refresh_from_db()
    assert (segment.target_text, segment.version) == ("Salut à tous.", 2)
    assert response.headers["HX-Trigger"].startswith('{"script-changed"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": "end", "end": "00:00:00.500"}, "must be after the start"),
        ({"field": "start", "start": "soon"}, "is not a time"),
        ({"field": "start", "start": "-1"}, "is not a time"),
        ({"field": "target_text", "target_text": "   "}, "cannot be empty"),
        ({"field": "speaker", "speaker": "999999"}, "Choose one of this project's speakers"),
    ],
)
def test_refused_input_keeps_the_segment_and_says_why_next_to_the_field(
    client, editor, project, segment, data, message
):
    client.force_login(editor)
    response = save(client, segment, **data)
    assert response.status_code == 422
    body = html.unescape(response.content.decode())
    assert message in body and "Nothing was saved." in body
    field = data["field"]
    assert f'data-invalid="{field}"' in body  # the editor marks that field
    assert (
        f'data-typed-{field.replace("_", "-")}="{html.escape(data[field])}"' in body
    )  # what was typed stays
    segment.refresh_from_db()
    assert (segment.start_ms, segment.end_ms, segment.target_text, segment.version) == (
        1000,
        3000,
        "Bonjour.",
        1,
    )


def test_timing_past_the_videos_end_is_refused(client, editor, project, segment):
    project.video_duration_ms = 2500
    project.save()
    client.force_login(editor)
    response = save(client, segment, field="end", end="00:00:02.600")
    assert response.status_code == 422
    assert "past the video's end (00:00:02.500)" in html.unescape(response.content.decode())


def test_stale_save_gets_the_conflict_panel_and_overwrites_nothing(client, editor, manager, project, segment):
    other = Client()
    other.force_login(manager)
    assert save(other, segment, field="target_text", target_text="Their words").status_code == 200
    client.force_login(editor)
    response = save(client, segment, field="target_text", target_text="My words")  # still version 1
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this segment" in body and "Their words" in body and "My words" in body
    assert "Keep mine" in body and "Take theirs" in body
    assert 'data-version="2"' in body  # keeping mine saves against their version
    segment.refresh_from_db()
    assert segment.target_text == "Their words"


def test_a_speaker_of_another_project_cannot_be_given(client, editor, project, segment):
    stranger = SpeakerFactory(project=ProjectFactory(team=project.team), speaker_id=5)
    client.force_login(editor)
    assert save(client, segment, field="speaker", speaker=str(stranger.pk)).status_code == 422
    segment.refresh_from_db()
    assert segment.speaker.name == "Anna"


def test_script_text_is_escaped_in_rows(client, editor, project, segment):
    client.force_login(editor)
    body = save(
        client,
        segment,
        field="target_text",
        target_text='<script>alert(1)</script><img src=x onerror="alert(2)">',
    ).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_split_answers_both_rows_out_of_band(client, editor, project, segment):
    client.force_login(editor)
    response = client.post(
        reverse("projects:segment-split", args=[project.pk, segment.pk]),
        {"version": 1, "at_ms": 2000},
        headers=HX,
    )
    body = response.content.decode()
    new = Segment.objects.exclude(pk=segment.pk).get()
    assert f'id="seg-{segment.pk}"' in body and 'hx-swap-oob="true"' in body
    assert 'hx-swap-oob="beforeend:#segment-list"' in body and f'id="seg-{new.pk}"' in body
    assert "Split the segment at 00:00:02.000" in body


def test_delete_then_undo_brings_the_segment_back(client, editor, project, segment):
    client.force_login(editor)
    body = client.post(
        reverse("projects:segments-delete", args=[project.pk]), {"segments": segment.pk}, headers=HX
    ).content.decode()
    assert f'<div id="seg-{segment.pk}" hx-swap-oob="delete">' in body
    assert not Segment.objects.exists()
    body = client.post(reverse("projects:undo", args=[project.pk]), headers=HX).content.decode()
    assert Segment.objects.get().target_text == "Bonjour."
    assert f'id="seg-{segment.pk}"' in body


def test_shift_form_errors_are_explained(client, editor, project, segment):
    client.force_login(editor)
    response = client.post(
        reverse("projects:segments-shift", args=[project.pk]), {"delta_ms": "abc", "scope": "all"}, headers=HX
    )
    assert response.status_code == 422
    assert "Enter a whole number" in response.content.decode()


def test_find_and_replace_previews_then_applies(client, editor, project, segment):
    client.force_login(editor)
    preview = client.get(
        reverse("projects:replace-preview", args=[project.pk]),
        {"find": "bonjour", "replace": "Salut"},
        headers=HX,
    )
    assert (
        "1 segment will change" in preview.content.decode()
        and "<ins>Salut.</ins>" in preview.content.decode()
    )
    segment.refresh_from_db()
    assert segment.target_text == "Bonjour."
    client.post(
        reverse("projects:replace-apply", args=[project.pk]),
        {"find": "bonjour", "replace": "Salut"},
        headers=HX,
    )
    segment.refresh_from_db()
    assert segment.target_text == "Salut."


def test_the_rest_of_a_long_script_streams_in_after_the_first_screen(client, viewer, project, speaker):
    make_segments(project, 700, speaker=speaker)
    client.force_login(viewer)
    page = client.get(reverse("projects:editor", args=[project.pk])).content.decode()
    seen = page.count('role="listitem"')
    rows_url = reverse("projects:segment-rows", args=[project.pk])
    next_url = re.search(r'class="seg-more" data-next="([^"]+)"', page).group(1)
    while next_url:
        assert next_url.startswith(rows_url + "?after=")
        chunk = client.get(html.unescape(next_url), headers=HX).content.decode()
        seen += chunk.count('role="listitem"')
        found = re.search(r'class="seg-more" data-next="([^"]+)"', chunk)
        next_url = found.group(1) if found else None
    assert seen == 700


def test_filters_narrow_the_rows(client, editor, project, segment, speaker):
    SegmentFactory(project=project, start_ms=5000, end_ms=6000, target_text="Au revoir.", speaker=None)
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    assert "Au revoir." not in client.get(url, {"q": "bonj"}, headers=HX).content.decode()
    body = client.get(url, {"speaker": "none"}, headers=HX).content.decode()
    assert "Au revoir." in body and "Bonjour." not in body
    assert "Au revoir." in client.get(url, {"flag": "no_speaker"}, headers=HX).content.decode()


def test_deleting_a_speaker_still_speaking_is_refused_with_the_count(
    client, editor, project, segment, speaker
):
    client.force_login(editor)
    response = client.post(reverse("projects:speaker-delete", args=[project.pk, speaker.pk]), headers=HX)
    assert response.status_code == 409
    assert "Anna still speaks 1 segment; give them to someone else first." in html.unescape(
        response.content.decode()
    )
    assert project.speakers.count() == 1


def test_speakers_can_be_added_renamed_and_given_voices(client, editor, project, speaker):
    client.force_login(editor)
    client.post(
        reverse("projects:speaker-create", args=[project.pk]),
        {"name": "Ben", "style": "masculine"},
        headers=HX,
    )
    ben = project.speakers.get(name="Ben")
    assert ben.speaker_id == 2
    response = client.post(
        reverse("projects:speaker-save", args=[project.pk, ben.pk]),
        {"name": "Benoît", "style": "masculine", "voice_key": "soundalike", "modelslab_voice_id": "henry"},
        headers=HX,
    )
    assert '"speakers-changed"' in response.headers["HX-Trigger"]
    ben.refresh_from_db()
    assert (ben.name, ben.voice_key, ben.modelslab_voice_id) == ("Benoît", "soundalike", "henry")
    duplicate = client.post(
        reverse("projects:speaker-create", args=[project.pk]),
        {"name": "anna", "style": "feminine"},
        headers=HX,
    )
    assert duplicate.status_code == 422 and "already a speaker called anna" in duplicate.content.decode()


# --- every endpoint: outsiders get 404, requests without a CSRF token 403 ---------------------------------

POST_ENDPOINTS = [
    ("projects:segment-save", True, {"field": "target_text", "target_text": "x", "version": 1}),
    ("projects:segment-split", True, {"version": 1}),
    ("projects:segment-merge", True, {"version": 1}),
    ("projects:segment-insert", False, {}),
    ("projects:segments-delete", False, {"segments": "SEG"}),
    ("projects:segments-shift", False, {"delta_ms": 100, "scope": "all"}),
    ("projects:segments-speaker", False, {"segments": "SEG"}),
    ("projects:undo", False, {}),
    ("projects:redo", False, {}),
    ("projects:replace-apply", False, {"find": "Bon", "replace": "x"}),
    ("projects:speaker-create", False, {"name": "Zed", "style": "feminine"}),
    ("projects:speaker-save", "SPEAKER", {"name": "Hacked", "style": "feminine"}),
    ("projects:speaker-delete", "SPEAKER", {}),
]
GET_ENDPOINTS = [
    "projects:editor",
    "projects:segment-rows",
    "projects:quality-summary",
    "projects:replace-preview",
]


def _url(name, project, segment, per_segment):
    if per_segment == "SPEAKER":
        return reverse(name, args=[project.pk, segment.speaker_id])
    return reverse(name, args=[project.pk, segment.pk] if per_segment else [project.pk])


def _data(data, segment):
    return {key: (segment.pk if value == "SEG" else value) for key, value in data.items()}


@pytest.mark.parametrize(("name", "per_segment", "data"), POST_ENDPOINTS, ids=[e[0] for e in POST_ENDPOINTS])
def test_htmx_posts_are_not_found_for_outsiders(client, outsider, project, segment, name, per_segment, data):
    client.force_login(outsider)
    response = client.post(_url(name, project, segment, per_segment), _data(data, segment), headers=HX)
    assert response.status_code == 404
    segment.refresh_from_db()
    assert (segment.target_text, segment.version, segment.speaker.name) == ("Bonjour.", 1, "Anna")


@pytest.mark.parametrize(("name", "per_segment", "data"), POST_ENDPOINTS, ids=[e[0] for e in POST_ENDPOINTS])
def test_htmx_posts_need_the_csrf_token(editor, project, segment, name, per_segment, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(_url(name, project, segment, per_segment), _data(data, segment), headers=HX)
    assert response.status_code == 403
    segment.refresh_from_db()
    assert (segment.target_text, segment.version) == ("Bonjour.", 1)


@pytest.mark.parametrize(("name", "per_segment", "data"), POST_ENDPOINTS, ids=[e[0] for e in POST_ENDPOINTS])
def test_viewers_cannot_edit(client, viewer, project, segment, name, per_segment, data):
    client.force_login(viewer)
    assert (
        client.post(_url(name, project, segment, per_segment), _data(data, segment), headers=HX).status_code
        == 403
    )


@pytest.mark.parametrize("name", GET_ENDPOINTS)
def test_htmx_reads_are_not_found_for_outsiders(client, outsider, project, segment, name):
    client.force_login(outsider)
    response = client.get(reverse(name, args=[project.pk]), {"find": "Bon"}, headers=HX)
    assert response.status_code == 404
    assert "Bonjour" not in response.content.decode()


def test_speaker_endpoints_are_not_found_for_outsiders(client, outsider, project, speaker):
    client.force_login(outsider)
    for name in ("projects:speaker-save", "projects:speaker-delete"):
        assert (
            client.post(
                reverse(name, args=[project.pk, speaker.pk]), {"name": "Hacked"}, headers=HX
            ).status_code
            == 404
        )
    speaker.refresh_from_db()
    assert speaker.name == "Anna"


# --- query counts --------------------------------------------------------------------------------------


# Outside a test transaction, so that the save's own transaction is BEGIN/COMMIT as in production
# (not savepoints); those two transaction statements are not counted as queries.
@pytest.mark.django_db(transaction=True)
def test_one_save_runs_at_most_8_queries_and_11_when_it_moves_the_panels(client, editor, project, segment):
    make_segments(project, 50)
    client.force_login(editor)
    client.get(reverse("projects:editor", args=[project.pk]))

    def statements_of(**data):
        current = Segment.objects.get(pk=segment.pk)
        with CaptureQueriesContext(connection) as captured:
            response = save(client, current, **data)
        assert response.status_code == 200
        statements = [
            q["sql"] for q in captured.captured_queries if not re.match(r"(BEGIN|COMMIT)", q["sql"])
        ]
        return response.content.decode(), statements

    # New wording, no new problem: the panels above the list show what they showed; none is sent.
    page, statements = statements_of(field="target_text", target_text="Salut.")
    assert len(statements) <= 8, "\n".join(statements)
    assert 'id="quality-summary"' not in page and 'id="review-progress"' not in page
    # A text far too long for its slot: a problem more. The answer carries the quality summary and the
    # review progress (stored counts, open comments, last push: 3 queries); the page asks for nothing after.
    page, statements = statements_of(field="target_text", target_text="Salut à tous, " * 20)
    assert len(statements) <= 11, "\n".join(statements)
    summary = page[page.index('<section id="quality-summary"') :]
    assert 'hx-swap-oob="true"' in summary[: summary.index(">")]
    assert "Too long to speak <strong>1</strong>" in summary
    assert '<section id="review-progress"' in page
    assert ScriptEdit.objects.count() == 2


def test_editor_page_runs_the_same_queries_for_10_and_3000_segments(client, editor, team):
    counts = []
    for size in (10, 3000):
        project = ProjectFactory(team=team)
        make_segments(project, size, speaker=SpeakerFactory(project=project, speaker_id=1))
        client.force_login(editor)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:editor", args=[project.pk])).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("count", [10, 3000])
def test_editor_page_queries_do_not_grow_with_segments(
    client, editor, project, speaker, count, django_assert_max_num_queries
):
    make_segments(project, count, speaker=speaker)
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:editor", args=[project.pk]))
    assert response.status_code == 200
    assert "Ligne cible 0" in response.content.decode()


def test_the_project_page_says_who_changed_what(client, editor, viewer, project, segment):
    client.force_login(editor)
    save(client, segment, field="target_text", target_text="Salut.")
    client.force_login(viewer)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "eddie" in page and "changed the text at 00:00:01.000" in page


def test_a_speaker_conflict_keeps_my_choice_in_the_menu(client, editor, manager, project, segment):
    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben")
    carla = SpeakerFactory(project=project, speaker_id=3, name="Carla")
    other = Client()
    other.force_login(manager)
    save(other, segment, field="speaker", speaker=str(ben.pk))
    client.force_login(editor)
    body = save(client, segment, field="speaker", speaker=str(carla.pk)).content.decode()
    assert f'data-typed-speaker="{carla.pk}"' in body  # "Keep mine" re-sends Carla
    assert "<dt>Theirs</dt><dd>Ben</dd>" in body


# --- the speakers panel warns about a voice key Dubformer's catalogue does not have ----------------------

FRENCH_VOICES = ([("53f154:fr-FR-DeniseNeural", "Denise · fr-FR · feminine")], "")


def _save_voice(client, project, speaker, key):
    return client.post(
        reverse("projects:speaker-save", args=[project.pk, speaker.pk]),
        {"name": speaker.name, "style": speaker.style, "voice_key": key, "modelslab_voice_id": ""},
        headers=HX,
    )


def test_a_voice_key_not_in_the_catalogue_is_saved_with_a_warning_next_to_it(
    client, editor, project, speaker, monkeypatch
):
    from projects.services import voices

    monkeypatch.setattr(voices, "dubformer_voices", lambda project: FRENCH_VOICES)
    client.force_login(editor)
    body = html.unescape(_save_voice(client, project, speaker, "53f154:de-DE-KatjaNeural").content.decode())
    speaker.refresh_from_db()
    assert speaker.voice_key == "53f154:de-DE-KatjaNeural"  # saved anyway
    assert "“53f154:de-DE-KatjaNeural” is not in Dubformer's voice catalogue for" in body
    assert f'aria-describedby="speaker-{speaker.pk}-voice-warning"' in body
    assert "not in Dubformer's catalogue for this language" in body  # said in the status message too
    # A key from the catalogue, or a built-in one, gets no warning.
    for key in ("53f154:fr-FR-DeniseNeural", "soundalike", ""):
        assert "voice-warning" not in _save_voice(client, project, speaker, key).content.decode()


def test_without_the_catalogue_any_voice_key_is_saved_without_a_warning(
    client, editor, project, speaker, monkeypatch
):
    from projects.services import voices

    monkeypatch.setattr(
        voices, "dubformer_voices", lambda project: ([], "Dubformer's voice catalogue is not available")
    )
    client.force_login(editor)
    body = _save_voice(client, project, speaker, "some:custom-voice").content.decode()
    speaker.refresh_from_db()
    assert speaker.voice_key == "some:custom-voice" and "voice-warning" not in body
