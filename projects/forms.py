from django import forms

from . import languages, text_input, video_urls
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


class ProjectForm(text_input.TextFieldsMixin, forms.ModelForm):
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

    def clean_source_video_url(self):
        """Percent-encoded as the providers' contracts want (`format: uri`), and checked by the same rule
        now, rather than refused by the worker later."""
        value = self.cleaned_data.get("source_video_url", "")
        try:
            value = video_urls.normalise(value)
        except video_urls.BadURL as error:
            raise forms.ValidationError(str(error)) from None
        problem = video_urls.problem(value, relative_ok=True) if value else ""
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_status(self):
        """Only "Approve for dubbing" approves, as it checks that every segment is approved
        (services/project_review.py); the other statuses are the manager's to set here."""
        status = self.cleaned_data.get("status")
        if status == Project.Status.APPROVED and self.instance.status != Project.Status.APPROVED:
            raise forms.ValidationError(
                "Use “Approve for dubbing” on the project page: it checks that every segment is approved."
            )
        return status

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source_language") and cleaned.get("source_language") == cleaned.get(
            "target_language"
        ):
            self.add_error("target_language", "The target language must differ from the source language.")
        team = cleaned.get("team") or getattr(self.instance, "team", None)
        linked = cleaned.get("dubformer_project_id")
        if linked and team and linked != self.initial.get("dubformer_project_id"):
            from .services.submissions import linked_elsewhere

            if linked_elsewhere(team.pk, linked):
                self.add_error(
                    "dubformer_project_id", "That Dubformer project belongs to another team's project."
                )
        return cleaned


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    # The list refreshes when one of these menus changes (hx-trigger "change from:.filter-select").
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Project.Status.choices],
        widget=forms.Select(attrs={"class": "filter-select"}),
    )
    language = forms.ChoiceField(
        label="Target language",
        required=False,
        choices=[("", "Any language"), *languages.CHOICES],
        widget=forms.Select(attrs={"class": "filter-select"}),
    )
    mine = forms.BooleanField(
        label="Assigned to me", required=False, widget=forms.CheckboxInput(attrs={"class": "filter-select"})
    )
    # Offered only to people in several teams (choices: their teams, set by the view).
    team = forms.ChoiceField(
        label="Team", required=False, choices=[], widget=forms.Select(attrs={"class": "filter-select"})
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All teams"), *((team.slug, team.name) for team in teams)]


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
        help_text="Only when the file uses them as speakers: the same name on several lines, or a list of "
        "names. You see the speakers found before anything is imported.",
    )


class ScriptExportForm(forms.Form):
    file_format = forms.ChoiceField(label="Format", choices=script_formats.FORMATS.items(), initial="srt")
    text_column = forms.ChoiceField(
        label="Text", choices=script_formats.TEXT_COLUMNS.items(), initial="target"
    )
    speaker_names = forms.BooleanField(label="Speaker names in subtitles", required=False, initial=True)


class SegmentFieldForm:
    """One field of one segment, as the editor saves it: `field` names which of the row's inputs
    changed; only that one is read, so a half-typed neighbour in the same row is left alone."""

    FIELDS = {
        "start": ("start_ms", "Start"),
        "end": ("end_ms", "End"),
        "target_text": ("target_text", "Translation"),
        "speaker": ("speaker", "Speaker"),
        # Not the review status: it moves only through services/review.py, with its own permissions.
    }

    def __init__(self, data, *, speakers):
        self.data = data
        self.speakers = {str(speaker.pk): speaker for speaker in speakers}
        self.field = data.get("field", "")
        self.cleaned_data = {}
        self.errors = {}

    def is_valid(self):
        try:
            self.cleaned_data["version"] = int(self.data.get("version", ""))
        except ValueError:
            self.errors[self.field or "version"] = "This row is out of date; reload the page."
            return False
        if self.field not in self.FIELDS:
            self.errors["version"] = "Nothing to save."
            return False
        raw = self.data.get(self.field, "")
        try:
            self.cleaned_data["value"] = self._clean(raw)
        except forms.ValidationError as error:
            self.errors[self.field] = " ".join(error.messages)
        return not self.errors

    def _clean(self, raw):
        if self.field in ("start", "end"):
            try:
                return parse_timecode(raw)
            except TimecodeError as error:
                raise forms.ValidationError(str(error)) from None
        if self.field == "target_text":
            text = raw.replace("\r\n", "\n").strip()
            if not text:
                raise forms.ValidationError(
                    "The translation cannot be empty; delete the segment if it is not needed."
                )
            if problem := text_input.problem(text):
                raise forms.ValidationError(problem)
            return text
        if self.field == "speaker":
            if raw == "":
                return None
            if raw not in self.speakers:
                raise forms.ValidationError("Choose one of this project's speakers.")
            return self.speakers[raw]
        raise forms.ValidationError("Nothing to save.")

    def changes(self):
        return {self.FIELDS[self.field][0]: self.cleaned_data["value"]}

    def field_errors(self):
        return self.errors

    def typed_values(self):
        """What the person typed in the field they changed, to show it again (in error or conflict)."""
        return {self.field: self.data.get(self.field, "")} if self.field in self.FIELDS else {}

    def conflict(self, current):
        """Their value and mine for the conflict panel."""
        attribute, label = self.FIELDS[self.field]
        theirs = getattr(current, attribute)
        if self.field in ("start", "end"):
            theirs = format_timecode(theirs)
        elif self.field == "speaker":
            theirs = current.speaker.name if current.speaker_id else "no speaker"
        mine = self.data.get(self.field, "")
        if self.field == "speaker":
            mine = self.speakers[mine].name if mine in self.speakers else "no speaker"
        return {"field": self.field, "label": label, "theirs": theirs, "mine": mine}


