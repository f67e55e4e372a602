"""Compute the waveforms (audio peaks) that are missing: the source video of every project that has one,
and every provider output kept in dubweb. For projects and outputs made before waveforms existed, or
after COMPUTE_WAVEFORMS was turned on.

    manage.py compute_waveforms                  # queue a worker task for each missing or failed one
    manage.py compute_waveforms --inline         # compute them here, one after the other
    manage.py compute_waveforms --all 12 40      # projects 12 and 40, recomputing those already ready
    manage.py compute_waveforms --dry-run        # only say what would be computed

A waveform already ready for the same video, or being computed (and not stuck), is left alone unless
--all is given. Each line of the output says what became of one track.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.models import Project, Submission, Waveform
from projects.services import waveforms


class Command(BaseCommand):
    help = "Compute the missing waveforms of source videos and kept outputs (queued, or --inline)."

    def add_arguments(self, parser):
        parser.add_argument("project_ids", nargs="*", type=int, help="Only these projects (default: all).")
        parser.add_argument("--inline", action="store_true", help="Compute here instead of queueing tasks.")
        parser.add_argument(
            "--all", dest="recompute_all", action="store_true", help="Recompute waveforms that are ready too."
        )
        parser.add_argument("--no-outputs", action="store_true", help="Only the source videos.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be computed; change nothing."
        )

    def handle(self, *args, project_ids, inline, recompute_all, no_outputs, dry_run, **options):
        if not settings.COMPUTE_WAVEFORMS:
            raise CommandError("Waveforms are turned off on this server (set COMPUTE_WAVEFORMS=1).")
        projects = Project.objects.order_by("pk")
        if project_ids:
            projects = projects.filter(pk__in=project_ids)
            missing = set(project_ids) - set(projects.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No project {', '.join(map(str, sorted(missing)))}.")
        existing = {
            (w.project_id, w.submission_id, w.track): w
            for w in Waveform.objects.filter(project__in=projects).only(
                "project_id", "submission_id", "track", "status", "source_url", "updated_at"
            )
        }
        wanted = []  # (project, submission, track, what it is computed from, name for people)
        for project in projects.exclude(source_video_url="").iterator():
            wanted.append((project, None, Waveform.Track.SOURCE, project.source_video_url, "source video"))
        if not no_outputs:
            jobs = (
                Submission.objects.filter(project__in=projects, output_copy=Submission.OutputCopy.KEPT)
                .select_related("project")
                .order_by("project_id", "pk")
            )
            for job in jobs.iterator():
                for track, field in waveforms.OUTPUT_TRACKS:
                    stored = getattr(job, field)
                    if stored:
                        label = f"job {job.pk} {'dubbed video' if track == 'video' else 'voice track'}"
                        wanted.append((job.project, job, track, stored.name, label))
        counts = {"queued": 0, "computed": 0, "failed": 0, "skipped": 0}
        for project, job, track, source, label in wanted:
            name = f"Project {project.pk} “{project.title}”, {label}"
            current = existing.get((project.pk, job.pk if job else None, track))
            reason = self._skip(current, source, recompute_all)
            if reason:
                counts["skipped"] += 1
                self.stdout.write(f"{name}: {reason}, left alone.")
                continue
            if dry_run:
                counts["queued"] += 1
                self.stdout.write(f"{name}: would be {'computed' if inline else 'queued'}.")
                continue
            pending = waveforms.request(project, job, track, source, queue=not inline)
            if not inline:
                counts["queued"] += 1
                self.stdout.write(f"{name}: queued.")
                continue
            waveforms.compute(pending.pk, pending.generation)
            pending.refresh_from_db()
            if pending.status == Waveform.Status.READY:
                counts["computed"] += 1
                self.stdout.write(f"{name}: computed ({pending.duration_ms / 1000:.1f} s of audio).")
            else:
                counts["failed"] += 1
                self.stderr.write(f"{name}: failed: {pending.error_message or pending.get_status_display()}")
        verb = "would be queued" if dry_run else "computed" if inline else "queued"
        done = counts["computed"] if inline and not dry_run else counts["queued"]
        summary = f"{done} waveform{'s' if done != 1 else ''} {verb}, {counts['skipped']} left alone"
        self.stdout.write(summary + (f", {counts['failed']} failed." if counts["failed"] else "."))
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} waveform{'s' if counts['failed'] != 1 else ''} could not be computed."
            )

    @staticmethod
    def _skip(current, source, recompute_all):
        """Why this track's waveform is left alone (or "" when it is to be computed)."""
        if current is None or current.source_url != source:
            return ""
        if current.status in waveforms.IN_PROGRESS and not waveforms.is_stuck(current):
            return "being computed"
        if current.status == Waveform.Status.READY and not recompute_all:
            return "ready"
        return ""
