"""A push or a dub is sent when every segment is approved; otherwise only a manager or owner may send it
anyway, and that is recorded with their name. The push form shows what changed since the last push."""

import pytest
import responses
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from projects.models import Activity, ReviewStatus, Segment, Submission
from projects.services import editing, payloads, push_diff, scripts, submissions

from .factories import SegmentFactory, SpeakerFactory, approve_all, make_segments

DF = settings.DUBFORMER_BASE_URL + "/api/v1"
HTMX = {"HTTP_HX_REQUEST": "true"}
PUSH_OPTIONS = {"mixing_mode": "voiceover_only", "tts_volume": "normal"}
DUB_OPTIONS = {"speed": "1"}


@pytest.fixture
def script(project):
    project.dubformer_project_id = "12345"
    project.save()
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    for n, text in enumerate(["Bonjour à tous.", "Merci d'être venus.", "Commençons."]):
        SegmentFactory(
            project=project, start_ms=n * 3000, end_ms=n * 3000 + 2000, target_text=text, speaker=anna
        )
    return project


def create_url(project, kind):
    return reverse("projects:submission-create", args=[project.pk, kind])


def preview_url(project, kind="retranslate"):
    return reverse("projects:push-preview", args=[project.pk, kind])


# --- the gate ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "options"), [("retranslate", PUSH_OPTIONS), ("new_dub", DUB_OPTIONS)])
def test_with_every_segment_approved_a_manager_sends_without_override(client, manager, script, kind, options):
    approve_all(script)
    client.force_login(manager)
    response = client.post(create_url(script, kind), options, **HTMX)
    assert response.status_code == 200
    job = Submission.objects.get()
    assert job.override_by is None and job.override_unapproved is None
    assert "Sent anyway" not in response.content.decode()


