"""A person's notifications: the header's unread count, the list, reading them, and email choices."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Notification, NotificationSettings
from ..services import notifications

PER_PAGE = 30


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_mentions", "email_assignments", "email_jobs"]


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    choices = notifications.settings_of(request.user)
    form = NotificationSettingsForm(request.POST or None, instance=choices)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your email choices are saved.")
        return redirect("projects:notifications")
    notes = Notification.objects.filter(user=request.user).select_related("actor", "project")
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "unread": notifications.unread_count(request.user)}
    return render(request, "projects/notifications.html", context)


@login_required
@require_GET
def notification_count(request):
    """The header's badge, which asks for itself every little while."""
    return render(
        request,
        "projects/includes/notification_badge.html",
        {"unread_notifications": notifications.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_open(request, notification_pk):
    """Mark one notification read and go where it points (only ever a path inside dubweb)."""
    if not 0 < notification_pk < 2**63:  # no row has such an id (and no SQL integer holds it)
        raise Http404("No such notification.")
    note = get_object_or_404(Notification, pk=notification_pk, user=request.user)
    notifications.mark_read(request.user, [note.pk])
    safe = note.url.startswith("/") and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None)
    return redirect(note.url if safe else "projects:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications.mark_read(request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("projects:notifications")
