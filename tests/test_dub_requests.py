"""What a dub request carries: an encoded video URL the contracts accept (checked when the project is
saved), a file_prefix named after the project, the voice of the speaker with the most lines proposed, and
no ModelsLab dub offered into a language ModelsLab does not dub into."""

import json

import pytest
import responses
from django.conf import settings
from django.urls import reverse

from projects.models import Project, Submission
from projects.services import payloads, submissions

from .factories import SegmentFactory, SpeakerFactory
from .schemas import dubformer_errors, modelslab_errors

ML = settings.MODELSLAB_BASE_URL + "/api/v6/voice"
RAW_URL = "https://vidéos.example.com/Keynote final [FR].mp4?v=été"
ENCODED_URL = "https://xn--vidos-dsa.example.com/Keynote%20final%20%5BFR%5D.mp4?v=%C3%A9t%C3%A9"


def project_form(**changes):
    return {"title": "Season finale", "source_video_url": "https://cdn.example.com/finale.mp4",
            "source_language": "en-US", "target_language": "fr-FR", "status": "draft", **changes}  # fmt: skip


# --- video URLs ---------------------------------------------------------------------------------------


def test_a_video_url_with_spaces_accents_and_brackets_is_stored_encoded(client, manager):
    client.force_login(manager)
    response = client.post(reverse("projects:create"), project_form(source_video_url=RAW_URL))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(title="Season finale")
    assert project.source_video_url == ENCODED_URL


def test_the_encoded_url_passes_both_contracts(project):
    project.source_video_url = RAW_URL
    project.save()
    dubformer = payloads.create_project_request(project, site_url="http://127.0.0.1:8000").to_json()
    modelslab = payloads.dubbing_request(project, site_url="http://127.0.0.1:8000").to_json("ml-key")
    assert dubformer_errors("CreateProjectRequest", dubformer) == []
    assert modelslab_errors("CreateDubbingRequest", modelslab) == []
    assert dubformer["source_video_url"] == modelslab["init_video"] == ENCODED_URL


def test_a_row_saved_before_urls_were_encoded_is_encoded_when_sent(project):
    Project.objects.filter(pk=project.pk).update(source_video_url="https://cdn.example.com/a b.mp4")
    project.refresh_from_db()
    body = payloads.dubbing_request(project, site_url="http://127.0.0.1:8000").to_json("ml-key")
    assert body["init_video"] == "https://cdn.example.com/a%20b.mp4"
    assert modelslab_errors("CreateDubbingRequest", body) == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://exa mple.com/video.mp4", "not a valid web address"),
        ("video.mp4", "Give a full http(s):// address"),
        ("https://[::1/video.mp4", "cannot be read"),
    ],
)
def test_an_address_that_cannot_be_a_url_is_refused_in_the_form(client, manager, typed, message):
    client.force_login(manager)
    response = client.post(reverse("projects:create"), project_form(source_video_url=typed))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_a_path_on_this_site_is_still_accepted_and_encoded(client, manager):
    client.force_login(manager)
    client.post(reverse("projects:create"), project_form(source_video_url="/static/demo/my clip.mp4"))
    assert Project.objects.get().source_video_url == "/static/demo/my%20clip.mp4"


# --- file_prefix and the voice ------------------------------------------------------------------------


def test_the_dub_is_named_after_the_project_and_its_language(project):
    project.title = "Launch keynote: Q3 (final!)"
    body = payloads.dubbing_request(project, site_url="http://127.0.0.1:8000").to_json("ml-key")
    assert body["file_prefix"] == "launch_keynote_q3_final_fr_fr"
    assert modelslab_errors("CreateDubbingRequest", body) == []


def test_a_sent_dub_carries_the_file_prefix(project, manager):
    with responses.RequestsMock() as api:
        api.post(f"{ML}/create_dubbing", json={"status": "processing", "id": 7, "eta": 30, "output": []})
        submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
        submissions.send(submission.pk)
        sent = json.loads(api.calls[0].request.body)
    slug = project.title.lower().replace(" ", "_")
    assert sent["file_prefix"] == f"{slug}_fr_fr" and "spanish_dub" not in sent["file_prefix"]


def test_the_dub_form_proposes_the_voice_of_the_speaker_with_the_most_lines(client, manager, project):
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", modelslab_voice_id="anna-voice")
    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben", modelslab_voice_id="ben-voice")
    silent = SpeakerFactory(project=project, speaker_id=3, name="Cleo", modelslab_voice_id="")
    for start in range(0, 3000, 1000):
        SegmentFactory(project=project, start_ms=start, end_ms=start + 900, speaker=ben)
    SegmentFactory(project=project, start_ms=5000, end_ms=5900, speaker=anna)
    for start in range(6000, 12000, 1000):
        SegmentFactory(project=project, start_ms=start, end_ms=start + 900, speaker=silent)  # no voice id
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert 'id="new_dub-voice_id"' in panel and 'value="ben-voice"' in panel
    assert "Proposed: Ben&#x27;s (the speaker with the most lines)" in panel
    speakers_panel = client.get(reverse("projects:speakers-panel", args=[project.pk])).content.decode()
    assert "proposes the ModelsLab voice id of the speaker with the most lines" in speakers_panel


# --- languages ModelsLab does not dub into --------------------------------------------------------------


def test_a_modelslab_dub_into_a_language_it_does_not_offer_is_refused_by_the_form(client, manager, project):
    project.target_language = "de-DE"
    project.save()
    client.force_login(manager)
    response = client.post(
        reverse("projects:submission-create", args=[project.pk, "new_dub"]), {"speed": "1"}
    )
    assert response.status_code == 422
    assert "ModelsLab cannot dub into German: it dubs only into" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_panel_says_why_there_is_no_modelslab_dub_instead_of_offering_it(client, manager, project):
    project.target_language = "de-DE"
    project.save()
    client.force_login(manager)
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert 'id="action-new_dub"' not in panel
    assert "ModelsLab cannot dub into German" in panel
    project.target_language = "fr-FR"
    project.save()
    panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert 'id="action-new_dub"' in panel


def test_retrying_a_dub_into_a_language_modelslab_dropped_is_refused(project, manager):
    project.target_language = "de-DE"
    project.save()
    with pytest.raises(submissions.SubmissionError, match="ModelsLab cannot dub into German"):
        submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
