from django.core.management.base import BaseCommand
from django_q.models import Schedule

CHECK_SUBMISSIONS = "dubweb: follow provider jobs"


class Command(BaseCommand):
    help = "Create (or keep) the periodic task that follows provider jobs. Safe to run again."

    def handle(self, *args, **options):
        _, created = Schedule.objects.update_or_create(
            name=CHECK_SUBMISSIONS,
            defaults={
                "func": "projects.tasks.check_submissions",
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
            },  # fmt: skip
        )
        self.stdout.write(f"{'Created' if created else 'Kept'} the schedule “{CHECK_SUBMISSIONS}”.")
