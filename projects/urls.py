from django.urls import path

from .views import (
    assignments,
    comments,
    credentials,
    editor,
    history,
    notifications,
    presence,
    project_review,
    projects,
    review,
    scripts,
    speakers,
    submissions,
    timeline,
)

app_name = "projects"
urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_create, name="create"),
    path("<int:pk>/", projects.project_detail, name="detail"),
    path("<int:pk>/edit/", projects.project_edit, name="edit"),
    path("<int:pk>/assignments/", assignments.assignment_create, name="assignment-create"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/remove/",
        assignments.assignment_delete,
        name="assignment-delete",
    ),
    path("my-work/", assignments.my_work, name="my-work"),
    path("<int:pk>/import/", scripts.script_import, name="import"),
    path("<int:pk>/import/<int:import_pk>/", scripts.script_import_confirm, name="import-confirm"),
    path("<int:pk>/export/", scripts.script_export, name="export"),
    path("<int:pk>/backups/", scripts.snapshot_list, name="backups"),
    path("<int:pk>/backups/<int:snapshot_pk>/download/", scripts.snapshot_download, name="backup-download"),
    path("<int:pk>/backups/<int:snapshot_pk>/restore/", scripts.snapshot_restore, name="backup-restore"),
    # The editor and its HTMX endpoints.
    path("<int:pk>/script/", editor.editor, name="editor"),
    path("<int:pk>/script/rows/", editor.segment_rows, name="segment-rows"),
    path("<int:pk>/script/timeline.json", timeline.timeline_segments, name="timeline-segments"),
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
    path("<int:pk>/script/presence/", presence.presence_poll, name="presence"),
    path("<int:pk>/speakers/", speakers.speakers_panel, name="speakers-panel"),
    path("<int:pk>/script/review/", review.segments_review, name="segments-review"),
    path("<int:pk>/script/review/approve-clean/", review.approve_clean, name="review-approve-clean"),
    path("<int:pk>/script/review/progress/", review.review_progress, name="review-progress"),
    # The project's review state, and what a push would send.
    path("<int:pk>/review/submit/", project_review.submit_for_review, name="review-submit"),
    path("<int:pk>/review/approve/", project_review.approve_for_dubbing, name="review-approve"),
    path("<int:pk>/providers/<str:kind>/preview/", project_review.push_preview, name="push-preview"),
    # Providers.
    path("jobs/", submissions.jobs, name="jobs"),
    # Notifications (the person's own).
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/count/", notifications.notification_count, name="notification-count"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications-read-all"),
    path(
        "notifications/<int:notification_pk>/open/", notifications.notification_open, name="notification-open"
    ),
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
    # Comments: threads on the project, on a segment, pinned on a job's output; @mention suggestions.
    path("<int:pk>/comments/", comments.project_comments, name="project-comments"),
    path(
        "<int:pk>/script/segments/<int:segment_pk>/comments/",
        comments.segment_comments,
        name="segment-comments",
    ),
    path("<int:pk>/jobs/<int:submission_pk>/comments/", comments.job_comments, name="job-comments"),
    path("<int:pk>/comments/<int:comment_pk>/reply/", comments.comment_reply, name="comment-reply"),
    path("<int:pk>/comments/<int:comment_pk>/edit/", comments.comment_edit, name="comment-edit"),
    path("<int:pk>/comments/<int:comment_pk>/resolve/", comments.comment_resolve, name="comment-resolve"),
    path("<int:pk>/comments/<int:comment_pk>/delete/", comments.comment_delete, name="comment-delete"),
    path("<int:pk>/people/", comments.mention_options, name="mention-options"),
]

from .views import teams  # noqa: E402

urlpatterns += [
    path("teams/", teams.team_list, name="teams"),
    path("teams/<slug:slug>/", teams.team_detail, name="team"),
    path("teams/<slug:slug>/invite/", teams.team_invite, name="team-invite"),
    path("teams/<slug:slug>/leave/", teams.team_leave, name="team-leave"),
    path("teams/<slug:slug>/settings/", teams.team_settings, name="team-settings"),
    path(
        "teams/<slug:slug>/invitations/<int:invitation_pk>/revoke/",
        teams.invitation_revoke,
        name="invitation-revoke",
    ),
    path("teams/<slug:slug>/members/<int:membership_pk>/role/", teams.member_role, name="member-role"),
    path("teams/<slug:slug>/members/<int:membership_pk>/remove/", teams.member_remove, name="member-remove"),
    path("teams/<slug:slug>/members/<int:membership_pk>/unlock/", teams.member_unlock, name="member-unlock"),
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

from .views import waveforms  # noqa: E402

urlpatterns += [
    path("<int:pk>/waveform/", waveforms.waveform_status, name="waveform-status"),
    path("<int:pk>/waveform/compute/", waveforms.waveform_compute, name="waveform-compute"),
    path("<int:pk>/waveform/peaks.dat", waveforms.source_peaks, name="waveform-peaks"),
    path(
        "<int:pk>/jobs/<int:submission_pk>/output/<str:which>/peaks.dat",
        waveforms.output_peaks,
        name="output-waveform-peaks",
    ),
]
