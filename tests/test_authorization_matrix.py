"""Every route of the URL conf × every kind of visitor → the answer they must get.

The routes are read from the URL conf, so a new route without a rule here fails `test_every_route_has_a_rule`.
A rule names the permission (an action of projects/access.py's one table) a route needs and what it acts on;
the expected answer for each visitor follows from the table:
- anonymous: sent to the login page (or, for machine endpoints, refused with a 4xx);
- a member of another team: 404 (a project or team outside one's teams does not exist for them);
- a member whose role the table allows: an answer (2xx, 3xx, or a 4xx about the input, never 403/404);
- any other member: 403.
Every refused POST must leave every row as it was.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from projects import access
from projects.models import (
    Assignment,
    Invitation,
    Membership,
    Notification,
    Role,
    ScriptImport,
    ScriptSnapshot,
    Submission,
    Waveform,
)
from projects.services import comments, scripts

from .factories import MembershipFactory, SegmentFactory, UserFactory

MEMBER_ROLES = {
    "owner": Role.OWNER,
    "manager": Role.MANAGER,
    "editor": Role.EDITOR,
    "reviewer": Role.REVIEWER,
    "viewer": Role.VIEWER,
}
# An editor in a team that keeps editing to assignees, not assigned to this project ("editor" is assigned).
VISITORS = ["anonymous", *MEMBER_ROLES, "unassigned_editor", "outsider"]

# Whole namespaces this matrix leaves to their own tests, and why.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin: staff users only, checked by Django itself",
    "sandbox": "the fake provider APIs: machine endpoints guarded by the providers' keys (tests/test_sandbox.py)",
}


@dataclass(frozen=True)
class Rule:
    method: str
    action: str | None  # an action of access.PERMISSIONS; None: any signed-in user
    # project | team | own (the user's own things) | owners (a thing of the team owner's: theirs alone)
    # | authors (a project thing the owner wrote: the table's action, and then the author alone)
    # | public (no login; a token decides)
    on: str = "project"
    kwargs: dict = field(default_factory=dict)  # values for URL parameters the fixtures cannot guess
    data: dict = field(default_factory=dict)
    same_for_all: str | None = None  # the answer every visitor gets, where no permission is involved
    themselves: str | None = None  # the visitor the route's object is (a member removing themselves: leaving)


RULES = {
    # Accounts.
    "login": Rule("GET", None, on="public"),
    "logout": Rule("POST", None, on="public", same_for_all="login"),  # signed out, back to the login page
    "invitation": Rule(
        "GET", None, on="public", kwargs={"token": "not-a-real-invitation"}
    ),  # a clear 410 page
    "password_reset": Rule("POST", None, on="public", data={"email": "olive@example.com"}),
    "password_reset_done": Rule("GET", None, on="public"),
    "password_reset_confirm": Rule("GET", None, on="public", kwargs={"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": Rule("GET", None, on="public"),
    "password_change": Rule("GET", None, on="own"),
    "password_change_done": Rule("GET", None, on="own"),
    "profile": Rule("POST", None, on="own", data={"display_name": "Someone"}),
    "/": Rule("GET", None, on="public"),  # a redirect to the project list
    # Health checks for load balancers (tests/test_health.py): no sign-in, nothing secret in the answer.
    "health-live": Rule("GET", None, on="public"),
    "health-ready": Rule("GET", None, on="public"),
    # Projects.
    "projects:list": Rule("GET", None, on="own"),
    "projects:jobs": Rule("GET", None, on="own"),
    "projects:my-work": Rule("GET", None, on="own"),
    # Teams: every member sees theirs; managing members is the table's; anyone may remove themselves (leave).
    "projects:teams": Rule("GET", None, on="own"),
    "projects:team": Rule("GET", "view_team", on="team"),
    "projects:team-invite": Rule(
        "POST", "manage_members", on="team", data={"email": "new@example.com", "role": "editor"}
    ),
    "projects:team-leave": Rule("POST", "view_team", on="team"),
    "projects:team-settings": Rule("POST", "manage_team_settings", on="team"),
    "projects:invitation-revoke": Rule("POST", "manage_members", on="team"),
    "projects:member-role": Rule("POST", "manage_members", on="team", data={"role": "reviewer"}),
    "projects:member-remove": Rule("POST", "manage_members", on="team", themselves="unassigned_editor"),
    "projects:member-unlock": Rule("POST", "unlock_member", on="team"),
    "projects:assignment-create": Rule("POST", "assign_work", data={"task": "translate"}),
    "projects:assignment-delete": Rule("POST", "assign_work"),
    "projects:notifications": Rule("POST", None, on="own", data={"email_jobs": "on"}),
    "projects:notification-count": Rule("GET", None, on="own"),
    "projects:notifications-read-all": Rule("POST", None, on="own"),
    "projects:notification-open": Rule("POST", None, on="owners"),  # the owner's notification
    "projects:create": Rule("GET", "create_project", on="own"),
    "projects:detail": Rule("GET", "view"),
    "projects:edit": Rule("POST", "edit_project"),
    "projects:import": Rule("POST", "import_script"),
    "projects:import-confirm": Rule("POST", "import_script"),
    "projects:export": Rule("GET", "export_script"),
    "projects:backups": Rule("GET", "view"),
    "projects:backup-download": Rule("GET", "export_script"),
    "projects:backup-restore": Rule("POST", "restore_backup"),
    # The editor.
    "projects:editor": Rule("GET", "view"),
    "projects:segment-rows": Rule("GET", "view"),
    "projects:timeline-segments": Rule("GET", "view"),
    "projects:quality-summary": Rule("GET", "view"),
    "projects:next-problem": Rule("GET", "view"),
    "projects:segment-row": Rule("GET", "view"),
    "projects:segment-save": Rule(
        "POST", "edit_script", data={"field": "target_text", "target_text": "Hola"}
    ),
    "projects:segment-split": Rule("POST", "edit_script"),
    "projects:segment-merge": Rule("POST", "edit_script"),
    "projects:segment-insert": Rule("POST", "edit_script"),
    "projects:segments-delete": Rule("POST", "edit_script"),
    "projects:segments-shift": Rule("POST", "edit_script", data={"shift": "1.000"}),
    "projects:segments-speaker": Rule("POST", "edit_script"),
    "projects:undo": Rule("POST", "undo_own_edits"),
    "projects:redo": Rule("POST", "undo_own_edits"),
    "projects:replace-preview": Rule("GET", "edit_script"),
    "projects:replace-apply": Rule("POST", "edit_script", data={"find": "Line", "replace": "Row"}),
    "projects:presence": Rule("POST", "view"),
    # History: a segment's changes and restoring one; the project's and the team's activity.
    "projects:segment-history": Rule("GET", "view"),
    "projects:segment-restore": Rule("POST", "edit_script"),
    "projects:project-activity": Rule("GET", "view"),
    "projects:team-activity": Rule("GET", None, on="own"),
    # Segment review.
    "projects:segments-review": Rule(
        "POST", "review_script", data={"action": "approve", "segments": "SEGMENT"}
    ),
    "projects:review-approve-clean": Rule("POST", "review_script"),
    "projects:review-progress": Rule("GET", "view"),
    # Project review and what a push would send.
    "projects:review-submit": Rule("POST", "submit_for_review"),
    "projects:review-approve": Rule("POST", "approve_for_dubbing"),
    "projects:push-preview": Rule("GET", "send_to_provider", kwargs={"kind": "retranslate"}),
    # Comments (the world's thread is the owner's: editing or deleting it is theirs alone).
    "projects:project-comments": Rule("POST", "comment", data={"body": "Looks good"}),
    "projects:segment-comments": Rule("POST", "comment", data={"body": "Too long?"}),
    "projects:job-comments": Rule("POST", "comment", data={"body": "Wrong voice here", "at": "0:12"}),
    "projects:comment-reply": Rule("POST", "comment", data={"body": "Agreed"}),
    "projects:comment-edit": Rule("POST", "comment", on="authors", data={"body": "Edited"}),
    "projects:comment-delete": Rule("POST", "comment", on="authors"),
    "projects:comment-resolve": Rule("POST", "resolve_comments", data={"resolved": "1"}),
    "projects:mention-options": Rule("GET", "comment"),
    "projects:speakers-panel": Rule("GET", "view"),
    "projects:speaker-create": Rule("POST", "edit_script", data={"name": "Zoe", "style": "feminine"}),
    "projects:speaker-save": Rule("POST", "edit_script", data={"name": "Zoe", "style": "feminine"}),
    "projects:speaker-delete": Rule("POST", "edit_script"),
    # Providers.
    "projects:provider-keys": Rule("POST", "manage_provider_keys", on="team"),
    "projects:providers-panel": Rule("GET", "view"),
    "projects:submission-create": Rule("POST", "send_to_provider", kwargs={"kind": "retranslate"}),
    "projects:submission-cancel": Rule("POST", "send_to_provider"),
    "projects:submission-retry": Rule("POST", "send_to_provider"),
    "projects:submission-check-again": Rule("POST", "send_to_provider"),
    "projects:submission-card": Rule("GET", "view"),
    "projects:submission-answers": Rule("GET", "view"),
    "projects:output-copy-retry": Rule("POST", "send_to_provider"),
    "projects:submission-output": Rule("GET", "view", kwargs={"which": "video"}),
    "projects:modelslab-webhook": Rule("POST", None, on="public"),
    # Waveforms: members read the status and the peaks; recomputing is a project setting's.
    "projects:waveform-status": Rule("GET", "view"),
    "projects:waveform-compute": Rule("POST", "edit_project"),
    "projects:waveform-peaks": Rule("GET", "view"),
    "projects:output-waveform-peaks": Rule("GET", "view", kwargs={"which": "video"}),
}


def _routes(resolver=None, namespace=""):
    """(name, URLPattern) of every route; unnamed routes by their path."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            yield from _routes(entry, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"/{entry.pattern}", entry


