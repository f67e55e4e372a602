from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Dubbing projects"

    def ready(self):
        from . import checks  # noqa: F401 (registers the start-up checks)
        from .text_search import register_sqlite_functions, repair_sqlite_index

        connection_created.connect(register_sqlite_functions)
        post_migrate.connect(repair_sqlite_index, sender=self)
