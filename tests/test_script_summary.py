"""The script's counts (segments, review, problems by kind) are kept on write, and what a person sees
once reads them: it costs the same queries at 10 and 3,000 segments, and says the same as checking the
whole script would."""

import pytest
from django.urls import reverse

from projects import quality
from projects.models import ReviewStatus, Segment
from projects.services import editing, script_summary, scripts
from projects.services.script_formats import Script, ScriptSegment, ScriptSpeaker
from projects.timecodes import format_timecode

from .factories import SegmentFactory, make_segments

HX = {"HX-Request": "true"}


def checked_from_scratch(project):
    """What the counts must say: the whole script checked now, as the editor did before issue 9."""
    segments = list(Segment.objects.filter(project=project).order_by("start_ms", "id"))
    flags = quality.check_script(
        segments, quality.thresholds_for(project.target_language), video_duration_ms=project.video_duration_ms
    )
    review = dict.fromkeys(ReviewStatus.values, 0)
    for segment in segments:
        review[segment.review_status] += 1
    stored = {segment.pk: segment.flags for segment in segments}
    expected_bits = {segment.pk: quality.flag_bits(flags.get(segment.pk, [])) for segment in segments}
    assert stored == expected_bits, "a segment's stored flags differ from its checks"
    return {"segments": len(segments), "review": review, "flags": quality.summarize(flags)}


@pytest.fixture
def script(project, speaker):
    return [
        SegmentFactory(project=project, start_ms=0, end_ms=2000, target_text="Bonjour.", speaker=speaker),
        SegmentFactory(project=project, start_ms=3000, end_ms=5000, target_text="Ça va ?", speaker=speaker),
        SegmentFactory(project=project, start_ms=6000, end_ms=8000, target_text="Au revoir.", speaker=None),
    ]


def test_every_kind_of_edit_keeps_the_counts_as_a_full_check_would(project, editor, manager, speaker, script):
    first, second, third = script

    def v(segment):
        return Segment.objects.get(pk=segment.pk).version

    assert script_summary.figures(project) == checked_from_scratch(project)
    steps = [
        # an overlap with the next segment, then a tight gap, then a reading speed problem
        lambda: editing.save_segment(project, first.pk, {"end_ms": 3500}, version=v(first), by=editor),
        lambda: editing.save_segment(project, first.pk, {"end_ms": 2950}, version=v(first), by=editor),
        lambda: editing.save_segment(
            project,
            second.pk,
            {"target_text": "Une phrase bien trop longue " * 4},
            version=v(second),
            by=editor,
        ),
        lambda: editing.save_segment(
            project, third.pk, {"review_status": "approved"}, version=v(third), by=editor
        ),
        # moved past its neighbour: the stretch between is re-checked
        lambda: editing.save_segment(
            project, third.pk, {"start_ms": 100, "end_ms": 900}, version=v(third), by=editor
        ),
        lambda: editing.insert_after(project, second.pk, by=editor),
        lambda: editing.split_segment(project, first.pk, version=v(first), at_ms=1500, by=editor),
        lambda: editing.merge_with_next(project, first.pk, version=v(first), by=editor),
        lambda: editing.shift_segments(project, delta_ms=-40, from_ms=3000, by=manager),
        lambda: editing.set_speaker(project, [first.pk, second.pk], None, by=manager),
        lambda: editing.replace_text(project, "revoir", "bientôt", by=manager),
        lambda: editing.delete_segments(project, [second.pk], by=manager),
        lambda: editing.undo(project, by=manager),  # the delete comes back
        lambda: editing.redo(project, by=manager),
        lambda: editing.undo(project, by=manager),
    ]
    for number, step in enumerate(steps, start=1):
        step()
        assert script_summary.figures(project) == checked_from_scratch(project), f"after step {number}"


def test_an_import_and_a_change_of_language_recount(project, manager, script):
    script_data = Script(
        speakers=[ScriptSpeaker(1, "Anna")],
        segments=[ScriptSegment(0, 300, "Hi", "", 1), ScriptSegment(200, 2000, "Hello", "Bonjour", None)],
    )
    scripts.replace_script(project, script_data, by=manager, reason="Test")
    figures = script_summary.figures(project)
    assert figures == checked_from_scratch(project)
    assert figures["flags"]["empty"] == 1 and figures["flags"]["overlap"] == 1 and figures["segments"] == 2


def test_a_new_video_length_recounts_past_end(client, manager, project, script):
    client.force_login(manager)
    data = {
        "team": project.team_id,
        "title": project.title,
        "source_video_url": "",
        "video_duration_ms": "00:00:07.000",
        "source_language": project.source_language,
        "target_language": project.target_language,
        "status": project.status,
        "dubformer_project_id": "",
    }
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.video_duration_ms == 7000
    assert (
        script_summary.figures(project)["flags"]["past_end"]
        == 1
        == checked_from_scratch(project)["flags"]["past_end"]
    )


