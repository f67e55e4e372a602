"""Segment review moves (services/review.py) and what edits do to a reviewed segment: realistic chains,
with the project's stored review counts checked against the script after every step."""

import pytest

from projects.models import ReviewStatus, ScriptEdit, Segment
from projects.services import editing, review, script_summary

from .factories import SegmentFactory
from .test_script_summary import checked_from_scratch

S = ReviewStatus


@pytest.fixture
def script(project, speaker):
    return [
        SegmentFactory(project=project, start_ms=0, end_ms=2000, target_text="Bonjour.", speaker=speaker),
        SegmentFactory(project=project, start_ms=3000, end_ms=5000, target_text="Ça va ?", speaker=speaker),
        SegmentFactory(
            project=project, start_ms=6000, end_ms=8000, target_text="Au revoir.", speaker=speaker
        ),
    ]


def status_of(segment):
    return Segment.objects.get(pk=segment.pk).review_status


def version_of(segment):
    return Segment.objects.get(pk=segment.pk).version


def counts_are_right(project):
    assert script_summary.figures(project) == checked_from_scratch(project)


def test_approve_then_edit_the_text_sends_the_segment_back_to_needs_review(project, editor, reviewer, script):
    first = script[0]
    review.move(project, "request_review", segment_pks=[first.pk], by=editor)
    assert status_of(first) == S.NEEDS_REVIEW
    review.move(project, "approve", segment_pks=[first.pk], by=reviewer)
    assert status_of(first) == S.APPROVED
    counts_are_right(project)

    result = editing.save_segment(
        project, first.pk, {"target_text": "Salut."}, version=version_of(first), by=editor
    )

    assert status_of(first) == S.NEEDS_REVIEW
    assert "back to needs review" in result.edit.label  # the trail says why it left approved
    assert result.edit.before[0]["review_status"] == S.APPROVED
    counts_are_right(project)


def test_request_changes_stores_the_reason_and_who_and_an_edit_then_asks_for_review_again(
    project, editor, reviewer, script
):
    second = script[1]
    review.move(project, "request_review", segment_pks=[second.pk], by=editor)
    review.move(
        project, "request_changes", segment_pks=[second.pk], by=reviewer, reason="  Too formal.\r\nUse tu. "
    )
    stored = Segment.objects.get(pk=second.pk)
    assert (stored.review_status, stored.review_reason, stored.reviewed_by) == (
        S.CHANGES_REQUESTED, "Too formal.\nUse tu.", reviewer,
    )  # fmt: skip
    assert stored.reviewed_at is not None
    counts_are_right(project)

    editing.save_segment(project, second.pk, {"end_ms": 5200}, version=stored.version, by=editor)  # timing

    assert status_of(second) == S.NEEDS_REVIEW
    counts_are_right(project)


def test_changes_cannot_be_requested_without_a_reason(project, reviewer, script):
    with pytest.raises(review.ReviewError, match="reason"):
        review.move(project, "request_changes", segment_pks=[script[0].pk], by=reviewer, reason="   ")
    assert status_of(script[0]) == S.DRAFT


def test_undo_restores_the_review_status_an_edit_took_away(project, editor, reviewer, script):
    first = script[0]
    review.move(project, "approve", segment_pks=[first.pk], by=reviewer)
    editing.save_segment(project, first.pk, {"target_text": "Salut."}, version=version_of(first), by=editor)
    assert status_of(first) == S.NEEDS_REVIEW

    editing.undo(project, by=editor)

    stored = Segment.objects.get(pk=first.pk)
    assert (stored.target_text, stored.review_status) == ("Bonjour.", S.APPROVED)
    counts_are_right(project)


def test_a_reviewer_undoes_an_approval_and_redoes_it(project, reviewer, script):
    review.move(project, "approve", segment_pks=[s.pk for s in script], by=reviewer)
    assert script_summary.figures(project)["review"][S.APPROVED] == 3

    editing.undo(project, by=reviewer)
    assert [status_of(s) for s in script] == [S.DRAFT] * 3
    counts_are_right(project)
    editing.redo(project, by=reviewer)
    assert [status_of(s) for s in script] == [S.APPROVED] * 3
    counts_are_right(project)


def test_split_and_merge_of_approved_segments_need_review_again(project, editor, reviewer, script):
    first, second, third = script
    review.move(project, "approve", segment_pks=[first.pk, second.pk], by=reviewer)

    split = editing.split_segment(project, first.pk, version=version_of(first), text_cursor=3, by=editor)
    assert [s.review_status for s in split.changed] == [S.NEEDS_REVIEW, S.NEEDS_REVIEW]
    counts_are_right(project)

    editing.merge_with_next(project, second.pk, version=version_of(second), by=editor)  # approved + draft
    assert status_of(second) == S.NEEDS_REVIEW
    counts_are_right(project)


def test_merging_two_drafts_stays_a_draft(project, editor, script):
    editing.merge_with_next(project, script[0].pk, version=version_of(script[0]), by=editor)
    assert status_of(script[0]) == S.DRAFT


