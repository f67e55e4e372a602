"""Speakers from "Name:" prefixes in a long file where few lines carry one: a name that recurs is
suggested however few lines it has (the 30 % share is only for names each seen once), a dialogue word
before a quotation stays text, and the preview's box switches the guess off."""

from django.urls import reverse

from projects.models import ScriptImport
from projects.services import script_formats as sf

from .test_script_views import script_rows, upload


def long_file(lines_at):
    """An SRT of 200 cues, unlabelled but for `lines_at` ({cue number: text})."""
    cues = []
    for n in range(1, 201):
        text = lines_at.get(n, f"Line {n} without a speaker.")
        cues.append(f"{n}\n{n // 60:02}:{n % 60:02}:00,000 --> {n // 60:02}:{n % 60:02}:00,800\n{text}\n")
    return "\n".join(cues)


FEW_LABELLED = long_file(
    {
        10: "Anna: Welcome back.",
        120: "Anna: One more thing.",
        150: 'Digo: "No pienso volver".',
        180: "Note: the end.",
    }
)


def test_a_recurring_name_on_one_percent_of_the_lines_is_still_a_speaker():
    script = sf.parse(FEW_LABELLED, "srt")
    assert [speaker.name for speaker in script.speakers] == ["Anna"]
    anna = [segment for segment in script.segments if segment.speaker_id == 1]
    assert [segment.target_text for segment in anna] == ["Welcome back.", "One more thing."]
    assert script.speakers_from_prefixes


def test_in_the_same_file_a_dialogue_word_and_a_one_off_label_stay_text():
    texts = [segment.target_text for segment in sf.parse(FEW_LABELLED, "srt").segments]
    assert texts[149] == 'Digo: "No pienso volver".'
    assert texts[179] == "Note: the end."


def test_a_name_seen_once_among_many_lines_stays_text():
    script = sf.parse(long_file({10: "Anna: Welcome back."}), "srt")
    assert script.speakers == [] and script.segments[9].target_text == "Anna: Welcome back."


def test_the_preview_suggests_the_recurring_name_and_its_box_turns_it_off(client, editor, project):
    client.force_login(editor)
    confirm_url = upload(client, project, "episode.srt", FEW_LABELLED).url
    staged = ScriptImport.objects.get(project=project)
    assert confirm_url == reverse("projects:import-confirm", args=[project.pk, staged.pk])
    page = client.get(confirm_url).content.decode()
    assert '<strong>Anna</strong> <span class="muted">· 2 lines</span>' in page
    assert "Digo" not in page.split("Speakers found in", 1)[1].split("</ul>", 1)[0]
    client.post(confirm_url, {"speaker_prefixes_shown": "1", "confirm": "1"})  # box unticked
    rows = script_rows(project)
    assert rows[9][2:] == ("Anna: Welcome back.", None)
    assert not project.speakers.exists()
