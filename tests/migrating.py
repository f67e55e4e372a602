"""Testing a data migration: rows made with the models as they were before it, then migrated."""

from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@contextmanager
def models_before(target):
    """The database migrated back to `target`, and its app registry to make old rows with. Afterwards
    the database is migrated forward to the latest migrations again (the other tests' schema)."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    try:
        yield executor.loader.project_state(target).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(target):
    """Run the migrations up to `target`; its app registry, to read what they made."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def old_project(apps, title="Old"):
    """A project (in a team of its own) made with the app registry `apps`."""
    team = apps.get_model("projects", "Team").objects.create(name=f"Team of {title}", slug=f"t-{title}"[:50])
    return apps.get_model("projects", "Project").objects.create(
        team=team, title=title, source_language="en-US", target_language="fr-FR"
    )