ROUTES = dict(_routes())


def test_every_route_has_a_rule():
    assert sorted(set(ROUTES) - set(RULES)) == [], "new routes need a rule in this matrix"
    assert sorted(set(RULES) - set(ROUTES)) == [], "rules for routes that no longer exist"


def test_every_rule_names_an_action_of_the_permission_table():
    assert {rule.action for rule in RULES.values()} - {None} <= set(access.PERMISSIONS)


@pytest.fixture
def world(team, owner, manager, editor, reviewer, viewer, outsider, project, speaker, settings, tmp_path):
    """One project with something of every kind a route can point at."""
    settings.MEDIA_ROOT = tmp_path / "media"
    team.unassigned_can_edit = False
    team.save()
    unassigned_editor = MembershipFactory(team=team, role=Role.EDITOR, user=UserFactory(username="una")).user
    assignment = Assignment.objects.create(project=project, user=editor, task=Assignment.Task.TRANSLATE)
    as_owner = access.get_project_for(owner, project.pk)  # with the owner's role, as the views pass it
    thread = comments.comment_on_project(as_owner, "Who checks the intro?", by=owner)
    invitation = Invitation.objects.create(
        team=team, email="later@example.com", role=Role.EDITOR, token_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=7), invited_by=owner,
    )  # fmt: skip
    first = SegmentFactory(project=project, speaker=speaker, start_ms=0, end_ms=2000)
    SegmentFactory(project=project, speaker=speaker, start_ms=3000, end_ms=5000)
    staged = scripts.stage_import(
        project,
        filename="script.srt",
        raw=b"1\n00:00:01,000 --> 00:00:02,000\nHola\n",
        by=owner,
        max_bytes=10_000,
    )
    snapshot = ScriptSnapshot.objects.create(
        project=project, reason="Before a test", data={"speakers": [], "segments": []}, segment_count=0
    )
    job = Submission.objects.create(
        project=project,
        provider=Submission.Provider.MODELSLAB,
        kind=Submission.Kind.NEW_DUB,
        status=Submission.Status.FAILED,
        created_by=owner,
    )
    job.output_video_file.save("dub.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=True)
    for waveform_of in ({"submission": None, "track": "source"}, {"submission": job, "track": "video"}):
        Waveform.objects.create(project=project, status="ready", **waveform_of).peaks_file.save(
            "peaks.dat", ContentFile(b"\x01\x00\x00\x00" + bytes(16)), save=True
        )
    note = Notification.objects.create(user=owner, kind=Notification.Kind.MENTION, text="Rita mentioned you")
    people = {"owner": owner, "manager": manager, "editor": editor, "reviewer": reviewer, "viewer": viewer}
    people |= {"outsider": outsider, "unassigned_editor": unassigned_editor}
    values = {
        "pk": project.pk,
        "segment_pk": first.pk,
        "import_pk": staged.pk,
        "snapshot_pk": snapshot.pk,
        "submission_pk": job.pk,
        "speaker_pk": speaker.pk,
        "slug": team.slug,
        "token": job.webhook_token,
        "notification_pk": note.pk,
        "assignment_pk": assignment.pk,
        "comment_pk": thread.pk,
        "invitation_pk": invitation.pk,
        "membership_pk": Membership.objects.get(team=team, user=unassigned_editor).pk,
    }
    assert isinstance(staged, ScriptImport)
    return people, values


def _expected(rule, visitor):
    """'login', 404, 403 or 'answer'."""
    if rule.same_for_all:
        return rule.same_for_all
    if rule.on == "public":
        return "answer"
    if visitor == "anonymous":
        return "login"
    if rule.on == "owners":
        return "answer" if visitor == "owner" else 404
    if visitor == rule.themselves:
        return "answer"
    if rule.on == "own":
        if rule.action is None:
            return "answer"
        # The outsider owns their own team, so they may do what an owner may.
        role = {"outsider": Role.OWNER, "unassigned_editor": Role.EDITOR}.get(visitor) or MEMBER_ROLES[
            visitor
        ]
        return "answer" if access.can(role, rule.action) else 403
    if visitor == "outsider":
        return 404
    if rule.on == "authors":
        return "answer" if visitor == "owner" else 403
    if visitor == "unassigned_editor":
        allowed = access.can(Role.EDITOR, rule.action) and rule.action not in access.ASSIGNED_EDITING
        return "answer" if allowed else 403
    return "answer" if access.can(MEMBER_ROLES[visitor], rule.action) else 403


def _rows():
    """Every row of dubweb's tables, to prove a refused change changed nothing."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in {"projects", "auth"}:
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def _answer_kind(response):
    if response.status_code in (301, 302) and response.url.startswith(reverse(settings.LOGIN_URL)):
        return "login"
    if response.status_code in (403, 404):
        return response.status_code
    assert response.status_code < 500
    return "answer"


@pytest.mark.parametrize("name", sorted(RULES))
def test_route_answers_each_visitor_as_the_permission_table_says(name, world, client):
    people, values = world
    rule = RULES[name]
    route = ROUTES[name]
    kwargs = {key: rule.kwargs.get(key, values.get(key)) for key in route.pattern.converters}
    url = reverse(name, kwargs=kwargs) if not name.startswith("/") else name
    wrong = []
    for visitor in VISITORS:
        client.logout()
        if visitor != "anonymous":
            client.force_login(people[visitor])
        before = _rows() if rule.method == "POST" else None
        with transaction.atomic():  # each visitor meets the same world: an allowed change is rolled back
            data = {
                key: values["segment_pk"] if value == "SEGMENT" else value for key, value in rule.data.items()
            }
            response = client.post(url, data) if rule.method == "POST" else client.get(url)
            got = _answer_kind(response)
            expected = _expected(rule, visitor)
            if got != expected:
                wrong.append(f"{visitor}: expected {expected}, got {got} ({response.status_code})")
            elif got != "answer" and before is not None and _rows() != before:
                wrong.append(f"{visitor}: refused with {got}, but rows changed")
            transaction.set_rollback(True)
    assert not wrong, f"{rule.method} {url}:\n" + "\n".join(wrong)
