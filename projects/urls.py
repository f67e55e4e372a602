from django.urls import path

from .views import projects, scripts

app_name = "projects"
urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_create, name="create"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/edit/", projects.project_edit, name="edit"),
    path("<int:pk>/import/", scripts.script_import, name="import"),
    path("<int:pk>/import/<int:import_pk>/", scripts.script_import_confirm, name="import-confirm"),
    path("<int:pk>/export/", scripts.script_export, name="export"),
    path("<int:pk>/backups/", scripts.snapshot_list, name="backups"),
    path("<int:pk>/backups/<int:snapshot_pk>/download/", scripts.snapshot_download, name="backup-download"),
    path("<int:pk>/backups/<int:snapshot_pk>/restore/", scripts.snapshot_restore, name="backup-restore"),
]
