"""Ids from the outside (URL, lists in a form) that are not ids get a clear 4xx, and nothing changes."""

import pytest
from django.urls import reverse

from projects.models import ScriptEdit, Segment

from .factories import SegmentFactory

HX = {"HX-Request": "true"}
HUGE = [str(2**63), str(2**64), "9" * 40]


@pytest.fixture
def script(project, speaker):
    return [
        SegmentFactory(project=project, start_ms=n * 3000, end_ms=n * 3000 + 2500, speaker=speaker)
        for n in range(3)
    ]


def snapshot(project):
    return list(
        Segment.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "start_ms", "end_ms", "target_text", "speaker_id", "version")
    )


@pytest.mark.parametrize("name", ["segment-save", "segment-split", "segment-merge", "segment-row"])
@pytest.mark.parametrize("segment_id", [2**63, 2**64, 10**40])
def test_a_segment_id_past_the_largest_row_id_in_the_url_is_not_found(
    client, editor, project, script, name, segment_id
):
    client.force_login(editor)
    before = snapshot(project)
    url = reverse(f"projects:{name}", args=[project.pk, 1]).replace("/1/", f"/{segment_id}/")
    data = {"version": 1, "field": "target_text", "target_text": "x"}
    response = client.get(url, headers=HX) if name == "segment-row" else client.post(url, data, headers=HX)
    assert response.status_code == 404
    assert snapshot(project) == before and not ScriptEdit.objects.exists()


LIST_ENDPOINTS = [
    ("segments-delete", {}),
    ("segments-shift", {"delta_ms": 100, "scope": "selected"}),
    ("segments-speaker", {"speaker": ""}),
]


@pytest.mark.parametrize(("name", "extra"), LIST_ENDPOINTS)
@pytest.mark.parametrize("bad", ["abc", "1.5", "-3", "٣", *HUGE])
def test_a_list_with_anything_but_segment_ids_is_refused_whole(
    client, editor, project, script, name, extra, bad
):
    client.force_login(editor)
    before = snapshot(project)
    # A real id next to the bad one: the request is refused whole, the real one is not touched either.
    response = client.post(
        reverse(f"projects:{name}", args=[project.pk]),
        {"segments": [str(script[0].pk), bad], **extra},
        headers=HX,
    )
    assert response.status_code == 422
    assert "not segment ids" in response.content.decode()
    assert snapshot(project) == before and not ScriptEdit.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "-1", *HUGE])
def test_insert_after_something_that_is_not_an_id_is_refused(client, editor, project, script, bad):
    client.force_login(editor)
    before = snapshot(project)
    response = client.post(reverse("projects:segment-insert", args=[project.pk]), {"after": bad}, headers=HX)
    assert response.status_code == 422 and "not segment ids" in response.content.decode()
    assert snapshot(project) == before


@pytest.mark.parametrize("bad", ["abc", *HUGE])
def test_a_speaker_that_is_not_an_id_is_refused(client, editor, project, script, bad):
    client.force_login(editor)
    before = snapshot(project)
    response = client.post(
        reverse("projects:segments-speaker", args=[project.pk]),
        {"segments": [str(script[0].pk)], "speaker": bad},
        headers=HX,
    )
    assert response.status_code == 422
    assert snapshot(project) == before


def test_a_huge_cursor_for_more_rows_starts_from_the_top(client, editor, project, script):
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    for cursor in (f"{2**64}.{2**64}", "x.y", "1.99999999999999999999999"):
        assert client.get(url, {"after": cursor}, headers=HX).status_code == 200
        assert client.get(url, {"after": cursor, "q": "Réplique"}, headers=HX).status_code == 200
