"""Find and replace: whole words, regular expressions and case, a preview that is exactly what Apply does."""

import pytest
from django.urls import reverse

from projects.models import ScriptEdit, Segment

from .factories import SegmentFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def texts(project):
    lines = ["Take the train.", "These are mine.", "My grandfather said THE word.", "Then the end."]
    return [
        SegmentFactory(project=project, start_ms=n * 3000, end_ms=n * 3000 + 2500, target_text=line)
        for n, line in enumerate(lines)
    ]


def preview(client, project, **data):
    return client.get(reverse("projects:replace-preview", args=[project.pk]), data, headers=HX)


def apply(client, project, **data):
    return client.post(reverse("projects:replace-apply", args=[project.pk]), data, headers=HX)


def translations(project):
    return list(
        Segment.objects.filter(project=project).order_by("start_ms").values_list("target_text", flat=True)
    )


def test_whole_word_replaces_the_word_and_leaves_these_and_grandfather(client, editor, project, texts):
    client.force_login(editor)
    shown = preview(client, project, find="the", replace="a", whole_word="1").content.decode()
    assert "3 segments will change" in shown
    response = apply(client, project, find="the", replace="a", whole_word="1")
    assert response.status_code == 200
    assert translations(project) == [
        "Take a train.",
        "These are mine.",
        "My grandfather said a word.",
        "Then a end.",
    ]


def test_match_case_with_whole_word_leaves_other_cases(client, editor, project, texts):
    client.force_login(editor)
    apply(client, project, find="THE", replace="that", whole_word="1", case_sensitive="1")
    assert (
        translations(project)[2] == "My grandfather said that word."
        and translations(project)[0] == "Take the train."
    )


def test_a_regular_expression_with_a_group(client, editor, project, texts):
    client.force_login(editor)
    shown = preview(client, project, find=r"(\w+) the", replace=r"the \1", regex="1").content.decode()
    assert "<ins>the Take train.</ins>" in shown
    apply(client, project, find=r"(\w+) the", replace=r"the \1", regex="1")
    assert translations(project)[0] == "the Take train."


def test_the_preview_shows_exactly_what_apply_changes_and_is_cleared_after(client, editor, project, texts):
    client.force_login(editor)
    shown = preview(client, project, find="the", replace="a").content.decode()
    # Without "whole words", "these", "grandfather" and "Then" change too, as the preview says.
    assert "4 segments will change" in shown and "<ins>ase are mine.</ins>" in shown
    response = apply(client, project, find="the", replace="a")
    assert "Replaced “the” with “a” in 4 segments" in response.content.decode()
    assert '<div id="replace-preview" hx-swap-oob="true"></div>' in response.content.decode()
    assert translations(project) == [
        "Take a train.",
        "ase are mine.",
        "My grandfaar said a word.",
        "an a end.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"find": "(unclosed", "replace": "x", "regex": "1"}, "is not a valid regular expression"),
        ({"find": "the", "replace": "a\x00b"}, "cannot be stored"),
        ({"find": "(the)", "replace": r"\0", "regex": "1"}, "cannot be stored"),
        ({"find": "the", "replace": r"\2", "regex": "1"}, "is not valid for this pattern"),
        ({"find": "", "replace": "x"}, "Type what to find"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client, editor, project, texts, data, message
):
    client.force_login(editor)
    before = translations(project)
    shown = preview(client, project, **data)
    assert shown.status_code == 422 and message in shown.content.decode()
    applied = apply(client, project, **data)
    assert applied.status_code == 422 and message in applied.content.decode()
    assert translations(project) == before and not ScriptEdit.objects.exists()


def test_a_pattern_that_would_run_for_ages_is_stopped(client, editor, project):
    SegmentFactory(project=project, start_ms=0, end_ms=2500, target_text="a" * 5000 + "!")
    client.force_login(editor)
    response = apply(client, project, find=r"(a|aa)+(b|ab)+$", replace="x", regex="1")
    assert response.status_code == 422 and "takes too long" in response.content.decode()
