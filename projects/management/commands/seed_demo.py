"""Demo data: a team with one user per role, an outside team, and projects with real scripts.

Safe to run again: users, teams and projects are found by name and left as they are (only the demo
passwords are set again, so the printed logins work); a project's script is loaded only while it
has none, so edits made in the demo survive a restart.
"""

import hashlib
import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from projects.demo_content import demo_projects
from projects.models import (
    Invitation,
    Membership,
    Project,
    ReviewStatus,
    Role,
    ScriptEdit,
    Segment,
    Team,
)
from projects.services import changes, script_summary, scripts, waveforms
from projects.services.script_formats import Script, ScriptSegment, ScriptSpeaker

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "dubweb-demo")
DEMO_USERS = [
    # username, full name, role
    ("owner", "Olivia Owner", Role.OWNER),
    ("manager", "Marco Manager", Role.MANAGER),
    ("editor", "Elena Editor", Role.EDITOR),
    ("reviewer", "Ravi Reviewer", Role.REVIEWER),
    ("viewer", "Vera Viewer", Role.VIEWER),
]
OUTSIDER = ("outsider", "Oscar Outsider", Role.OWNER)


class Command(BaseCommand):
    help = "Create (or keep) the demo team, its users and projects, and print the logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            studio = self._team("Demo Studio", "demo-studio")
            rival = self._team("Rival Studio", "rival-studio")
            users = {
                username: self._user(studio, username, name, role) for username, name, role in DEMO_USERS
            }
            owner = users["owner"]
            owner.is_staff = owner.is_superuser = True
            owner.save(update_fields=["is_staff", "is_superuser"])
            outsider = self._user(rival, *OUTSIDER)
            _pending_invitation(studio, owner)

            created = 0
            # Reversed: the list shows the most recently changed first, so the keynote (with its video) leads.
            for demo in reversed(demo_projects()):
                created += self._project(studio, demo, users["manager"])
            created += self._rival_project(rival, outsider)
            _seed_comments(studio, users)
            _seed_assignments(studio, users)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} projects created, the rest kept)."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, name, role in [*DEMO_USERS, OUTSIDER]:
            team = "Rival Studio" if username == OUTSIDER[0] else "Demo Studio"
            self.stdout.write(f"  {username:<10} {role.label:<9} {team:<13} {name}")

    def _team(self, name, slug):
        team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
        return team

    def _user(self, team, username, full_name, role):
        first, last = full_name.split(" ", 1)
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.dubweb"},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
        return user

    def _project(self, team, demo, by):
        project, created = Project.objects.get_or_create(
            team=team,
            title=demo.title,
            defaults={
                "source_language": demo.source_language,
                "target_language": demo.target_language,
                "status": demo.status,
                "source_video_url": demo.source_video_url,
                "video_duration_ms": demo.video_duration_ms,
                "created_by": by,
            },
        )
        if created:
            changes.record(project, by, ScriptEdit.Kind.PROJECT, "Created the project", [],
                           [changes.project_settings(project)])  # fmt: skip
        if not project.segments.exists():
            scripts.replace_script(project, _script_of(demo), by=by, reason="Demo data")
            _review_some(project, demo.status)
        waveforms.source_changed(project)  # the keynote's waveform, computed by the worker once it starts
        return int(created)

    def _rival_project(self, team, owner):
        project, created = Project.objects.get_or_create(
            team=team,
            title="Rival Studio confidential trailer",
            defaults={"source_language": "en-US", "target_language": "it-IT", "created_by": owner},
        )
        if not project.segments.exists():
            script = Script(
                segments=[
                    ScriptSegment(1000, 3200, "Nobody outside Rival Studio may read this.", "Riservato.", 1),
                    ScriptSegment(3600, 6100, "Coming next summer.", "In arrivo la prossima estate.", 1),
                ],
                speakers=[ScriptSpeaker(1, "Trailer voice", "masculine")],
            )
            scripts.replace_script(project, script, by=owner, reason="Demo data")
        return int(created)


