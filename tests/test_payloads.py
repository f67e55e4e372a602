"""Requests built from a project's script are exactly what the providers' published contracts accept."""

from pathlib import Path

import pytest

from projects.providers.http import InvalidRequest
from projects.services import payloads

from .factories import SegmentFactory, SpeakerFactory
from .schemas import CONTRACTS, dubformer_errors, modelslab_errors


@pytest.fixture
def voiced_script(project):
    anna = SpeakerFactory(
        project=project, speaker_id=1, name="Anna", style="feminine", voice_key="soundalike"
    )
    ben = SpeakerFactory(
        project=project, speaker_id=7, name="Ben", style="masculine", voice_key="53f154:fr-FR-HenriNeural"
    )
    SegmentFactory(project=project, start_ms=0, end_ms=1500, target_text="Bonjour.", speaker=anna)
    SegmentFactory(project=project, start_ms=2000, end_ms=3500, target_text="Salut !", speaker=ben)
    return project


def test_retranslation_body_matches_the_contract(voiced_script):
    request = payloads.retranslation_request(voiced_script, mixing_mode="voiceover_only", tts_volume="louder")
    body = request.to_json()
    assert dubformer_errors("CreateRetranslationRequest", body) == []
    assert body["target_script"] == [
        {"start_ms": 0, "end_ms": 1500, "text": "Bonjour.", "speaker_id": 1},
        {"start_ms": 2000, "end_ms": 3500, "text": "Salut !", "speaker_id": 7},
    ]
    assert body["target_speakers"] == [
        {"speaker_id": 1, "style": "feminine", "voice_key": "soundalike"},
        {"speaker_id": 7, "style": "masculine", "voice_key": "53f154:fr-FR-HenriNeural"},
    ]


def test_a_segment_without_speaker_is_named_before_anything_is_sent(voiced_script):
    SegmentFactory(project=voiced_script, start_ms=4000, end_ms=5000, speaker=None)
    with pytest.raises(InvalidRequest, match=r"Segment 3 \(00:00:04.000\) has no speaker"):
        payloads.retranslation_request(voiced_script)


def test_a_speaker_without_a_dubformer_voice_is_named(voiced_script):
    voiced_script.speakers.filter(name="Ben").update(voice_key="")
    with pytest.raises(InvalidRequest, match="Ben has no Dubformer voice"):
        payloads.retranslation_request(voiced_script)


def test_create_project_body_matches_the_contract_with_an_absolute_video_url(project):
    project.source_video_url = "/static/demo/keynote.mp4"
    body = payloads.create_project_request(
        project, site_url="http://127.0.0.1:8000", mixing_mode="voiceover_only"
    ).to_json()
    assert dubformer_errors("CreateProjectRequest", body) == []
    assert body["source_video_url"] == "http://127.0.0.1:8000/static/demo/keynote.mp4"
    assert (body["source_lang"], body["target_lang"]) == ("en", "fr-FR")


def test_dubbing_body_matches_modelslabs_openapi(project):
    request = payloads.dubbing_request(project, site_url="http://127.0.0.1:8000", voice_id="henry", speed=1.2, seed=7,
                                       webhook="https://dubweb.example.com/hooks/modelslab/abc", track_id=42)  # fmt: skip
    body = request.to_json("ml-key")
    assert modelslab_errors("CreateDubbingRequest", body) == []
    assert (body["source_lang"], body["output_lang"], body["key"]) == ("en", "fr", "ml-key")


def test_a_target_language_modelslab_cannot_dub_into_is_refused(project):
    project.target_language = "de-DE"
    with pytest.raises(InvalidRequest, match="ModelsLab does not offer German as an output language"):
        payloads.dubbing_request(project, site_url="http://127.0.0.1:8000")


def test_the_contract_copies_match_the_shared_originals():
    shared = Path(__file__).resolve().parents[2] / "shared" / "contracts"
    if not shared.exists():
        pytest.skip("../shared/contracts is not beside this checkout")
    for copy in CONTRACTS.glob("*.json"):
        assert copy.read_text() == (shared / copy.name).read_text(), (
            f"{copy.name} differs from ../shared/contracts"
        )


def test_the_contract_tests_check_that_urls_are_urls():
    # `format: uri` is checked: a site path where the contract wants a URL is refused.
    assert modelslab_errors("CreateDubbingRequest", {"key": "k", "init_video": "/static/demo/keynote.mp4",
                                                     "output_lang": "fr"})  # fmt: skip
    assert dubformer_errors("CreateProjectRequest", {"name": "x", "source_lang": "en", "target_lang": "fr-FR",
                                                     "source_video_url": "/static/demo/keynote.mp4"})  # fmt: skip
