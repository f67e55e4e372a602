from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:my-work", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/", include("projects.urls")),
    path("admin/", admin.site.urls),
]

if settings.PROVIDER_SANDBOX:
    urlpatterns += [path("sandbox/", include("sandbox.urls"))]
# MEDIA_ROOT is never served as files, not even with DEBUG: it holds the providers' outputs, which only a
# project's members may see (projects:submission-output checks that).
