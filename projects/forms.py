from django import forms

from . import languages
from .models import Project, Team
from .services import script_formats
from .timecodes import TimecodeError, format_timecode, parse_timecode


class TimecodeField(forms.CharField):
    """Milliseconds typed as a timecode (`1:02.345`, `00:01:02,345`, `62.5`)."""

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_timecode(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_timecode(value)
        except TimecodeError as error:
            raise forms.ValidationError(str(error)) from None


class ProjectForm(forms.ModelForm):
    video_duration_ms = TimecodeField(
        label="Video duration",
        required=False,
        help_text="Optional, e.g. 00:42:10.000. When known, timings past the end are refused.",
    )

    class Meta:
        model = Project
        fields = [
            "team",
            "title",
            "source_video_url",
            "video_duration_ms",
            "source_language",
            "target_language",
            "status",
            "dubformer_project_id",
        ]
        labels = {"source_video_url": "Source video URL"}

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
        self.fields["team"].empty_label = None
        if self.instance.pk or len(teams) == 1:
            # A project stays in its team; with one team there is nothing to choose.
            del self.fields["team"]
            if not self.instance.pk:
                self.instance.team = teams[0]
        self.fields[
            "dubformer_project_id"
        ].help_text = "Filled when the project is created on or imported from Dubformer."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_language") and cleaned.get("source_language") == cleaned.get(
            "target_language"
        ):
            self.add_error("target_language", "The target language must differ from the source language.")
        return cleaned


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Project.Status.choices]
    )
    language = forms.ChoiceField(
        label="Target language", required=False, choices=[("", "Any language"), *languages.CHOICES]
    )


class ScriptImportForm(forms.Form):
    file = forms.FileField(
        label="Script file",
        help_text="SubRip (.srt), WebVTT (.vtt), Dubformer JSON (.json) or CSV, up to 5 MB.",
        error_messages={
            "required": "Choose a script file to upload.",
            "empty": "The submitted file is empty.",
        },
    )
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("", "Recognise from the file"), *script_formats.FORMATS.items()],
        required=False,
    )
    text_column = forms.ChoiceField(
        label="Subtitle text is the",
        choices=script_formats.TEXT_COLUMNS.items(),
        initial="target",
        help_text="For SRT and WebVTT: whether the file holds the translation or the original dialogue.",
    )
    speaker_prefixes = forms.BooleanField(
        label="Take speaker names from “Name:” at the start of a line",
        required=False,
        initial=True,
    )


class ScriptExportForm(forms.Form):
    file_format = forms.ChoiceField(label="Format", choices=script_formats.FORMATS.items(), initial="srt")
    text_column = forms.ChoiceField(
        label="Text", choices=script_formats.TEXT_COLUMNS.items(), initial="target"
    )
    speaker_names = forms.BooleanField(label="Speaker names in subtitles", required=False, initial=True)
