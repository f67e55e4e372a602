"""End to end over real HTTP with the sandbox's failure injection: an unreadable answer while following a
job is a passing fault, and a dub dubweb stopped following is still taken when its webhook comes."""

from projects.models import Submission
from projects.services import submissions
from sandbox import models as sandbox_models
from sandbox.webhooks import deliver_due_webhooks

from .test_end_to_end import fail_next, keynote, live  # noqa: F401 (fixtures)


def test_a_poll_that_gets_garbage_once_then_success_ends_with_one_dub(live, keynote):  # noqa: F811
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    fail_next(live, "modelslab", "fetch", "malformed", times=1)  # a 200 whose JSON is cut short
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING and not submission.error_message
    assert submission.responses[-1]["malformed"]
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    assert sandbox_models.ModelsLabJob.objects.count() == 1


def test_a_dubformer_poll_that_gets_garbage_once_keeps_following(live, keynote):  # noqa: F811
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.CREATE_PROJECT, by=manager, enqueue=False)
    submissions.send(submission.pk)
    fail_next(live, "dubformer", "get_project", "malformed", times=1)
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WAITING
    submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    assert sandbox_models.DubformerProject.objects.count() == 1


def test_the_webhook_of_a_dub_dubweb_gave_up_on_is_taken(live, keynote):  # noqa: F811
    project, manager = keynote
    submission = submissions.queue(project, Submission.Kind.NEW_DUB, by=manager, enqueue=False)
    submissions.send(submission.pk)
    fail_next(live, "modelslab", "fetch", "malformed", times=submissions.MALFORMED_IN_A_ROW)
    for _ in range(submissions.MALFORMED_IN_A_ROW):
        submissions.check(submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED and "stopped following" in submission.error_message
    deliver_due_webhooks()  # ModelsLab finished anyway and calls our webhook; we confirm with a fetch
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED, submission.error_message
    assert submission.output_video_url or submission.output_audio_url
    assert sandbox_models.ModelsLabJob.objects.count() == 1
