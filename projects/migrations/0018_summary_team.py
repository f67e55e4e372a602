"""ScriptSummary.team: My work's "waiting for my review" reads the scripts waiting in the person's teams
through an index of their own (team, most waiting first) instead of every team's waiting scripts. A
project stays in its team, so the copy never goes stale; existing rows take their project's."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def teams_of_projects(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ScriptSummary = apps.get_model("projects", "ScriptSummary")
    team = Project.objects.filter(pk=OuterRef("project_id")).values("team_id")[:1]
    ScriptSummary.objects.update(team_id=Subquery(team))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0017_project_last_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="scriptsummary",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.team",
            ),
        ),
        migrations.RunPython(teams_of_projects, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="scriptsummary",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.team",
            ),
        ),
        migrations.RemoveIndex(model_name="scriptsummary", name="summary_waiting"),
        migrations.AddIndex(
            model_name="scriptsummary",
            index=models.Index(
                condition=Q(review_needs_review__gt=0),
                fields=["team", "-review_needs_review", "project"],
                name="summary_waiting_team",
            ),
        ),
    ]
