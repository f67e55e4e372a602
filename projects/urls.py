from django.urls import path

from .views import credentials, editor, history, projects, scripts, speakers, submissions

app_name = "projects"
urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_create, name="create"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/edit/", projects.project_edit, name="edit"),
    path("<int:pk>/import/", scripts.script_import, name="import"),
    path("<int:pk>/import/<int:import_pk>/", scripts.script_import_confirm, name="import-confirm"),
    path("<int:pk>/export/", scripts.script_export, name="export"),
    path("<int:pk>/backups/", scripts.snapshot_list, name="backups"),
    path("<int:pk>/backups/<int:snapshot_pk>/download/", scripts.snapshot_download, name="backup-download"),
    path("<int:pk>/backups/<int:snapshot_pk>/restore/", scripts.snapshot_restore, name="backup-restore"),
    # The editor and its HTMX endpoints.
    path("<int:pk>/script/", editor.editor, name="editor"),
    path("<int:pk>/script/rows/", editor.segment_rows, name="segment-rows"),
    path("<int:pk>/script/quality/", editor.quality_summary, name="quality-summary"),
    path("<int:pk>/script/next-problem/", editor.next_problem, name="next-problem"),
    path("<int:pk>/script/segments/<int:segment_pk>/", editor.segment_row, name="segment-row"),
    path("<int:pk>/script/segments/<int:segment_pk>/save/", editor.segment_save, name="segment-save"),
    path("<int:pk>/script/segments/<int:segment_pk>/split/", editor.segment_split, name="segment-split"),
    path("<int:pk>/script/segments/<int:segment_pk>/merge/", editor.segment_merge, name="segment-merge"),
    path("<int:pk>/script/insert/", editor.segment_insert, name="segment-insert"),
    path("<int:pk>/script/delete/", editor.segments_delete, name="segments-delete"),
    path("<int:pk>/script/shift/", editor.segments_shift, name="segments-shift"),
    path("<int:pk>/script/speaker/", editor.segments_speaker, name="segments-speaker"),
    path("<int:pk>/script/undo/", editor.undo, name="undo"),
    path("<int:pk>/script/redo/", editor.redo, name="redo"),
    path("<int:pk>/script/replace/", editor.replace_preview, name="replace-preview"),
    path("<int:pk>/script/replace/apply/", editor.replace_apply, name="replace-apply"),
    path("<int:pk>/speakers/", speakers.speakers_panel, name="speakers-panel"),
    # Providers.
    path("jobs/", submissions.jobs, name="jobs"),
    path("teams/<slug:slug>/provider-keys/", credentials.provider_keys, name="provider-keys"),
    path("<int:pk>/providers/", submissions.providers_panel, name="providers-panel"),
    path("<int:pk>/providers/<str:kind>/", submissions.submission_create, name="submission-create"),
    path(
        "<int:pk>/jobs/<int:submission_pk>/cancel/", submissions.submission_cancel, name="submission-cancel"
    ),
    path("<int:pk>/jobs/<int:submission_pk>/retry/", submissions.submission_retry, name="submission-retry"),
    path(
        "<int:pk>/jobs/<int:submission_pk>/check-again/",
        submissions.submission_check_again,
        name="submission-check-again",
    ),
    path("<int:pk>/jobs/<int:submission_pk>/card/", submissions.submission_card, name="submission-card"),
    path(
        "<int:pk>/jobs/<int:submission_pk>/answers/",
        submissions.submission_answers,
        name="submission-answers",
    ),
    path("<int:pk>/jobs/<int:submission_pk>/keep/", submissions.output_copy_retry, name="output-copy-retry"),
    path(
        "<int:pk>/jobs/<int:submission_pk>/output/<str:which>/",
        submissions.submission_output,
        name="submission-output",
    ),
    path("hooks/modelslab/<str:token>/", submissions.modelslab_webhook, name="modelslab-webhook"),
    path("<int:pk>/speakers/new/", speakers.speaker_create, name="speaker-create"),
    path("<int:pk>/speakers/<int:speaker_pk>/", speakers.speaker_save, name="speaker-save"),
    path("<int:pk>/speakers/<int:speaker_pk>/delete/", speakers.speaker_delete, name="speaker-delete"),
    # History: a segment's changes (restore), the project's and the team's activity.
    path(
        "<int:pk>/script/segments/<int:segment_pk>/history/", history.segment_history, name="segment-history"
    ),
    path(
        "<int:pk>/script/segments/<int:segment_pk>/restore/", history.segment_restore, name="segment-restore"
    ),
    path("<int:pk>/activity/", history.project_activity, name="project-activity"),
    path("activity/", history.team_activity, name="team-activity"),
]
