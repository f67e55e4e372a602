"""Demo data: a team with one user per role, an outside team, and projects with real scripts.

Safe to run again: users, teams and projects are found by name and left as they are (only the demo
passwords are set again, so the printed logins work); a project's script is loaded only while it
has none, so edits made in the demo survive a restart.
"""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from projects.demo_content import demo_projects
from projects.models import Membership, Project, ReviewStatus, Role, ScriptEdit, Segment, Team
from projects.services import changes, script_summary, scripts
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

            created = 0
            # Reversed: the list shows the most recently changed first, so the keynote (with its video) leads.
            for demo in reversed(demo_projects()):
                created += self._project(studio, demo, users["manager"])
            created += self._rival_project(rival, outsider)

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
            review_status=ReviewStatus.CHANGES_REQUESTED
        )
        Segment.objects.filter(pk__in=ids[half + 3 : half + 10]).update(
            review_status=ReviewStatus.NEEDS_REVIEW
        )
    script_summary.recount(project)  # the review counts the project page shows