@pytest.mark.parametrize(
    "edit",
    [
        lambda project, ids, by: editing.shift_segments(project, delta_ms=100, segment_pks=ids, by=by),
        lambda project, ids, by: editing.set_speaker(project, ids, None, by=by),
        lambda project, ids, by: editing.replace_text(project, "Bonjour", "Salut", by=by),
    ],
    ids=["shift", "speaker", "replace"],
)
def test_bulk_edits_of_approved_segments_send_them_back_to_needs_review(
    project, editor, reviewer, script, edit
):
    first = script[0]
    review.move(project, "approve", segment_pks=[first.pk], by=reviewer)
    result = edit(project, [first.pk], editor)
    assert status_of(first) == S.NEEDS_REVIEW
    assert result.edit.label.endswith("(1 back to needs review)")  # the trail says what the edit did
    counts_are_right(project)


def test_a_draft_edited_stays_a_draft(project, editor, script):
    first = script[0]
    editing.save_segment(project, first.pk, {"target_text": "Salut."}, version=first.version, by=editor)
    assert status_of(first) == S.DRAFT


def test_approve_all_takes_only_segments_needing_review_without_a_problem(project, editor, reviewer, script):
    first, second, third = script
    review.move(project, "request_review", segment_pks=[s.pk for s in script], by=editor)
    # The third one gets a problem: an empty-ish overlap with the second.
    editing.save_segment(project, second.pk, {"end_ms": 6500}, version=version_of(second), by=editor)
    problem = Segment.objects.get(pk=second.pk)
    assert problem.flags or Segment.objects.get(pk=third.pk).flags

    result = review.approve_clean(project, by=reviewer)

    with_problem = {s.pk for s in Segment.objects.filter(project=project, flags__gt=0)}
    for segment in script:
        expected = S.NEEDS_REVIEW if segment.pk in with_problem else S.APPROVED
        assert status_of(segment) == expected
    assert len(result.moved) == 3 - len(with_problem)
    counts_are_right(project)


def test_moves_skip_segments_not_in_a_status_they_may_come_from(project, editor, reviewer, script):
    review.move(project, "approve", segment_pks=[script[0].pk], by=reviewer)
    result = review.move(project, "request_review", segment_pks=[s.pk for s in script], by=editor)
    # Approved is not sent back for review by asking: only an edit does that.
    assert [status_of(s) for s in script] == [S.APPROVED, S.NEEDS_REVIEW, S.NEEDS_REVIEW]
    assert result.skipped == 1 and "1 other segment left as they were" in result.label
    counts_are_right(project)


def test_a_segment_changed_since_the_reviewer_saw_it_is_not_approved_blind(project, editor, reviewer, script):
    first, second, _ = script
    seen = {first.pk: version_of(first), second.pk: version_of(second)}
    editing.save_segment(project, first.pk, {"target_text": "Autre."}, version=seen[first.pk], by=editor)

    result = review.move(
        project, "approve", segment_pks=[first.pk, second.pk], seen_versions=seen, by=reviewer
    )

    assert [status_of(first), status_of(second)] == [S.DRAFT, S.APPROVED]
    assert result.skipped == 1
    counts_are_right(project)


def test_every_move_is_in_the_trail_with_who_and_what(project, editor, reviewer, script):
    review.move(project, "request_review", segment_pks=[s.pk for s in script], by=editor)
    review.move(project, "approve", segment_pks=[script[0].pk], by=reviewer)
    labels = list(
        ScriptEdit.objects.filter(project=project).order_by("id").values_list("user__username", "label")
    )
    assert labels == [
        ("eddie", "Asked for review of 3 segments"),
        ("rita", "Approved the segment at 00:00:00.000"),
    ]


def test_the_transition_table_names_every_status_the_model_has():
    targets = {rule.to for rule in review.MOVES.values()}
    sources = set().union(*(rule.sources for rule in review.MOVES.values()))
    assert targets | sources | review.REOPENED_BY_EDIT | {S.NEEDS_REVIEW} == set(S.values)
    assert S.APPROVED not in review.MOVES["request_review"].sources  # only an edit reopens approved work


def test_a_long_chain_keeps_the_counts_right(project, editor, reviewer, manager, script):
    first, second, third = script
    steps = [
        lambda: review.move(project, "request_review", segment_pks=[s.pk for s in script], by=editor),
        lambda: review.move(project, "approve", segment_pks=[first.pk, second.pk], by=reviewer),
        lambda: review.move(project, "request_changes", segment_pks=[third.pk], by=reviewer, reason="Typo."),
        lambda: editing.save_segment(project, third.pk, {"target_text": "Au revoir !"}, version=version_of(third), by=editor),
        lambda: editing.shift_segments(project, delta_ms=-100, from_ms=2000, by=manager),
        lambda: editing.undo(project, by=manager),
        lambda: review.approve_clean(project, by=manager),
        lambda: editing.delete_segments(project, [second.pk], by=editor),
        lambda: editing.undo(project, by=editor),
    ]  # fmt: skip
    for step in steps:
        step()
        counts_are_right(project)
    # The reviewer's last move (changes requested on the third) was overtaken by the editor's fix: undoing
    # it now would throw that fix away, so it is refused and nothing changes.
    with pytest.raises(editing.EditError, match="changed these segments since"):
        editing.undo(project, by=reviewer)
    assert status_of(third) == S.APPROVED  # fixed → needs review → approved by "approve all"
    counts_are_right(project)


def test_the_trail_of_a_change_request_carries_its_reason(project, reviewer, script):
    result = review.move(
        project, "request_changes", segment_pks=[script[1].pk], by=reviewer, reason="Use tu."
    )
    assert result.edit.label == "Asked for changes to the segment at 00:00:03.000: “Use tu.”"
