"""Check every script (or the projects named) once more and store their flags and counts, each
speaker's number of lines among them.

The counts are kept on write (projects/services/script_summary.py); two people saving neighbouring
segments at the same instant can leave the flags of the one between them a step behind. This puts
every figure back as a full check says, e.g. nightly or after editing segments outside dubweb.

    manage.py recount_scripts [PROJECT_ID ...]
"""

from django.core.management.base import BaseCommand

from projects.models import Project
from projects.services import script_summary


class Command(BaseCommand):
    help = "Check every script once more and store its flags and counts."

    def add_arguments(self, parser):
        parser.add_argument("project_ids", nargs="*", type=int)

    def handle(self, *args, project_ids, **options):
        projects = Project.objects.all()
        if project_ids:
            projects = projects.filter(pk__in=project_ids)
        count = 0
        for project in projects.iterator():
            script_summary.recount(project)
            count += 1
        self.stdout.write(f"Recounted {count} script{'s' if count != 1 else ''}.")
