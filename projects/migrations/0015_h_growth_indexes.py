"""The indexes that keep the everyday pages' cost to what they show as the data grows (bench/growth.py):
the team feed reads recent edits and events from the newest back, "My work" the person's recent jobs and
the scripts waiting for review, and the editor counts only the open comment threads after each save.

On PostgreSQL they are built CONCURRENTLY: saves go on while a large trail is indexed (an upgrade does
not stop the studio). Elsewhere, a plain CREATE INDEX."""

from django.conf import settings
from django.db import migrations, models


class AddIndexWithoutLocking(migrations.AddIndex):
    """AddIndex that does not block writes on PostgreSQL (CREATE INDEX CONCURRENTLY)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("projects", "0014_j_waveform"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="activity",
            index=models.Index(fields=["-created_at"], name="activity_time"),
        ),
        AddIndexWithoutLocking(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("parent__isnull", True), ("resolved_at__isnull", True)),
                fields=["project"],
                name="comment_open_threads",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="scriptedit",
            index=models.Index(fields=["-created_at"], name="scriptedit_time"),
        ),
        AddIndexWithoutLocking(
            model_name="scriptsummary",
            index=models.Index(
                condition=models.Q(("review_needs_review__gt", 0)),
                fields=["-review_needs_review", "project"],
                name="summary_waiting",
            ),
        ),
        AddIndexWithoutLocking(
            model_name="submission",
            index=models.Index(fields=["created_by", "-id"], name="submission_author_recent"),
        ),
    ]
