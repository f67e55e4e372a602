"""Creating a project and changing its settings, each recorded in the project's trail with the
settings before and after (services/changes.py)."""

from django.db import transaction

from ..models import Project, ScriptEdit
from . import changes, script_summary, waveforms


def create_project(form, *, by):
    """Save a valid ProjectForm as a new project made by `by`."""
    with transaction.atomic():
        project = form.save(commit=False)
        project.created_by = by
        project.save()
        changes.record(project, by, ScriptEdit.Kind.PROJECT, "Created the project",
                       [], [changes.project_settings(project)])  # fmt: skip
        waveforms.source_changed(project)
    return project


def save_project(project, form, *, by):
    """Save a valid ProjectForm of an existing project; recorded (with the fields' labels) when
    something changed. Returns the project."""
    with transaction.atomic():
        stored = Project.objects.select_for_update().get(pk=project.pk)
        before = changes.project_settings(stored)
        project = form.save()
        after = changes.project_settings(project)
        if before != after:
            was, now, names = changes.changed_only(before, after)
            if {"target_language", "video_duration_ms"} & set(names):
                script_summary.recount(project)  # the checks' thresholds and the video's end changed
            labels = [str(form.fields[name].label).lower() for name in names if name in form.fields]
            changes.record(project, by, ScriptEdit.Kind.PROJECT, f"Changed {', '.join(labels) or 'the settings'}",
                           [was], [now])  # fmt: skip
        if stored.source_video_url != project.source_video_url:
            waveforms.source_changed(project)
    return project
