from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from projects.services import script_formats, scripts
from projects.wording import counted


class Command(BaseCommand):
    help = "Replace a project's script with a file (SRT, WebVTT, Dubformer JSON or CSV). The old script is backed up."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=sorted(script_formats.FORMATS), help="default: from the file")
        parser.add_argument(
            "--text",
            choices=sorted(script_formats.TEXT_COLUMNS),
            default="target",
            help="which column subtitle text fills (default: target)",
        )
        parser.add_argument(
            "--no-speaker-prefixes", action="store_true", help="do not read “Name:” as a speaker"
        )
        parser.add_argument("--user", help="username recorded as the importer")

    def handle(self, *args, **options):
        try:
            project = Project.objects.get(pk=options["project_id"])
        except Project.DoesNotExist:
            raise CommandError(f"No project {options['project_id']}.") from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            staged = scripts.stage_import(
                project,
                filename=path.name,
                raw=path.read_bytes(),
                fmt=options["format"],
                text_column=options["text"],
                speaker_prefixes=not options["no_speaker_prefixes"],
                by=user,
                max_bytes=settings.SCRIPT_UPLOAD_MAX_BYTES,
            )
        except script_formats.ScriptFileError as error:
            raise CommandError(
                "Not imported:\n" + "\n".join(f"  {problem}" for problem in error.problems)
            ) from None
        scripts.apply_import(staged, by=user)
        for notice in staged.notices:
            self.stderr.write(self.style.WARNING(notice))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {counted(staged.segment_count, 'segment')} and "
                f"{counted(staged.speaker_count, 'speaker')} into “{project}”."
            )
        )
