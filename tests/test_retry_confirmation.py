"""Retrying a failed job sends a new request, which the provider may charge again: the card asks first,
naming the provider and the cost known, and nothing is sent until the person confirms."""

import pytest
from django.urls import reverse

from projects.models import Submission
from projects.services import submissions

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def failed_dub(project, manager):
    job = submissions.queue(project, Submission.Kind.NEW_DUB, options={"voice_id": "henry"}, by=manager,
                            enqueue=False)  # fmt: skip
    Submission.objects.filter(pk=job.pk).update(
        status=Submission.Status.FAILED, error_message="ModelsLab refused the dub.", cost_minutes=12.5
    )
    job.refresh_from_db()
    return job


def retry_url(job):
    return reverse("projects:submission-retry", args=[job.project_id, job.pk])


def test_retry_asks_first_naming_the_provider_and_the_cost(client, manager, failed_dub):
    client.force_login(manager)
    card = client.get(retry_url(failed_dub), **HX).content.decode()
    assert "Send “New ModelsLab dub” to ModelsLab again?" in card
    assert "ModelsLab may charge it again, about 12.5 min" in card
    assert "Send again to ModelsLab" in card and "Do not send" in card
    assert Submission.objects.count() == 1  # asking sent nothing


def test_a_post_without_the_confirmation_only_asks(client, manager, failed_dub):
    client.force_login(manager)
    card = client.post(retry_url(failed_dub), **HX).content.decode()
    assert "Send again to ModelsLab" in card
    assert Submission.objects.count() == 1


def test_confirming_sends_it_again_once(client, manager, failed_dub):
    client.force_login(manager)
    card = client.post(retry_url(failed_dub), {"confirm": "yes"}, **HX).content.decode()
    assert "Sent again as a new job, first in the list." in card
    again = Submission.objects.exclude(pk=failed_dub.pk).get()
    assert (again.kind, again.options, again.status) == (
        Submission.Kind.NEW_DUB,
        failed_dub.options,
        Submission.Status.QUEUED,
    )


def test_without_a_cost_estimate_the_question_says_so(client, manager, failed_dub):
    Submission.objects.filter(pk=failed_dub.pk).update(cost_minutes=None)
    client.force_login(manager)
    card = client.get(retry_url(failed_dub), **HX).content.decode()
    assert "dubweb has no cost estimate for it" in card


def test_do_not_send_brings_the_card_back_with_the_focus(client, manager, failed_dub):
    client.force_login(manager)
    card_url = reverse("projects:submission-card", args=[failed_dub.project_id, failed_dub.pk])
    card = client.get(f"{card_url}?focus=1", **HX).content.decode()
    assert "data-focus" in card and "Retry…" in card and "Send again" not in card


def test_viewers_cannot_even_ask(client, viewer, failed_dub):
    client.force_login(viewer)
    assert client.get(retry_url(failed_dub), **HX).status_code == 403
    assert client.post(retry_url(failed_dub), {"confirm": "yes"}, **HX).status_code == 403
    assert Submission.objects.count() == 1
