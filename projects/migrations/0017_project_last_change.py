"""Project.last_change_at: the project list sorts by a stored time instead of looking up each project's
newest script edit. Existing projects get the later of their own last change and their newest edit."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def last_changes(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ScriptEdit = apps.get_model("projects", "ScriptEdit")
    newest_edit = ScriptEdit.objects.filter(project=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    Project.objects.update(last_change_at=Greatest("updated_at", Coalesce(Subquery(newest_edit), "updated_at")))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0016_merge_production"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="last_change_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(last_changes, migrations.RunPython.noop, elidable=True),
    ]
