import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from projects.services import script_formats, scripts


class Command(BaseCommand):
    help = "Write a project's script as SRT, WebVTT, Dubformer JSON (re-translation shape) or CSV."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--format", choices=sorted(script_formats.FORMATS), default="srt")
        parser.add_argument("--text", choices=sorted(script_formats.TEXT_COLUMNS), default="target")
        parser.add_argument("--no-speaker-names", action="store_true")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            project = Project.objects.get(pk=options["project_id"])
        except Project.DoesNotExist:
            raise CommandError(f"No project {options['project_id']}.") from None
        try:
            content = scripts.export_script(
                project,
                options["format"],
                text_column=options["text"],
                speaker_names=not options["no_speaker_names"],
            )
        except script_formats.ScriptFileError as error:
            raise CommandError(
                "Not exported:\n" + "\n".join(f"  {problem}" for problem in error.problems)
            ) from None
        if options["output"]:
            options["output"].write_text(content, encoding="utf-8")
            self.stderr.write(self.style.SUCCESS(f"Wrote {options['output']}"))
        else:
            sys.stdout.write(content)
