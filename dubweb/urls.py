from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from projects.views import accounts, health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="projects:my-work", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/", include("projects.urls")),
    path("admin/", admin.site.urls),
    # Health checks (docs/deploy.md): answered first by projects.middleware.HealthCheckMiddleware.
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
]

# Account basics: the profile, password change and reset (Django's views, the site's templates), and the
# page an invitation link opens.
urlpatterns += [
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/invitations/<str:token>/", accounts.invitation, name="invitation"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

if settings.PROVIDER_SANDBOX:
    urlpatterns += [path("sandbox/", include("sandbox.urls"))]
# MEDIA_ROOT is never served as files, not even with DEBUG: it holds the providers' outputs, which only a
# project's members may see (projects:submission-output checks that).
