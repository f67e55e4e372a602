"""The timeline's JSON: every segment's timing in one answer, at a fixed number of queries."""

import pytest
from django.urls import reverse

from projects import quality

from .factories import SegmentFactory, SpeakerFactory, make_segments


def timeline_url(project):
    return reverse("projects:timeline-segments", args=[project.pk])


def as_dicts(body):
    return [dict(zip(body["fields"], values, strict=True)) for values in body["segments"]]


def test_the_timeline_lists_every_segment_in_time_order_with_its_speaker_lane(client, viewer, project):
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna")
    ben = SpeakerFactory(project=project, speaker_id=2, name="Ben")
    late = SegmentFactory(project=project, start_ms=5000, end_ms=6000, speaker=ben, target_text="Plus tard")
    early = SegmentFactory(project=project, start_ms=1000, end_ms=2500, speaker=anna, target_text="D'abord")
    client.force_login(viewer)
    body = client.get(timeline_url(project)).json()
    assert [(s["name"], s["lane"]) for s in body["speakers"]] == [("Anna", 0), ("Ben", 1)]
    segments = as_dicts(body)
    assert [(s["id"], s["start_ms"], s["end_ms"], s["speaker_id"], s["text"]) for s in segments] == [
        (early.pk, 1000, 2500, anna.pk, "D'abord"),
        (late.pk, 5000, 6000, ben.pk, "Plus tard"),
    ]
    assert segments[0]["version"] == early.version


def test_long_texts_come_as_an_excerpt(client, editor, project):
    SegmentFactory(project=project, target_text="mot " * 200)
    client.force_login(editor)
    (segment,) = as_dicts(client.get(timeline_url(project)).json())
    assert len(segment["text"]) == 80 and segment["text"].startswith("mot mot")


def test_the_stored_flags_come_with_their_labels(client, editor, project):
    segment = SegmentFactory(project=project)
    type(segment).objects.filter(pk=segment.pk).update(flags=quality.FLAG_BITS["overlap"])
    client.force_login(editor)
    body = client.get(timeline_url(project)).json()
    (segment,) = as_dicts(body)
    assert segment["flags"] & body["flag_bits"]["overlap"]["bit"]
    assert body["flag_bits"]["overlap"]["label"] == "Overlap"


def test_another_team_gets_no_timeline(client, outsider, project):
    SegmentFactory(project=project, target_text="Secret")
    client.force_login(outsider)
    response = client.get(timeline_url(project))
    assert response.status_code == 404
    assert b"Secret" not in response.content


@pytest.mark.parametrize("count", [10, 3000])
def test_the_timeline_reads_the_same_number_of_queries_at_any_length(
    client, editor, project, count, django_assert_max_num_queries
):
    make_segments(project, count, speaker=SpeakerFactory(project=project, speaker_id=1))
    client.force_login(editor)
    # session + user + the project with the role and its speakers + the segments + the finished dubs
    with django_assert_max_num_queries(5):
        response = client.get(timeline_url(project))
    assert len(response.json()["segments"]) == count


def test_a_line_too_long_to_speak_says_how_much_faster_it_needs(client, editor, project):
    segment = SegmentFactory(
        project=project, start_ms=0, end_ms=1000, target_text="Une phrase bien trop longue ici"
    )
    type(segment).objects.filter(pk=segment.pk).update(flags=quality.FLAG_BITS["fit"])
    SegmentFactory(project=project, start_ms=5000, end_ms=9000, target_text="Court")
    client.force_login(editor)
    long, short = as_dicts(client.get(timeline_url(project)).json())
    expected = quality.speedup_needed(
        segment.target_text, 1000, quality.thresholds_for(project.target_language)
    )
    assert long["fit"] == expected > 1.5
    assert short["fit"] == 0


def test_finished_dubs_with_a_kept_copy_are_offered_for_listening(
    client, editor, project, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from projects.models import Submission

    settings.MEDIA_ROOT = tmp_path
    kept = Submission.objects.create(
        project=project, provider="modelslab", kind="new_dub", status="succeeded", output_copy="kept"
    )
    kept.output_audio_file.save("voice.wav", ContentFile(b"RIFF"), save=True)
    Submission.objects.create(project=project, provider="modelslab", kind="new_dub", status="waiting")
    Submission.objects.create(project=project, provider="modelslab", kind="new_dub", status="succeeded")
    client.force_login(editor)
    (dub,) = client.get(timeline_url(project)).json()["dubs"]
    assert dub["id"] == kept.pk and "(voice track)" in dub["label"]
    assert dub["src"] == reverse("projects:submission-output", args=[project.pk, kept.pk, "audio"])
    assert client.get(dub["src"]).status_code == 200
    assert dub["peaks"].endswith(f"/jobs/{kept.pk}/output/audio/peaks.dat")
