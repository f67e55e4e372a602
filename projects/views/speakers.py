"""The editor's speakers panel: add, rename, set style and voices, delete when unused."""

import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from .. import access, text_input
from ..models import Speaker
from ..services import speakers as speaker_changes
from ..services import voices

PANEL = "projects/includes/speakers_panel.html#speakers-panel"


class SpeakerForm(text_input.TextFieldsMixin, forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "style", "voice_key", "modelslab_voice_id"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Speaker.objects.filter(project=self.instance.project, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if others.exists():
            raise forms.ValidationError(f"There is already a speaker called {name}.")
        return name


def _panel(request, project, *, message="", error=False, status=200, announce=True):
    project.can_edit = access.allows(project, "edit_script")
    speakers = list(project.speakers.annotate(segment_count=Count("segments")).order_by("speaker_id"))
    catalogue, catalogue_problem = voices.dubformer_voices(project)
    if not catalogue_problem:  # without the catalogue there is nothing to compare with: no warning
        for speaker in speakers:
            speaker.voice_warning = voices.unknown_voice_warning(project, speaker.voice_key, catalogue)
    context = {
        "project": project,
        "speakers": speakers,
        "speaker_message": message,
        "speaker_error": error,
        "catalogue": catalogue,
        "catalogue_problem": catalogue_problem,
    }
    response = render(request, PANEL, context, status=status)
    if announce:
        # Rows and filters list the speakers too: the page updates their names from this event.
        response["HX-Trigger"] = json.dumps({"speakers-changed": {str(s.pk): s.name for s in speakers}})
    return response


@login_required
@require_GET
def speakers_panel(request, pk):
    project = access.get_project_for(request.user, pk, "view")
    return _panel(request, project, announce=False)


def _errors(form):
    return " ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())


@login_required
@require_POST
def speaker_create(request, pk):
    project = access.get_project_for(request.user, pk, "edit_script")
    speaker = Speaker(project=project, voice_key="")
    form = SpeakerForm(request.POST, instance=speaker)
    if not form.is_valid():
        return _panel(request, project, message=_errors(form), error=True, status=422)
    speaker_changes.create_speaker(project, form, by=request.user)
    return _panel(request, project, message=f"Added {speaker.name}.")


@login_required
@require_POST
def speaker_save(request, pk, speaker_pk):
    project = access.get_project_for(request.user, pk, "edit_script")
    speaker = get_object_or_404(Speaker.objects.filter(project=project), pk=speaker_pk)
    form = SpeakerForm(request.POST, instance=speaker)
    if not form.is_valid():
        return _panel(request, project, message=_errors(form), error=True, status=422)
    speaker_changes.save_speaker(project, form, by=request.user)
    message = f"Saved {speaker.name}."
    catalogue, catalogue_problem = voices.dubformer_voices(project)
    if not catalogue_problem and voices.unknown_voice_warning(project, speaker.voice_key, catalogue):
        message += " Its voice key is not in Dubformer's catalogue for this language: see the warning below."
    return _panel(request, project, message=message)


@login_required
@require_POST
def speaker_delete(request, pk, speaker_pk):
    project = access.get_project_for(request.user, pk, "edit_script")
    speaker = get_object_or_404(Speaker.objects.filter(project=project), pk=speaker_pk)
    try:
        speaker_changes.delete_speaker(project, speaker, by=request.user)
    except speaker_changes.SpeakerInUse as in_use:
        return _panel(request, project, message=str(in_use), error=True, status=409)
    return _panel(request, project, message=f"Deleted {speaker.name}.")
