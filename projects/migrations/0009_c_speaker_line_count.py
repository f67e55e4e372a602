"""Each speaker's number of lines, stored (kept on write by projects/services/script_summary.py) so the
project page shows it without reading the script; filled here for the scripts that exist.

Adding the column rebuilds projects_speaker on SQLite, which the triggers of migration 0002 (on
projects_segment, naming projects_speaker) would refuse: they are dropped for the rebuild and made again."""

import importlib

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def _same_project_triggers():
    return importlib.import_module("projects.migrations.0002_segment_speaker_same_project")


def drop_speaker_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _same_project_triggers().drop_constraint(apps, schema_editor)


def restore_speaker_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _same_project_triggers().add_constraint(apps, schema_editor)


def count_lines(apps, schema_editor):
    Speaker = apps.get_model("projects", "Speaker")
    Segment = apps.get_model("projects", "Segment")
    lines = (
        Segment.objects.filter(speaker=OuterRef("pk"))
        .order_by()
        .values("speaker")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Speaker.objects.update(line_count=Coalesce(Subquery(lines), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_b_stored_flags"),
    ]

    operations = [
        migrations.RunPython(drop_speaker_triggers, restore_speaker_triggers, elidable=False),
        migrations.AddField(
            model_name="speaker",
            name="line_count",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.RunPython(restore_speaker_triggers, drop_speaker_triggers, elidable=False),
        migrations.RunPython(count_lines, migrations.RunPython.noop),
    ]
