"""A subtitle file with broken blocks is refused with each block's line, and the person may choose to
skip them and import the rest: the preview lists what is skipped, the applied import records it."""

import pytest
from django.urls import reverse

from projects.models import ScriptEdit, ScriptImport
from projects.services import script_formats as sf

from .factories import make_segments
from .test_script_views import script_rows, upload

BROKEN = (
    "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n\n"
    "2\nCaption text #2\n\n"
    "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n"
)
SKIPPED = "Line 5: a block without a timing line: “2 / Caption text #2”."


# --- Reading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "kept"),
    [
        ("srt", BROKEN, ["Caption text #1", "Caption text #3"]),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\nA stray line\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n",
         ["Hello", "World"]),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n2\nCaption text #2\n\n"
                "3\n00:00:05,000 --> 00:00:06,000\nCaption text #3\n", ["Caption text #1", "Caption text #3"]),
        ("vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n\nA stray line\n\n00:03.000 --> 00:04.000\nWorld\n",
         ["Hello", "World"]),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 -> 00:00:04,000\nLost\n\n"
                "3\n00:00:05,000 --> 00:00:06,000\nWorld\n", ["Hello", "World"]),
    ],
    ids=["block-without-timing", "text-before-timing", "number-and-text-without-timing", "vtt-stray-line",
         "malformed-timing"],
)  # fmt: skip
def test_skipping_leaves_out_only_the_broken_block_and_glues_nothing(fmt, text, kept):
    with pytest.raises(sf.ScriptFileError) as refused:
        sf.parse(text, fmt)
    assert refused.value.skippable
    script = sf.parse(text, fmt, skip_broken=True)
    assert [segment.target_text for segment in script.segments] == kept
    assert [str(problem) for problem in script.skipped] == [str(p) for p in refused.value.problems]


def test_a_cue_that_ends_before_it_starts_cannot_be_skipped():
    text = "1\n00:00:05,000 --> 00:00:02,000\nBackwards\n\nstray\n"
    with pytest.raises(sf.ScriptFileError) as refused:
        sf.parse(text, "srt", skip_broken=True)
    assert not refused.value.skippable
    assert "Line 2: the cue ends (00:00:02.000) before it starts (00:00:05.000)." in str(refused.value)


# --- Through the pages ------------------------------------------------------------------------------------


def test_the_refusal_offers_to_skip_and_changes_nothing(client, editor, project, speaker):
    make_segments(project, 3, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)
    response = upload(client, project, "broken.srt", BROKEN)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The file was not imported" in page and f"<strong>Line 5:</strong> {SKIPPED[8:]}" in page
    staged = ScriptImport.objects.get()
    confirm_url = reverse("projects:import-confirm", args=[project.pk, staged.pk])
    assert f'href="{confirm_url}">Skip the broken block and import the rest…</a>' in page
    assert script_rows(project) == before
    # Not an import "waiting for confirmation" on the project page: only the refusal offers it.
    assert "is waiting for confirmation" not in client.get(project.get_absolute_url()).content.decode()


def test_the_preview_lists_what_is_skipped_and_only_the_skip_button_imports(client, editor, project, speaker):
    make_segments(project, 3, speaker=speaker)
    before = script_rows(project)
    client.force_login(editor)
    upload(client, project, "broken.srt", BROKEN)
    confirm_url = reverse("projects:import-confirm", args=[project.pk, ScriptImport.objects.get().pk])
    preview = client.get(confirm_url).content.decode()
    assert "1 broken block is left out" in preview
    assert f"<strong>Line 5:</strong> {SKIPPED[8:]}" in preview
    assert "holds <strong>2</strong> segments" in preview
    assert 'name="skip_broken" value="1">Skip the broken block and replace the script</button>' in preview

    response = client.post(confirm_url, {"confirm": "1"})  # not the skip button: refused
    assert response.url == confirm_url and script_rows(project) == before

    client.post(confirm_url, {"skip_broken": "1"})
    assert [row[2] for row in script_rows(project)] == ["Caption text #1", "Caption text #3"]
    applied = ScriptImport.objects.get()
    assert applied.status == ScriptImport.Status.APPLIED
    assert f"Skipped 1 broken block, not imported: {SKIPPED}" in applied.notices
    assert ScriptEdit.objects.get(kind=ScriptEdit.Kind.SCRIPT).label == (
        "Imported 2 segments from broken.srt, skipping 1 broken block (the previous script is kept as a backup)"
    )
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Skipped 1 broken block, not imported: Line 5: a block without a timing line:" in page


def test_one_broken_cue_in_two_thousand_leaves_the_other_1999_importable(client, editor, project):
    cues = [f"{n}\n{n // 3600:02}:{n // 60 % 60:02}:{n % 60:02},000 --> {n // 3600:02}:{n // 60 % 60:02}:"
            f"{n % 60:02},800\nLine {n}\n" for n in range(1, 2001)]  # fmt: skip
    cues[1233] = "1234\nLine 1234 lost its timing\n"
    client.force_login(editor)
    response = upload(client, project, "episode.srt", "\n".join(cues))
    assert response.status_code == 422
    staged = ScriptImport.objects.get()
    client.post(reverse("projects:import-confirm", args=[project.pk, staged.pk]), {"skip_broken": "1"})
    assert project.segments.count() == 1999
    assert not project.segments.filter(target_text__contains="1234").exists()
