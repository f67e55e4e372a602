"""Check a restored (or any) dubweb: the database answers, every migration is applied, and every stored
file the database points at is in MEDIA_ROOT and readable. Prints what it counted; exits 1 on a problem.
docs/backup.md, "Checking a restore"."""

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import FileField, Q

SHOWN = 20  # problems listed by name; the rest are counted


def unapplied_migrations(connection):
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def stored_files():
    """(model label, field name, file field) of every FileField of every model."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                yield model, field


def readable(name):
    try:
        with default_storage.open(name, "rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


class Command(BaseCommand):
    help = (
        "Check a restore: the database answers, migrations are applied, and every stored file the database "
        "refers to exists in MEDIA_ROOT and can be read. Exits 1 if not."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, **options):
        problems = []
        connection = connections[database]
        try:
            connection.ensure_connection()
        except Exception as error:
            raise CommandError(f"The database cannot be reached: {error.__class__.__name__}.") from None
        self.stdout.write(f"Database: reachable ({connection.vendor}).")

        pending = unapplied_migrations(connection)
        if pending:
            problems.append(f"{len(pending)} migrations not applied: {', '.join(pending[:SHOWN])}")
        else:
            self.stdout.write("Migrations: all applied.")

        counts = [
            ("teams", "projects.Team"),
            ("people", "auth.User"),
            ("projects", "projects.Project"),
            ("segments", "projects.Segment"),
            ("history entries", "projects.ScriptEdit"),
            ("jobs", "projects.Submission"),
        ]
        if not pending:
            summary = ", ".join(
                f"{apps.get_model(label).objects.using(database).count()} {name}" for name, label in counts
            )
            self.stdout.write(f"Rows: {summary}.")

        checked, missing = 0, []
        for model, field in stored_files() if not pending else ():
            names = (
                model.objects.using(database)
                .exclude(Q(**{field.name: ""}) | Q(**{f"{field.name}__isnull": True}))
                .values_list("pk", field.name)
            )
            for pk, name in names.iterator():
                checked += 1
                if not readable(name):
                    missing.append(f"{model._meta.label} {pk} {field.name}: {name}")
        self.stdout.write(
            f"Stored files: {checked} referenced, {checked - len(missing)} present and readable."
        )
        if missing:
            shown = "\n  ".join(missing[:SHOWN])
            more = f"\n  … and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            problems.append(f"{len(missing)} stored files missing or unreadable:\n  {shown}{more}")

        if problems:
            raise CommandError("The restore is not complete:\n- " + "\n- ".join(problems))
        self.stdout.write(self.style.SUCCESS("Restore check passed."))
