from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Dubbing projects"

    def ready(self):
        from . import checks  # noqa: F401 (registers the start-up checks)
