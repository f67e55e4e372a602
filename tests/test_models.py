"""The script's invariants hold in the database itself, even when forms are bypassed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import Project, Segment

from .factories import ProjectFactory, SegmentFactory, SpeakerFactory


@pytest.mark.django_db(transaction=True)
def test_segment_cannot_start_before_zero(project):
    with pytest.raises(IntegrityError):
        Segment.objects.create(project=project, start_ms=-1, end_ms=500)
    assert not Segment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("end_ms", [1000, 999])
def test_segment_must_end_after_it_starts(project, end_ms):
    with pytest.raises(IntegrityError):
        Segment.objects.create(project=project, start_ms=1000, end_ms=end_ms)


@pytest.mark.django_db(transaction=True)
def test_bulk_update_cannot_break_timings(project):
    segment = SegmentFactory(project=project, start_ms=0, end_ms=1000)
    with pytest.raises(IntegrityError):
        Segment.objects.filter(pk=segment.pk).update(end_ms=0)
    segment.refresh_from_db()
    assert segment.end_ms == 1000


@pytest.mark.django_db(transaction=True)
def test_segment_speaker_must_belong_to_the_same_project(project):
    stranger = SpeakerFactory(project=ProjectFactory(team=project.team), speaker_id=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(project=project, start_ms=0, end_ms=1000, speaker=stranger)
    assert not Segment.objects.filter(project=project).exists()


@pytest.mark.django_db(transaction=True)
def test_segment_speaker_cannot_be_moved_to_another_projects_speaker(project):
    own = SpeakerFactory(project=project, speaker_id=1)
    stranger = SpeakerFactory(project=ProjectFactory(team=project.team), speaker_id=1)
    segment = SegmentFactory(project=project, speaker=own)
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.filter(pk=segment.pk).update(speaker=stranger)
    segment.refresh_from_db()
    assert segment.speaker == own


def test_segment_clean_names_the_foreign_speaker(project):
    stranger = SpeakerFactory(project=ProjectFactory(team=project.team), speaker_id=1)
    segment = Segment(project=project, start_ms=0, end_ms=1000, speaker=stranger)
    with pytest.raises(ValidationError) as error:
        segment.full_clean()
    assert "another project" in str(error.value)


@pytest.mark.django_db(transaction=True)
def test_speaker_ids_are_unique_within_a_project(project):
    SpeakerFactory(project=project, speaker_id=3)
    with pytest.raises(IntegrityError):
        SpeakerFactory(project=project, speaker_id=3)


def test_same_speaker_id_is_fine_in_two_projects(project):
    SpeakerFactory(project=project, speaker_id=1)
    SpeakerFactory(project=ProjectFactory(team=project.team), speaker_id=1)


@pytest.mark.django_db(transaction=True)
def test_project_languages_must_differ(team):
    with pytest.raises(IntegrityError):
        Project.objects.create(team=team, title="x", source_language="fr-FR", target_language="fr-FR")


def test_segments_are_ordered_by_start_time(project):
    late = SegmentFactory(project=project, start_ms=9000, end_ms=9500)
    early = SegmentFactory(project=project, start_ms=100, end_ms=900)
    assert list(project.segments.all()) == [early, late]


@pytest.mark.django_db(transaction=True)
def test_a_speaker_still_speaking_cannot_be_deleted(project):
    speaker = SpeakerFactory(project=project, speaker_id=1)
    SegmentFactory(project=project, speaker=speaker)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        speaker.delete()