@pytest.mark.parametrize("count", [10, 3000])
def test_a_saves_server_cost_summary_included_does_not_grow_with_the_script(
    client, editor, project, speaker, count, django_assert_max_num_queries
):
    make_segments(project, count, speaker=speaker)
    segment = Segment.objects.filter(project=project).order_by("start_ms")[count // 2]
    client.force_login(editor)
    save_url = reverse("projects:segment-save", args=[project.pk, segment.pk])
    # session + user + project with role and speakers + the segment with its neighbours
    # + update, counts, following's flags, edit (SQLite: 4 statements; PostgreSQL: one) + transaction
    # + the panels the change moves, in the same answer: stored counts, open comments, last push
    with django_assert_max_num_queries(14):
        response = client.post(
            save_url,
            {
                "version": segment.version,
                "field": "end",
                "end": format_timecode(segment.start_ms + 2200),
                "was": format_timecode(segment.end_ms),
            },  # fmt: skip
            headers={**HX, "HX-Target": f"seg-{segment.pk}"},
        )
    assert response.status_code == 200
    page = response.content.decode()
    # The new end overlaps the next segment (2 s after this one's start): the summary says so, once,
    # out of band in the save's own answer; so does the review progress (no request after the save).
    summary = page[page.index('<section id="quality-summary"') :]
    assert 'hx-swap-oob="true"' in summary[: summary.index(">")]
    assert "Overlap <strong>1</strong>" in summary
    assert '<section id="review-progress"' in page
    assert script_summary.figures(project) == checked_from_scratch(project)


@pytest.mark.parametrize("count", [10, 3000])
def test_what_a_person_sees_once_reads_the_same_queries_at_any_length(
    client, manager, project, speaker, count, django_assert_max_num_queries
):
    make_segments(project, count, speaker=speaker)
    Segment.objects.filter(project=project, start_ms=4000).update(target_text="")
    script_summary.recount(project)
    client.force_login(manager)
    # session + user + project + due jobs + recent jobs + stored counts + speakers who speak
    # + speakers with a ModelsLab voice (the dub form's proposal)
    with django_assert_max_num_queries(8):
        panel = client.get(reverse("projects:providers-panel", args=[project.pk])).content.decode()
    assert f"<strong>{count}</strong> segment" in panel and "1 × no text" in panel
    with django_assert_max_num_queries(8):
        found = client.get(
            reverse("projects:segment-rows", args=[project.pk]), {"q": "cible 1"}, headers=HX
        ).content.decode()
    assert "Ligne cible 1<" in found
    with django_assert_max_num_queries(8):
        flagged = client.get(
            reverse("projects:segment-rows", args=[project.pk]), {"flag": "empty"}, headers=HX
        ).content.decode()
    assert "1 segment match" in flagged


def test_find_as_you_type_pages_through_many_matches(client, editor, project, speaker):
    make_segments(project, 400, speaker=speaker)
    client.force_login(editor)
    url = reverse("projects:segment-rows", args=[project.pk])
    first = client.get(url, {"q": "ligne"}, headers=HX).content.decode()
    assert "The first 150 matching segments are shown" in first
    next_url = first.split('data-next="')[1].split('"')[0].replace("&amp;", "&")
    assert "q=ligne" in next_url
    second = client.get(next_url, headers=HX).content.decode()
    assert "Ligne cible 150<" in second and "Ligne cible 149<" not in second and "filter-note" not in second


def test_the_project_page_shows_figures_and_first_rows_not_the_whole_script(client, viewer, project, speaker):
    make_segments(project, 60, speaker=speaker)
    Segment.objects.filter(project=project, start_ms__lt=20000).update(review_status="approved")
    script_summary.recount(project)
    client.force_login(viewer)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "60 segments" in body and "17 %" in body  # 10 of 60 approved
    assert "Ligne cible 19<" in body and "Ligne cible 20<" not in body
    assert "See all 60 segments in the editor" in body


def test_recount_scripts_puts_figures_edited_outside_dubweb_back(project, script):
    from io import StringIO

    from django.core.management import call_command

    Segment.objects.filter(pk=script[0].pk).update(target_text="")  # behind the app's back
    assert script_summary.figures(project)["flags"]["empty"] == 0
    out = StringIO()
    call_command("recount_scripts", str(project.pk), stdout=out)
    assert "Recounted 1 script." in out.getvalue()
    assert script_summary.figures(project) == checked_from_scratch(project)
    assert script_summary.figures(project)["flags"]["empty"] == 1


@pytest.mark.parametrize("count", [10, 3000])
def test_next_problem_reaches_every_problem_in_turn_at_any_length(
    client, viewer, project, speaker, count, django_assert_max_num_queries
):
    """Next problem walks all of them (not the first few hundred), and goes round after the last one."""
    segments = make_segments(project, count, speaker=speaker)
    early, late = segments[2], segments[-1]
    Segment.objects.filter(pk__in=[early.pk, late.pk]).update(target_text="")  # "no text" on both
    script_summary.recount(project)
    client.force_login(viewer)
    url = reverse("projects:next-problem", args=[project.pk])

    def next_after(segment):
        params = {"after_start": segment.start_ms, "after_id": segment.pk} if segment else {}
        with django_assert_max_num_queries(5):  # session, user, project, at most two index reads
            response = client.get(url, params)
        assert response.status_code == 200
        return response.json()["id"]

    assert next_after(None) == early.pk
    assert next_after(early) == late.pk
    assert next_after(segments[count // 2]) == late.pk
    assert next_after(late) == early.pk  # round to the first
    # Once the early one is fixed, only the late one is left.
    editing.save_segment(project, early.pk, {"target_text": "Réparé."}, version=early.version, by=viewer)
    assert next_after(late) == late.pk


def test_next_problem_says_null_without_problems_and_refuses_nonsense(
    client, viewer, outsider, project, speaker
):
    make_segments(project, 3, speaker=speaker)
    client.force_login(viewer)
    url = reverse("projects:next-problem", args=[project.pk])
    assert client.get(url).json() == {"id": None}
    assert client.get(url, {"after_start": "soon"}).status_code == 400
    assert client.get(url, {"after_start": str(2**70), "after_id": str(-(2**70))}).json() == {"id": None}
    client.force_login(outsider)
    assert client.get(url).status_code == 404
