"""SQLite only: an FTS5 index (trigram tokenizer) of each segment's source and translated text, kept by
triggers, for find-as-you-type (projects/text_search.py). PostgreSQL has its trigram indexes (0008).
An SQLite built without FTS5 goes on without it: the search then reads the script."""

from django.db import OperationalError, migrations

from projects import text_search


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            text_search.create_sqlite_index(cursor)
        except OperationalError as error:
            if "fts5" not in str(error):
                raise


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            text_search.drop_sqlite_index(cursor)


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_b_stored_flags")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
