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
        # Logs and health: the request id travels with the jobs a request queues (dubweb/logs.py); a
        # worker notes it is alive when it starts a task (health.py).
        from django_q.signals import pre_execute

        from dubweb import logs

        from .health import record_heartbeat

        logs.connect_task_signals()
        pre_execute.connect(record_heartbeat, dispatch_uid="projects.health.heartbeat")
        post_migrate.connect(repair_sqlite_index, sender=self)
