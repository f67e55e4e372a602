"""Importing and exporting a script from the project page; backups; nothing half-imported."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import ScriptEdit, ScriptImport, ScriptSnapshot, Segment, Speaker

from .factories import SpeakerFactory, make_segments

DATA = Path(__file__).parent / "data"


def upload(client, project, name, content, **fields):
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {
        "file": SimpleUploadedFile(name, content),
        "text_column": "target",
        "speaker_prefixes": "on",
        **fields,
    }
    return client.post(reverse("projects:import", args=[project.pk]), data)


def script_rows(project):
    return list(project.segments.values_list("start_ms", "end_ms", "target_text", "speaker__name"))


def test_import_into_an_empty_project_applies_at_once(client, editor, project):
    client.force_login(editor)
    # WebVTT voice tags name the speakers outright: nothing is guessed, so nothing to confirm.
    response = upload(client, project, "keynote.vtt", (DATA / "keynote.vtt").read_bytes())
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert script_rows(project)[0] == (800, 3150, "Welcome, everyone, to the launch.", "Anna")
    assert list(project.speakers.values_list("speaker_id", "name")) == [(1, "Anna"), (2, "Ben")]
    assert ScriptEdit.objects.filter(project=project, kind="script", user=editor).count() == 1
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Imported 3 segments and 2 speakers from keynote.vtt." in page


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("keynote.srt", "srt"),
        ("keynote.vtt", "vtt"),
        ("get_project_ready.json", "dubformer"),
        ("keynote.csv", "csv"),
    ],
)
def test_every_format_imports_from_the_page(client, editor, project, name, fmt):
    client.force_login(editor)
    response = upload(client, project, name, (DATA / name).read_bytes())
    assert response.status_code == 302
    if response.url != project.get_absolute_url():  # speakers guessed from "Name:": shown first
        client.post(response.url, {"confirm": "1"})
    assert project.segments.count() >= 2
    assert ScriptImport.objects.get(project=project).file_format == fmt


def test_replacing_a_script_asks_first_and_keeps_a_backup(client, editor, project, speaker):
    make_segments(project, 5, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)

    response = upload(client, project, "new.srt", (DATA / "keynote.srt").read_bytes())
    staged = ScriptImport.objects.get(project=project)
    assert response.url == reverse("projects:import-confirm", args=[project.pk, staged.pk])
    assert script_rows(project) == before  # nothing changes until confirmed

    page = client.get(response.url).content.decode()
    assert "Replace the script?" in page and "replace the current script of <strong>5</strong>" in page
    assert "Welcome, everyone, to the launch." in page

    client.post(response.url, {"confirm": "1"})
    assert len(script_rows(project)) == 3
    snapshot = ScriptSnapshot.objects.get(project=project)
    assert snapshot.segment_count == 5 and snapshot.reason == "Before importing new.srt"
    # The speaker Anna from the file is the project's existing Anna, voice settings and all.
    assert Speaker.objects.filter(project=project, name="Anna").count() == 1


def test_cancelling_an_import_changes_nothing(client, editor, project, speaker):
    make_segments(project, 2, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)
    confirm_url = upload(client, project, "new.srt", (DATA / "keynote.srt").read_bytes()).url
    client.post(confirm_url, {"cancel": "1"})
    assert script_rows(project) == before
    assert ScriptImport.objects.get().status == "cancelled"
    # Confirming afterwards (another tab) does nothing either.
    response = client.post(confirm_url, {"confirm": "1"}, follow=True)
    assert "already cancelled" in response.content.decode()
    assert script_rows(project) == before


def test_confirming_twice_imports_once(client, editor, project, speaker):
    make_segments(project, 2, speaker=speaker)
    client.force_login(editor)
    confirm_url = upload(client, project, "new.srt", (DATA / "keynote.srt").read_bytes()).url
    client.post(confirm_url, {"confirm": "1"})
    client.post(confirm_url, {"confirm": "1"})
    assert project.segments.count() == 3
    assert ScriptSnapshot.objects.count() == 1


def test_restoring_a_backup_brings_the_old_script_back(client, owner, project, speaker):
    make_segments(project, 4, speaker=speaker)
    before = script_rows(project)
    client.force_login(owner)
    client.post(upload(client, project, "new.srt", (DATA / "keynote.srt").read_bytes()).url, {"confirm": "1"})
    snapshot = ScriptSnapshot.objects.get()
    client.post(reverse("projects:backup-restore", args=[project.pk, snapshot.pk]))
    assert script_rows(project) == before
    assert ScriptSnapshot.objects.count() == 2  # the imported script is backed up in turn


def test_backup_downloads_as_csv(client, viewer, project, speaker):
    make_segments(project, 2, speaker=speaker)
    from projects.services import scripts

    snapshot = scripts.replace_script(project, scripts.script_from_project(project), by=None, reason="test")
    client.force_login(viewer)
    response = client.get(reverse("projects:backup-download", args=[project.pk, snapshot.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "Ligne cible 1" in response.content.decode()


BAD_FILES = [
    ("empty.srt", b"", "The submitted file is empty."),
    ("nested.json", b"[" * 100_000 + b"]" * 100_000, "This JSON is nested too deeply to be a script"),
    ("nested-upload", b"{" + b'"a":{' * 100_000 + b"}" * 100_001, "This JSON is nested too deeply"),
    (
        "nested.csv",
        b"[" * 100_000 + b"]" * 100_000,
        "Line 1:</strong> a cell is longer than 131,072 characters",
    ),
    (
        "long-number.json",
        b'{"target_script": [{"start_ms": ' + b"9" * 5000 + b', "end_ms": 1, "text": "x", "speaker_id": 1}]}',
        "This JSON holds a number thousands of digits long",
    ),
    ("long-hours.srt", b"1\n" + b"9" * 5000 + b":00:01,000 --> 00:00:02,000\nx\n", "Line 2:</strong> “999"),
    ("long-seconds.csv", b"start,end\n" + b"9" * 5000 + b",1\n", "Line 2:</strong> “999"),
    (
        "long-id.json",
        b'{"target_script": [], "target_speakers": [{"speaker_id": "' + b"9" * 5000 + b'"}]}',
        "“speaker_id” must be a whole number",
    ),
    (
        "one-line.csv",
        b"start,end,speaker,source_text,target_text\n0:01.000,0:02.000,A,b," + b"x" * 2 * 1024 * 1024,
        "Line 2:</strong> a cell is longer than 131,072 characters",
    ),
    ("blank.srt", b"\n  \r\n", "The file is empty."),
    ("photo.srt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not"),
    ("letter.txt", b"Dear team, the script follows next week.", "does not look like a script file"),
    (
        "bad.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\nOK\n\n2\n00:00:0x,000 --> 00:00:04,000\nBad\n",
        "Line 6:",
    ),
    ("back.srt", b"1\n00:00:05,000 --> 00:00:04,000\nBackwards\n", "Line 2:</strong> the cue ends"),
    (
        "who.json",
        json.dumps(
            {
                "target_script": [{"start_ms": 0, "end_ms": 5, "text": "x", "speaker_id": 9}],
                "target_speakers": [],
            }
        ).encode(),
        "speaker_id 9 is not in",
    ),  # fmt: skip
    ("broken.json", b'{"target_script": [', "this is not valid JSON"),
    (
        "rows.csv",
        b"start,end,speaker,source_text,target_text\nsoon,later,A,b,c\n",
        "Line 2:</strong> “soon” is not a time",
    ),
    (
        "bad-bytes.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\n\x81\x8d\x8f\x90\x9d\n",
        "not text in UTF-8, UTF-16 or Windows-1252",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_explained_and_the_script_stays_as_it_was(
    client, editor, project, speaker, name, content, message
):
    make_segments(project, 3, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)
    response = upload(client, project, name, content)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert script_rows(project) == before
    # Nothing staged, or at most the rest kept for the choice to skip broken blocks (never applied).
    assert not ScriptImport.objects.exclude(status=ScriptImport.Status.PENDING, skipped_blocks__gt=0).exists()


def test_a_file_over_5_mb_is_refused_before_parsing(client, editor, project):
    client.force_login(editor)
    response = upload(client, project, "huge.srt", b"1\n" + b"x" * (5 * 1024 * 1024))
    assert response.status_code == 422
    assert "the largest accepted is 5 MB" in response.content.decode()


def test_cp1252_file_imports_with_a_notice(client, editor, project):
    client.force_login(editor)
    content = "1\n00:00:01,000 --> 00:00:02,000\nAnna: Café crème ?\n".encode("cp1252")
    response = upload(client, project, "legacy.srt", content)
    page = client.get(response.url).content.decode()
    assert "read as Windows-1252" in page
    # One "Anna:" in the whole file is not a speaker list: the text keeps it.
    assert project.segments.get().target_text == "Anna: Café crème ?"


def test_no_file_chosen_is_explained(client, editor, project):
    client.force_login(editor)
    response = client.post(reverse("projects:import", args=[project.pk]), {"text_column": "target"})
    assert response.status_code == 422
    assert "Choose a script file to upload." in response.content.decode()


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_reviewers_and_viewers_cannot_import(client, request, project, role):
    client.force_login(request.getfixturevalue(role))
    response = upload(client, project, "keynote.srt", (DATA / "keynote.srt").read_bytes())
    assert response.status_code == 403
    assert not project.segments.exists()


def test_outsiders_cannot_confirm_an_import(client, editor, outsider, project, speaker):
    make_segments(project, 1, speaker=speaker)
    client.force_login(editor)
    confirm_url = upload(client, project, "k.srt", (DATA / "keynote.srt").read_bytes()).url
    client.force_login(outsider)
    assert client.post(confirm_url, {"confirm": "1"}).status_code == 404
    assert project.segments.count() == 1


@pytest.mark.parametrize(
    ("fmt", "content_type", "expected"),
    [
        ("srt", "application/x-subrip", "00:00:02,000 --> 00:00:03,500\nAnna: Ligne cible 1"),
        ("vtt", "text/vtt", "00:00:02.000 --> 00:00:03.500\n<v Anna>Ligne cible 1"),
        ("csv", "text/csv", "00:00:02.000,00:00:03.500,Anna,Source line 1,Ligne cible 1"),
        ("dubformer", "application/json", '"text": "Ligne cible 1"'),
    ],
)
def test_export_downloads_each_format(client, viewer, project, speaker, fmt, content_type, expected):
    make_segments(project, 3, speaker=speaker)
    client.force_login(viewer)
    response = client.get(
        reverse("projects:export", args=[project.pk]),
        {"file_format": fmt, "text_column": "target", "speaker_names": "on"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment;" in response["Content-Disposition"]
    assert expected in response.content.decode()


def test_dubformer_export_of_a_script_without_speakers_explains_why(client, viewer, project):
    make_segments(project, 2)
    client.force_login(viewer)
    response = client.get(
        reverse("projects:export", args=[project.pk]), {"file_format": "dubformer", "text_column": "target"}
    )
    assert response.status_code == 409
    assert "Segment 1 (00:00:00.000) has no speaker." in response.content.decode()


def test_unknown_export_format_is_a_clear_400(client, viewer, project):
    client.force_login(viewer)
    response = client.get(reverse("projects:export", args=[project.pk]), {"file_format": "docx"})
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()


@pytest.mark.parametrize("fmt", ["srt", "vtt", "csv", "dubformer"])
def test_page_round_trip_keeps_timings_and_text(client, editor, project, fmt):
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna")
    make_segments(project, 20, speaker=anna)
    project.segments.filter(start_ms=2000).update(target_text="Deux\nlignes & <balises>", end_ms=3999)
    before = script_rows(project)
    client.force_login(editor)
    exported = client.get(
        reverse("projects:export", args=[project.pk]),
        {"file_format": fmt, "text_column": "target", "speaker_names": "on"},
    ).content
    confirm_url = upload(client, project, f"again.{'json' if fmt == 'dubformer' else fmt}", exported).url
    client.post(confirm_url, {"confirm": "1"})
    assert script_rows(project) == before
    assert Segment.objects.filter(project=project).count() == 20


# --- Speakers guessed from "Name:" prefixes ---------------------------------------------------------------

SPANISH = (
    "1\n00:00:01,000 --> 00:00:03,000\n¿Y qué le dices?\n\n"
    '2\n00:00:03,500 --> 00:00:06,000\nDigo: "No pienso volver".\n\n'
    "3\n00:00:06,500 --> 00:00:08,000\nBien dicho.\n"
)


def test_a_dialogue_word_with_a_colon_imports_as_text_not_as_a_speaker(client, editor, project):
    client.force_login(editor)
    response = upload(client, project, "serie.es.srt", SPANISH)
    assert response.url == project.get_absolute_url()  # nothing guessed, nothing to confirm
    assert script_rows(project)[1] == (3500, 6000, 'Digo: "No pienso volver".', None)
    assert not project.speakers.exists()


def test_guessed_speakers_are_shown_before_anything_is_imported(client, editor, project):
    client.force_login(editor)
    response = upload(client, project, "keynote.srt", (DATA / "keynote.srt").read_bytes())
    staged = ScriptImport.objects.get(project=project)
    assert response.url == reverse("projects:import-confirm", args=[project.pk, staged.pk])
    assert not project.segments.exists()
    page = client.get(response.url).content.decode()
    assert "Import the script?" in page
    assert "Speakers found in “Name:” prefixes" in page
    assert '<strong>Anna</strong> <span class="muted">· 2 lines</span>' in page
    assert '<strong>Ben</strong> <span class="muted">· 1 line</span>' in page
    assert '<label for="id_speaker_prefixes">Detect speakers from “Name:” prefixes</label>' in page
    assert 'name="speaker_prefixes" value="on" checked' in page


def test_detection_switched_off_in_the_preview_keeps_the_prefixes_in_the_text(client, editor, project):
    client.force_login(editor)
    confirm_url = upload(client, project, "keynote.srt", (DATA / "keynote.srt").read_bytes()).url
    response = client.post(confirm_url, {"speaker_prefixes_shown": "1", "preview": "1"})
    assert response.url == confirm_url and not project.segments.exists()
    page = client.get(confirm_url).content.decode()
    assert "Anna: Welcome, everyone, to the launch." in page
    assert "and 0 speakers." in page
    assert 'name="speaker_prefixes" value="on" aria' in page  # unticked now

    client.post(confirm_url, {"speaker_prefixes_shown": "1", "confirm": "1"})
    assert script_rows(project)[0] == (800, 3150, "Anna: Welcome, everyone, to the launch.", None)
    assert not project.speakers.exists()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Imported 3 segments and 0 speakers from keynote.srt." in page


def test_detection_switched_off_then_on_again_imports_the_speakers(client, editor, project):
    client.force_login(editor)
    confirm_url = upload(client, project, "keynote.srt", (DATA / "keynote.srt").read_bytes()).url
    client.post(confirm_url, {"speaker_prefixes_shown": "1", "preview": "1"})
    client.post(confirm_url, {"speaker_prefixes_shown": "1", "speaker_prefixes": "on", "confirm": "1"})
    assert script_rows(project)[0] == (800, 3150, "Welcome, everyone, to the launch.", "Anna")
    assert list(project.speakers.values_list("name", flat=True)) == ["Anna", "Ben"]


def test_speakers_left_without_lines_by_an_import_are_dropped_and_the_backup_keeps_them(
    client, owner, project, speaker
):
    digo = SpeakerFactory(project=project, speaker_id=2, name="Digo", voice_key="voice:Old")
    make_segments(project, 2, speaker=digo)
    speaker.voice_key = "voice:Rachel"
    speaker.save()
    client.force_login(owner)
    confirm_url = upload(client, project, "new.srt", (DATA / "keynote.srt").read_bytes()).url
    client.post(confirm_url, {"confirm": "1"})
    # Anna still speaks (voice kept), Ben is new, Digo has no line left.
    assert sorted(project.speakers.values_list("name", "voice_key")) == [
        ("Anna", "voice:Rachel"),
        ("Ben", ""),
    ]
    client.post(reverse("projects:backup-restore", args=[project.pk, ScriptSnapshot.objects.get().pk]))
    assert [row[3] for row in script_rows(project)] == ["Digo", "Digo"]
    assert project.speakers.get(name="Digo").voice_key == "voice:Old"


def test_counts_in_messages_are_singular_for_one(client, editor, project):
    client.force_login(editor)
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Hello.\n"
    upload(client, project, "one.vtt", text)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Imported 1 segment and 1 speaker from one.vtt." in page
    assert ScriptEdit.objects.get(kind="script").label == "Imported 1 segment from one.vtt"


# --- Broken subtitle blocks through the page --------------------------------------------------------------


def test_a_cue_without_its_timing_line_is_listed_and_the_script_stays(client, editor, project, speaker):
    make_segments(project, 3, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n\n2\nCaption text #2\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n"
    )
    response = upload(client, project, "broken.srt", text)
    assert response.status_code == 422
    page = response.content.decode()
    assert "<strong>Line 5:</strong> a block without a timing line: “2 / Caption text #2”." in page
    assert script_rows(project) == before
    # Kept only for the choice to skip the block (tests/test_skip_broken_blocks.py), never applied.
    assert not ScriptImport.objects.exclude(status=ScriptImport.Status.PENDING, skipped_blocks=1).exists()


def test_csv_export_defuses_formulas_and_importing_it_back_changes_nothing(client, editor, project, speaker):
    make_segments(project, 3, speaker=speaker)
    project.segments.filter(start_ms=0).update(target_text='=HYPERLINK("http://evil.example","x")')
    project.segments.filter(start_ms=2000).update(target_text="-5 degrees", source_text="'quoted'")
    before = script_rows(project)
    client.force_login(editor)
    exported = client.get(
        reverse("projects:export", args=[project.pk]), {"file_format": "csv", "text_column": "target"}
    ).content
    assert b"'=HYPERLINK" in exported and b",'-5 degrees" in exported
    client.post(upload(client, project, "again.csv", exported).url, {"confirm": "1"})
    assert script_rows(project) == before
    assert project.segments.get(start_ms=2000).source_text == "'quoted'"