class ShiftForm(forms.Form):
    SCOPES = [("selected", "Selected segments"), ("from", "Every segment from"), ("all", "All segments")]

    delta_ms = forms.IntegerField(
        label="Shift by (ms)",
        min_value=-86_400_000,
        max_value=86_400_000,
        help_text="Negative moves earlier.",
        widget=forms.NumberInput(attrs={"step": 10}),
    )
    scope = forms.ChoiceField(label="Which", choices=SCOPES, initial="selected")
    from_ms = TimecodeField(label="From", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "from" and cleaned.get("from_ms") is None and "from_ms" not in self.errors:
            self.add_error("from_ms", "Give the time from which to shift.")
        if cleaned.get("delta_ms") == 0:
            self.add_error("delta_ms", "Give a shift other than 0 ms.")
        return cleaned


MIXING_CHOICES = [
    ("voiceover_with_original_track", "Voice-over with the original track"),
    ("voiceover_without_original_voice", "Voice-over without the original voice (vocal removal)"),
    ("voiceover_only", "Voice-over only"),
]
TTS_VOLUME_CHOICES = [("very_quiet", "Very quiet"), ("quieter", "Quieter"), ("normal", "Normal"),
                      ("louder", "Louder"), ("very_loud", "Very loud")]  # fmt: skip


class CreateOnDubformerForm(forms.Form):
    mixing_mode = forms.ChoiceField(label="Mixing", choices=MIXING_CHOICES)
    # Shown only when the project is already on Dubformer: a second one is charged again.
    create_again = forms.BooleanField(label="Make a new one anyway (charged again)", required=False)
    use_soundalike_voices = forms.BooleanField(label="Soundalike voices (subscription)", required=False)
    use_emotional_transfer = forms.BooleanField(
        label="Emotional transfer (en, es, fr, de, it, pt targets)", required=False
    )


class ImportFromDubformerForm(forms.Form):
    dubformer_project_id = forms.RegexField(
        label="Dubformer project id", regex=r"^[A-Za-z0-9_-]{1,64}$", max_length=64,
        error_messages={"invalid": "A Dubformer project id is letters, digits, - or _ (e.g. 12345)."},
    )  # fmt: skip


class PushRetranslationForm(forms.Form):
    mixing_mode = forms.ChoiceField(label="Mixing", choices=MIXING_CHOICES)
    use_fixed_timings = forms.BooleanField(label="Keep my timings exactly (fixed timings)", required=False)
    tts_volume = forms.ChoiceField(label="Voice volume", choices=TTS_VOLUME_CHOICES, initial="normal")


class NewDubForm(text_input.TextFieldsMixin, forms.Form):
    """A ModelsLab dub of the project's video. ModelsLab dubs with one voice: the form proposes the ModelsLab
    voice id of the speaker with the most lines, and refuses a target language ModelsLab does not offer."""

    voice_id = forms.CharField(label="ModelsLab voice id", required=False, max_length=100,
                               help_text="Empty: ModelsLab's default voice.")  # fmt: skip
    voice_model = forms.CharField(label="Voice model", required=False, initial="kokoro", max_length=50)
    speed = forms.FloatField(label="Speed", initial=1.0, min_value=0.5, max_value=2.0)
    seed = forms.IntegerField(label="Seed", required=False, min_value=0, max_value=2**31 - 1,
                              help_text="Empty or 0: random.")  # fmt: skip

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if project is None:
            return
        from .services.voices import default_modelslab_voice

        voice_id, speaker = default_modelslab_voice(project)
        if voice_id:
            self.fields["voice_id"].initial = voice_id
            self.fields["voice_id"].help_text = (
                f"Proposed: {speaker}'s (the speaker with the most lines); ModelsLab dubs with one voice. "
                "Empty: ModelsLab's default voice."
            )

    def clean(self):
        cleaned = super().clean()
        if self.project is not None and not languages.modelslab_dubs_into(self.project.target_language):
            raise forms.ValidationError(modelslab_language_refusal(self.project))
        return cleaned


def modelslab_language_refusal(project):
    return (
        f"ModelsLab cannot dub into {project.target_language_name}: it dubs only into "
        f"{', '.join(languages.modelslab_output_names())}."
    )


class SendAnywayForm(forms.Form):
    """The review gate's override on a push or a dub: a manager or owner confirms sending although some
    segments are not approved (recorded on the job with their name)."""

    send_anyway = forms.BooleanField(required=False)

    def __init__(self, *args, unapproved=0, **kwargs):
        super().__init__(*args, **kwargs)
        noun = "segment is" if unapproved == 1 else "segments are"
        self.fields["send_anyway"].label = f"Send anyway: {unapproved} {noun} not approved"
