"""A segment's speaker must belong to the segment's project, enforced by the database.

PostgreSQL: a composite foreign key (project_id, speaker_id) → speaker (project_id, id).
SQLite cannot add a constraint to an existing table, so two triggers refuse the row instead.
Django rebuilds a SQLite table (dropping its triggers) when some columns change: a later migration
that alters projects_segment on SQLite must run this again; tests/test_models.py would catch it.
"""

from django.db import migrations

SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS segment_speaker_same_project_{event}
BEFORE {event} ON projects_segment
WHEN NEW.speaker_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM projects_speaker WHERE id = NEW.speaker_id AND project_id = NEW.project_id
)
BEGIN
    SELECT RAISE(ABORT, 'segment_speaker_same_project: the speaker belongs to another project');
END;
"""


def add_constraint(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE projects_segment ADD CONSTRAINT segment_speaker_same_project "
            "FOREIGN KEY (project_id, speaker_id) REFERENCES projects_speaker (project_id, id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(SQLITE_TRIGGER.format(event=event))


def drop_constraint(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE projects_segment DROP CONSTRAINT segment_speaker_same_project")
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS segment_speaker_same_project_{event}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
