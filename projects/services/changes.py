"""Recording changes in the project's one audit trail (ScriptEdit: who, when, before, after), and the
events that change no data (Activity: `event`).

Every write path of segments (services/editing.py), speakers (services/speakers.py), project settings
(services/project_settings.py) and whole scripts (services/scripts.py) records through `record`, in
its own transaction, so that a change and its record are stored together or not at all.
"""

import json

from django.db import connection

from ..models import Activity, EditedSegment, ScriptEdit

SPEAKER_FIELDS = ("speaker_id", "name", "style", "voice_key", "modelslab_voice_id")
# The settings a person changes on the project form (the team never changes; dates are the trail's own).
PROJECT_FIELDS = (
    "title",
    "source_video_url",
    "video_duration_ms",
    "source_language",
    "target_language",
    "status",
    "dubformer_project_id",
)
# Kinds whose states are segments: each touched segment gets an EditedSegment row (its history).
SEGMENT_KINDS = (
    ScriptEdit.Kind.SEGMENTS,
    ScriptEdit.Kind.RESTORE,
    ScriptEdit.Kind.UNDO,
    ScriptEdit.Kind.REDO,
)


def record(project, user, kind, label, before, after):
    """Store one change; for segment changes, also which segments it touched (one more INSERT)."""
    edit = ScriptEdit.objects.create(
        project=project, user=user, kind=kind, label=label[:200], before=before, after=after
    )
    if kind in SEGMENT_KINDS:
        segment_ids = {item["id"] for item in before} | {item["id"] for item in after}
        _link_segments(edit, sorted(segment_ids))
    return edit


def event(project, by, verb, message):
    """Note an event of the project that changes none of its data (a job asked for, finished or stopped,
    a person assigned, a review step): one Activity line for the project and team feeds."""
    return Activity.objects.create(project=project, actor=by, verb=verb, message=message[:500])


# One INSERT however many segments an edit touched (a shift of thousands): the ids go in as one array.
_LINK_SQL = {
    "postgresql": "INSERT INTO {table} (edit_id, segment_id) SELECT %s, unnest(%s::bigint[])",
    "sqlite": "INSERT INTO {table} (edit_id, segment_id) SELECT %s, value FROM json_each(%s)",
}


def _link_segments(edit, segment_ids):
    if not segment_ids:
        return
    sql = _LINK_SQL.get(connection.vendor)
    if sql is None:  # another database: the ORM's batches
        EditedSegment.objects.bulk_create(
            [EditedSegment(edit=edit, segment_id=pk) for pk in segment_ids], batch_size=1000
        )
        return
    ids = segment_ids if connection.vendor == "postgresql" else json.dumps(segment_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(table=connection.ops.quote_name(EditedSegment._meta.db_table)), [edit.pk, ids]
        )


def speaker_state(speaker):
    return {"id": speaker.pk, **{name: getattr(speaker, name) for name in SPEAKER_FIELDS}}


def project_settings(project):
    return {"id": project.pk, **{name: getattr(project, name) for name in PROJECT_FIELDS}}


def changed_only(before, after):
    """The two states cut down to the fields that differ (and the id): what a settings change shows."""
    names = [name for name in after if name != "id" and before.get(name) != after.get(name)]
    return (
        {"id": before.get("id"), **{name: before.get(name) for name in names}},
        {"id": after.get("id"), **{name: after.get(name) for name in names}},
        names,
    )
