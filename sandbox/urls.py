"""The sandbox's URLs, mounted under /sandbox/ when PROVIDER_SANDBOX is on (dubweb/urls.py).

Base URLs for the clients: Dubformer `<site>/sandbox/dubformer`, ModelsLab `<site>/sandbox/modelslab`.
"""

from django.urls import path

from . import views

app_name = "sandbox"

DUBFORMER = "dubformer/api/v1/"
MODELSLAB = "modelslab/api/v6/voice/"

urlpatterns = [
    path(f"{DUBFORMER}projects", views.dubformer_create_project, name="dubformer_projects"),
    path(f"{DUBFORMER}projects/<str:project_id>", views.dubformer_get_project, name="dubformer_project"),
    path(
        f"{DUBFORMER}projects/<str:project_id>/translations",
        views.dubformer_create_translation,
        name="dubformer_translations",
    ),
    path(f"{DUBFORMER}balance", views.dubformer_balance, name="dubformer_balance"),
    path(f"{DUBFORMER}voices", views.dubformer_voices, name="dubformer_voices"),
    path(f"{MODELSLAB}create_dubbing", views.modelslab_create_dubbing, name="modelslab_create_dubbing"),
    path(f"{MODELSLAB}fetch/<int:fetch_id>", views.modelslab_fetch, name="modelslab_fetch"),
    path(f"{MODELSLAB}voice_list", views.modelslab_voice_list, name="modelslab_voice_list"),
    path("outputs/<str:name>", views.output_file, name="output"),
    path("control/fail", views.control_fail, name="control_fail"),
    path("control/reset", views.control_reset, name="control_reset"),
]
