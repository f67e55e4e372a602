"""Speakers of a project: added, changed and deleted from the editor's speakers panel, each change
recorded in the project's trail with the speaker before and after (services/changes.py)."""

from django.db import transaction
from django.db.models import Max

from ..models import ScriptEdit, Speaker
from ..wording import counted
from . import changes

_NAMES = {"speaker_id": "number", "name": "name", "style": "style", "voice_key": "Dubformer voice key",
          "modelslab_voice_id": "ModelsLab voice id"}  # fmt: skip


class SpeakerInUse(Exception):
    """The speaker still speaks some segments; the message says how many, for a person."""


def create_speaker(project, form, *, by):
    """Save a valid SpeakerForm for a new speaker of `project`, numbered after the last one."""
    with transaction.atomic():
        speaker = form.instance
        speaker.project = project
        speaker.speaker_id = (
            Speaker.objects.filter(project=project).aggregate(top=Max("speaker_id"))["top"] or 0
        ) + 1
        form.save()
        changes.record(project, by, ScriptEdit.Kind.SPEAKERS, f"Added the speaker {speaker.name}",
                       [], [changes.speaker_state(speaker)])  # fmt: skip
    return speaker


def save_speaker(project, form, *, by):
    """Save a valid SpeakerForm of an existing speaker; recorded when something changed."""
    with transaction.atomic():
        stored = Speaker.objects.select_for_update().get(pk=form.instance.pk, project=project)
        before = changes.speaker_state(stored)
        speaker = form.save()
        after = changes.speaker_state(speaker)
        if before != after:
            was, now, names = changes.changed_only(before, after)
            label = f"Changed the speaker {stored.name}: {', '.join(_NAMES[name] for name in names)}"
            changes.record(project, by, ScriptEdit.Kind.SPEAKERS, label, [was], [now])
    return speaker


def delete_speaker(project, speaker, *, by):
    """Delete a speaker who speaks no segment (else SpeakerInUse)."""
    with transaction.atomic():
        speaker = Speaker.objects.select_for_update().get(pk=speaker.pk, project=project)
        used = speaker.segments.count()
        if used:
            raise SpeakerInUse(
                f"{speaker.name} still speaks {counted(used, 'segment')}; give them to someone else first."
            )
        before = changes.speaker_state(speaker)
        speaker.delete()
        changes.record(
            project, by, ScriptEdit.Kind.SPEAKERS, f"Deleted the speaker {before['name']}", [before], []
        )