@pytest.mark.parametrize(("kind", "options"), [("retranslate", PUSH_OPTIONS), ("new_dub", DUB_OPTIONS)])
def test_without_the_confirmation_nothing_is_sent_and_the_form_says_how_many(
    client, manager, script, kind, options
):
    first = script.segments.first()
    editing.save_segment(script, first.pk, {"review_status": ReviewStatus.APPROVED}, version=first.version,
                         by=manager)  # fmt: skip
    client.force_login(manager)
    response = client.post(create_url(script, kind), options, **HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "2 segments are not approved, so nothing was sent." in body and "tick “Send anyway” below" in body
    assert f'<label for="{kind}-send_anyway">Send anyway: 2 segments are not approved</label>' in body
    assert not Submission.objects.exists()


@pytest.mark.parametrize(("kind", "options"), [("retranslate", PUSH_OPTIONS), ("new_dub", DUB_OPTIONS)])
def test_a_managers_override_is_recorded_on_the_job_and_in_the_activity(
    client, manager, script, kind, options
):
    client.force_login(manager)
    response = client.post(create_url(script, kind), {**options, "send_anyway": "on"}, **HTMX)
    assert response.status_code == 200
    job = Submission.objects.get()
    assert (job.override_by, job.override_unapproved, job.created_by) == (manager, 3, manager)
    assert "Sent anyway by <strong>manny</strong>: 3 segments were not approved." in response.content.decode()
    assert Activity.objects.filter(project=script, verb="review", actor=manager,
                                   message__contains="with 3 segments not approved").exists()  # fmt: skip
    panel = client.get(reverse("projects:providers-panel", args=[script.pk])).content.decode()
    assert "Sent anyway by <strong>manny</strong>" in panel  # the job's card keeps saying it


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
@pytest.mark.parametrize("kind", ["retranslate", "new_dub"])
def test_others_cannot_override_and_nothing_is_queued(client, request, script, role, kind):
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        create_url(script, kind), {**PUSH_OPTIONS, **DUB_OPTIONS, "send_anyway": "on"}, **HTMX
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()
    assert not Activity.objects.filter(project=script).exists()


def test_only_those_who_may_override_are_offered_the_checkbox(script, manager):
    """The table decides, not the template: a role that may send but not override (none today) sees why."""
    from projects.views.project_review import gate_context

    script.role = "manager"
    assert set(gate_context(script, 3)["send_anyway_forms"]) == {"retranslate", "new_dub"}
    script.role = "editor"
    assert gate_context(script, 3)["send_anyway_forms"] == {}
    assert gate_context(script, 0)["send_anyway_forms"] == {}


def test_a_retry_is_gated_like_a_new_push(client, manager, script):
    approve_all(script)
    failed = submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    Submission.objects.filter(pk=failed.pk).update(status=Submission.Status.FAILED)
    segment = script.segments.first()
    Segment.objects.filter(pk=segment.pk).update(review_status=ReviewStatus.NEEDS_REVIEW)
    scripts.script_summary.recount(script)
    client.force_login(manager)
    url = reverse("projects:submission-retry", args=[script.pk, failed.pk])
    response = client.post(url, {"confirm": "yes"}, **HTMX)  # confirmed: the retry would cost again
    assert response.status_code == 409
    assert "1 segment is not approved now" in response.content.decode()
    assert "send it from the form above" in response.content.decode()
    assert Submission.objects.count() == 1


def test_other_actions_are_not_gated(manager, script):
    submissions.queue(script, Submission.Kind.IMPORT, by=manager, enqueue=False)
    script.dubformer_project_id = ""
    submissions.queue(script, Submission.Kind.CREATE_PROJECT, by=manager, enqueue=False)
    assert Submission.objects.filter(override_by=None).count() == 2


# --- what changed since the last push ------------------------------------------------------------------


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def push(project, by, api):
    """A re-translation sent by the worker and finished at Dubformer (mocked), as the panel would make it."""
    approve_all(project)
    api.post(f"{DF}/projects/12345/translations", json={"project_id": "12345", "cost_minutes": 0,
             "estimated_completion_date": "2030-01-01T00:00:00Z", "balance_minutes": 90, "translations_count": 1})  # fmt: skip
    api.get(f"{DF}/projects/12345", json={"status": "ready", "completion_date": "2100-01-01T00:00:00Z",
                                          "output_video_url": "https://cdn.example.com/out.mp4"})  # fmt: skip
    job = submissions.queue(project, Submission.Kind.RETRANSLATE, by=by, enqueue=False)
    submissions.send(job.pk)
    submissions.check(job.pk)
    job.refresh_from_db()
    assert job.status == Submission.Status.SUCCEEDED, job.error_message
    api.reset()
    return job


def changes_now(project):
    return push_diff.since_last_push(project, payloads.retranslation_rows(project))


@pytest.mark.parametrize(
    ("old", "new", "old_marked", "new_marked"),
    [
        ("Il change tout.", "Il change tout.", [("Il change tout.", False)], [("Il change tout.", False)]),
        ("Il change tout.", "Elle change tout !", [("Il", True), (" change tout", False), (".", True)],
         [("Elle", True), (" change tout ", False), ("!", True)]),
        ("", "Nouveau texte", [], [("Nouveau texte", True)]),
        ("Un  deux", "Un deux", [("Un  deux", False)], [("Un deux", False)]),  # spaces alone are not marked
    ],
)  # fmt: skip
def test_only_the_changed_words_are_marked(old, new, old_marked, new_marked):
    assert push_diff.marked_words(old, new) == (old_marked, new_marked)


def test_the_push_keeps_what_it_sent_per_segment(api, script, manager):
    job = push(script, manager, api)
    ids = list(script.segments.values_list("pk", flat=True))
    assert job.script_snapshot == [
        [ids[0], 0, 2000, "Bonjour à tous.", 1],
        [ids[1], 3000, 5000, "Merci d'être venus.", 1],
        [ids[2], 6000, 8000, "Commençons.", 1],
    ]
    assert [line["text"] for line in job.request["target_script"]] == [row[3] for row in job.script_snapshot]


def test_a_chain_of_edits_is_listed_exactly_then_a_new_push_leaves_nothing(api, script, manager, editor):
    push(script, manager, api)
    first, second, third = script.segments.all()
    editing.save_segment(script, first.pk, {"target_text": "Bonjour à vous tous."}, version=first.version,
                         by=editor)  # fmt: skip
    editing.shift_segments(script, delta_ms=250, segment_pks=[second.pk], by=editor)
    inserted = editing.insert_after(script, third.pk, by=editor).changed[0]
    editing.delete_segments(script, [third.pk], by=editor)

    diff = changes_now(script)
    assert diff.counts == {"added": 1, "removed": 1, "text": 1, "timing": 1, "speaker": 0}
    assert [(c.key, c.added, c.removed, c.text_changed, c.timing_changed) for c in diff.changes] == [
        (first.pk, False, False, True, False),
        (second.pk, False, False, False, True),
        (third.pk, False, True, False, False),
        (inserted.pk, True, False, False, False),
    ]
    text_change = diff.changes[0]
    assert (text_change.old.text, text_change.new.text) == ("Bonjour à tous.", "Bonjour à vous tous.")
    assert text_change.new_words == [("Bonjour à ", False), ("vous", True), (" tous.", False)]
    assert text_change.old_words == [("Bonjour à tous.", False)]
    timing = diff.changes[1]
    assert (timing.old.start_ms, timing.old.end_ms, timing.new.start_ms, timing.new.end_ms) == (
        3000,
        5000,
        3250,
        5250,
    )

    editing.save_segment(script, inserted.pk, {"target_text": "Fin."}, version=inserted.version, by=editor)
    push(script, manager, api)
    again = changes_now(script)
    assert again.empty and again.counts == dict.fromkeys(again.counts, 0)


def test_the_push_form_shows_old_and_new_text_with_the_changed_words_escaped(client, api, script, manager):
    push(script, manager, api)
    first = script.segments.first()
    editing.save_segment(script, first.pk, {"target_text": "Bonjour <b>à</b> tous."}, version=first.version,
                         by=manager)  # fmt: skip
    client.force_login(manager)
    body = client.get(preview_url(script), **HTMX).content.decode()
    assert "Changed since the last push" in body
    assert "<strong>1</strong> text changed" in body
    assert (
        '<span class="push-text-label">Pushed</span>' in body
        and '<span class="push-text-label">Now</span>' in body
    )
    assert "Bonjour <ins>&lt;b&gt;</ins>à<ins>&lt;/b&gt;</ins> tous." in body  # only the new words marked
    assert "<b>" not in body  # what people type never becomes markup
    assert "Compared with the push of" in body and "by manny" in body


def test_before_any_push_the_form_says_the_whole_script_is_sent(client, manager, script):
    client.force_login(manager)
    body = client.get(preview_url(script), **HTMX).content.decode()
    assert "Nothing has been pushed to Dubformer from dubweb yet" in body


def test_a_push_without_a_snapshot_is_compared_by_timing_and_says_so(manager, script):
    rows = payloads.retranslation_rows(script)
    body = payloads.retranslation_request(script, rows=rows).to_json()
    Submission.objects.create(project=script, provider="dubformer", kind=Submission.Kind.RETRANSLATE,
                              status=Submission.Status.SUCCEEDED, request=body, created_by=manager)  # fmt: skip
    first, second, _ = script.segments.all()
    Segment.objects.filter(pk=first.pk).update(target_text="Salut.")
    Segment.objects.filter(pk=second.pk).update(start_ms=3100)
    diff = changes_now(script)
    assert diff.by_timing
    assert diff.counts == {"added": 1, "removed": 1, "text": 1, "timing": 0, "speaker": 0}


def test_a_script_dubformer_would_refuse_is_said_before_pushing(client, manager, script):
    SegmentFactory(project=script, start_ms=9000, end_ms=9500, speaker=None)
    client.force_login(manager)
    body = client.get(preview_url(script), **HTMX).content.decode()
    assert "Dubformer would refuse this script as it is" in body and "has no speaker" in body


def test_the_cost_is_said_from_the_projects_duration(client, manager, script):
    script.video_duration_ms = 754_000
    script.save()
    client.force_login(manager)
    body = " ".join(client.get(preview_url(script), **HTMX).content.decode().split())
    assert "Cost: typically 0 min." in body and "(this one: 12.6 min)" in body
    body = " ".join(client.get(preview_url(script, "new_dub"), **HTMX).content.decode().split())
    assert "Length: 12.6 min" in body and "states no price per minute" in body


def test_without_a_duration_the_scripts_end_stands_in(client, manager, script):
    client.force_login(manager)
    body = " ".join(client.get(preview_url(script, "new_dub"), **HTMX).content.decode().split())
    assert "Length: 0.1 min</strong> (from the script's end" in body


def test_the_balance_the_provider_last_stated_is_shown(client, api, manager, script):
    push(script, manager, api)
    client.force_login(manager)
    body = " ".join(client.get(preview_url(script), **HTMX).content.decode().split())
    assert "Balance at Dubformer after the team's last job: 90 min." in body


def test_the_preview_is_for_those_who_may_send(client, editor, outsider, script):
    client.force_login(editor)
    assert client.get(preview_url(script), **HTMX).status_code == 403
    client.force_login(outsider)
    assert client.get(preview_url(script), **HTMX).status_code == 404


def test_an_unknown_action_has_no_preview(client, manager, script):
    client.force_login(manager)
    assert client.get(preview_url(script, "import"), **HTMX).status_code == 404


@pytest.mark.parametrize("count", [10, 3000])
def test_the_push_forms_preview_reads_a_fixed_number_of_times(client, manager, project, count,
                                                              django_assert_max_num_queries):  # fmt: skip
    anna = SpeakerFactory(project=project, speaker_id=1, voice_key="soundalike")
    make_segments(project, count, speaker=anna)
    rows = payloads.retranslation_rows(project)
    Submission.objects.create(project=project, provider="dubformer", kind=Submission.Kind.RETRANSLATE,
                              status=Submission.Status.SUCCEEDED, request={"target_script": []},
                              script_snapshot=payloads.script_snapshot(rows), created_by=manager,
                              finished_at=timezone.now())  # fmt: skip
    Segment.objects.filter(project=project).update(target_text="Changé partout")  # every segment changed
    client.force_login(manager)
    # session + user + project with role + the script's rows + the last push + one under way + the last balance
    with django_assert_max_num_queries(7):
        response = client.get(preview_url(project), **HTMX)
    body = response.content.decode()
    assert f"<strong>{count:,}</strong> text changed" in body
    assert body.count('class="push-change"') == min(count, push_diff.SHOWN_CHANGES)
    if count > push_diff.SHOWN_CHANGES:
        assert f"and {count - push_diff.SHOWN_CHANGES:,} more changed segments" in body


@pytest.mark.parametrize("count", [10, 3000])
def test_the_providers_panel_reads_a_fixed_number_of_times(client, manager, project, count,
                                                           django_assert_max_num_queries):  # fmt: skip
    make_segments(project, count)
    client.force_login(manager)
    # session + user + project with role + due jobs + jobs + stored counts (the gate's too) + speakers + voice
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:providers-panel", args=[project.pk]))
    assert f"{count:,} segments are not approved" in response.content.decode()


def test_the_jobs_page_says_who_sent_anyway(client, manager, script):
    submissions.queue(script, Submission.Kind.NEW_DUB, by=manager, enqueue=False, override_by=manager)
    client.force_login(manager)
    body = client.get(reverse("projects:jobs")).content.decode()
    assert "(sent anyway by manny: 3 not approved)" in body


def test_while_a_push_runs_the_form_says_what_it_compares_with(client, api, manager, script):
    push(script, manager, api)
    submissions.queue(script, Submission.Kind.RETRANSLATE, by=manager, enqueue=False)
    client.force_login(manager)
    body = client.get(preview_url(script), **HTMX).content.decode()
    assert "A re-translation is under way: this compares with the last one that finished." in body