def _pending_invitation(team, by):
    """One invitation waiting on the demo team page (its link is not printed: revoke it or invite anew)."""
    from projects.services.teams import pending_invitations

    if not pending_invitations(team).filter(email="translator@demo.dubweb").exists():
        Invitation.objects.create(
            team=team,
            email="translator@demo.dubweb",
            role=Role.EDITOR,
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )


def _script_of(demo):
    speaker_ids = {speaker.name: number for number, speaker in enumerate(demo.speakers, start=1)}
    return Script(
        segments=[
            ScriptSegment(line.start_ms, line.end_ms, line.source, line.target, speaker_ids[line.speaker])
            for line in demo.lines
        ],
        speakers=[
            ScriptSpeaker(number, speaker.name, speaker.style, voice_key="soundalike")
            for speaker, number in ((s, speaker_ids[s.name]) for s in demo.speakers)
        ],
    )


def _review_some(project, status):
    """Make review progress visible: approved projects are approved; in-review ones half-way."""
    segments = Segment.objects.filter(project=project).order_by("start_ms")
    if status in (Project.Status.APPROVED, Project.Status.DUBBING, Project.Status.DELIVERED):
        segments.update(review_status=ReviewStatus.APPROVED)
    elif status == Project.Status.IN_REVIEW:
        ids = list(segments.values_list("pk", flat=True))
        half = len(ids) // 2
        Segment.objects.filter(pk__in=ids[:half]).update(review_status=ReviewStatus.APPROVED)
        Segment.objects.filter(pk__in=ids[half : half + 3]).update(
            review_status=ReviewStatus.CHANGES_REQUESTED,
            review_reason="Too long for the time on screen: shorten it, keep the meaning.",
            reviewed_at=timezone.now(),
            reviewed_by=get_user_model().objects.filter(username="reviewer").first(),
        )
        Segment.objects.filter(pk__in=ids[half + 3 : half + 10]).update(
            review_status=ReviewStatus.NEEDS_REVIEW
        )
    script_summary.recount(project)  # the review counts the project page shows


def _seed_comments(team, users):
    """A discussion to look at: on the keynote, a reviewer's comment on a segment mentioning the editor
    (with the editor's reply) and a manager's note on the project. Only while the keynote has none."""
    from projects import access
    from projects.models import Comment
    from projects.services import comments

    keynote = Project.objects.filter(team=team, title__icontains="keynote").first()
    if keynote is None or Comment.objects.filter(project=keynote).exists():
        return
    segment = keynote.segments.order_by("start_ms", "id")[1:2].first()
    reviewer, editor, manager = users["reviewer"], users["editor"], users["manager"]
    if segment is not None:
        thread = comments.comment_on_segment(
            access.get_project_for(reviewer, keynote.pk), segment,
            "@editor this line runs long for the video; can it be shorter?", by=reviewer,
        )  # fmt: skip
        comments.reply(access.get_project_for(editor, keynote.pk), thread, "On it.", by=editor)
    comments.comment_on_project(
        access.get_project_for(manager, keynote.pk),
        "Glossary for the keynote: https://example.com/glossary (product names stay in English).",
        by=manager,
    )


def _seed_assignments(team, users):
    """Work handed out: the keynote to translate (editor) and review (reviewer) with due dates, and one
    project overdue, so that My work and the project list show them. Only where nobody is assigned yet."""
    from datetime import timedelta

    from projects.models import Assignment
    from projects.services import assignments

    projects = list(Project.objects.filter(team=team).order_by("-updated_at", "id")[:2])
    if not projects or Assignment.objects.filter(project__team=team).exists():
        return
    today = timezone.localdate()
    keynote = next((p for p in projects if "keynote" in p.title.lower()), projects[0])
    manager = users["manager"]
    assignments.assign(keynote, users["editor"], "translate", due_date=today + timedelta(days=3), by=manager)
    assignments.assign(keynote, users["reviewer"], "review", due_date=today + timedelta(days=5), by=manager)
    other = next((p for p in projects if p != keynote), None)
    if other is not None:
        assignments.assign(
            other, users["editor"], "translate", due_date=today - timedelta(days=1), by=manager
        )
