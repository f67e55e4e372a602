"""A manager pushes the edited script to Dubformer and creates a ModelsLab dub from the project page,
against the built-in sandbox over real HTTP, and watches both jobs end."""

import pytest
from playwright.sync_api import expect

from projects.models import Role, Submission

from ..factories import MembershipFactory, ProjectFactory, SegmentFactory, SpeakerFactory, UserFactory
from .conftest import log_in


@pytest.fixture
def sandboxed(live_server, settings, tmp_path):
    settings.KEEP_PROVIDER_OUTPUTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.DUBFORMER_BASE_URL = f"{live_server.url}/sandbox/dubformer"
    settings.MODELSLAB_BASE_URL = f"{live_server.url}/sandbox/modelslab"
    settings.SANDBOX_READY_AFTER_S = 0
    return live_server


@pytest.fixture
def keynote(transactional_db):
    manager = MembershipFactory(user=UserFactory(username="marco"), role=Role.MANAGER).user
    project = ProjectFactory(
        team=manager.teams.get(), title="Launch keynote", source_video_url="/static/demo/keynote.mp4"
    )
    anna = SpeakerFactory(project=project, speaker_id=1, name="Anna", voice_key="soundalike")
    # reviewed: pushes and dubs need every segment approved
    SegmentFactory(project=project, start_ms=800, end_ms=3100, target_text="Bonjour à tous.", speaker=anna,
                   review_status="approved")  # fmt: skip
    return project


# Each job runs over real HTTP against the sandbox, which makes its media (speech, video): on a loaded
# two-core machine (CI runs its suites side by side) that takes far longer than on a quiet one.
JOB_ENDS_WITHIN_MS = 60_000


def test_create_then_push_then_dub_from_the_project_page(page, sandboxed, keynote, screenshot):
    log_in(page, "marco")
    page.goto(f"/projects/{keynote.pk}/")
    panel = page.locator("#providers-panel")
    panel.locator("summary", has_text="Create on Dubformer").click()  # opens the section
    panel.get_by_role("button", name="Create on Dubformer").click()
    expect(panel.locator(".job .badge", has_text="Succeeded")).to_have_count(1, timeout=JOB_ENDS_WITHIN_MS)
    expect(panel.get_by_text("Sandbox").first).to_be_visible()

    panel.locator("summary", has_text="Push re-translation to Dubformer").click()
    expect(panel.get_by_text("Sends 1 segment and 1 speaker")).to_be_visible()
    panel.get_by_label("Voice volume").select_option("louder")
    panel.get_by_role("button", name="Push re-translation").click()
    expect(panel.locator(".job .badge", has_text="Succeeded")).to_have_count(2, timeout=JOB_ENDS_WITHIN_MS)

    panel.locator("summary", has_text="New ModelsLab dub").click()
    panel.get_by_label("ModelsLab voice id").fill("henry")
    panel.get_by_role("button", name="Create dub").click()
    expect(panel.locator(".job").first).to_contain_text("New ModelsLab dub")
    expect(panel.locator(".job").first).to_contain_text("Succeeded", timeout=JOB_ENDS_WITHIN_MS)
    expect(panel.locator("video").first).to_be_visible()
    newest = panel.locator(".job").first
    expect(newest).to_contain_text("Copy kept in dubweb", timeout=JOB_ENDS_WITHIN_MS)
    player = newest.locator("video, audio").first
    assert f"/projects/{keynote.pk}/jobs/" in player.get_attribute("src")  # dubweb's copy, not the provider's
    # the player can play and seek in the copy (Range requests are tested in test_outputs.py)
    seeked = player.evaluate(
        """media => new Promise(resolve => {
            const go = () => { media.addEventListener("seeked", () => resolve(media.currentTime), {once: true});
                               media.currentTime = 2; };
            media.readyState >= 1 ? go() : media.addEventListener("loadedmetadata", go, {once: true});
            setTimeout(() => resolve(null), 10000);
        })"""
    )
    assert seeked is not None and abs(seeked - 2) < 0.5
    screenshot(page, "providers")
    assert Submission.objects.filter(status=Submission.Status.SUCCEEDED).count() == 3


def test_bad_options_are_explained_in_the_panel(page, sandboxed, keynote):
    log_in(page, "marco")
    page.goto(f"/projects/{keynote.pk}/")
    panel = page.locator("#providers-panel")
    panel.locator("summary", has_text="New ModelsLab dub").click()
    panel.get_by_label("Speed").fill("9")
    panel.get_by_role("button", name="Create dub").click()
    expect(panel.locator(".form-error")).to_contain_text(
        "Speed: Ensure this value is less than or equal to 2.0"
    )
    expect(panel.locator(".form-error")).to_be_focused()  # read first, where the form is, still open
    expect(panel.get_by_role("alert")).to_have_text("Ensure this value is less than or equal to 2.0.")
    expect(panel.get_by_label("Speed")).to_have_value("9")
    assert not Submission.objects.exists()


def test_on_a_phone_each_job_is_a_card_with_its_result_in_view(page, keynote, screenshot):
    Submission.objects.create(project=keynote, provider=Submission.Provider.DUBFORMER, kind=Submission.Kind.RETRANSLATE,
                              status=Submission.Status.SUCCEEDED, provider_job_id="12345",
                              output_video_url="https://cdn.example.com/dub.mp4")  # fmt: skip
    log_in(page, "marco")
    page.goto("/projects/jobs/")
    screenshot(page, "jobs")
    page.set_viewport_size({"width": 390, "height": 844})
    result = page.get_by_role("link", name="Dubbed video (Dubformer)")
    expect(result).to_be_in_viewport()
    box = result.bounding_box()
    assert box["x"] + box["width"] <= 390  # no sideways scrolling to reach it
    expect(page.get_by_text("Result", exact=True)).to_be_visible()  # each value says what it is


def test_what_is_typed_and_what_plays_survive_a_running_jobs_updates(page, sandboxed, keynote, settings):
    finished = Submission.objects.create(project=keynote, provider=Submission.Provider.MODELSLAB,
                                         kind=Submission.Kind.NEW_DUB, status=Submission.Status.SUCCEEDED,
                                         output_video_url=f"{settings.SITE_URL}/static/demo/keynote.mp4")  # fmt: skip
    running = Submission.objects.create(project=keynote, provider=Submission.Provider.DUBFORMER,
                                        kind=Submission.Kind.RETRANSLATE, status=Submission.Status.WAITING)  # fmt: skip
    log_in(page, "marco")
    page.goto(f"/projects/{keynote.pk}/")
    panel = page.locator("#providers-panel")
    expect(panel.locator(f"#job-{running.pk}")).to_contain_text("Waiting for the provider")
    page.evaluate(
        """id => { window.cardSwaps = 0;
                   document.body.addEventListener("htmx:afterSwap", e => { if (e.detail.elt.id === id) window.cardSwaps++; }); }""",
        f"job-{running.pk}",
    )
    player = panel.locator(f"#job-{finished.pk} video")
    player.evaluate("video => { video.muted = true; video.currentTime = 5; return video.play(); }")
    panel.locator("summary", has_text="New ModelsLab dub").click()
    voice = panel.get_by_label("ModelsLab voice id")
    voice.fill("henry")
    page.wait_for_function("window.cardSwaps >= 2", timeout=15_000)  # the running job asked for itself twice
    expect(voice).to_have_value("henry")  # still there, still open, still focused
    expect(voice).to_be_focused()
    assert player.evaluate("video => !video.paused && video.currentTime > 5")  # played on, not reloaded


def test_by_keyboard_an_action_lands_on_its_job_and_leaves_the_other_forms_alone(
    page, sandboxed, keynote, settings
):
    settings.SANDBOX_READY_AFTER_S = 600  # the dub keeps running
    log_in(page, "marco")
    page.goto(f"/projects/{keynote.pk}/")
    panel = page.locator("#providers-panel")
    panel.locator("summary", has_text="Import from Dubformer").click()
    panel.get_by_label("Dubformer project id").fill("777")  # typed, not sent
    panel.locator("summary", has_text="New ModelsLab dub").focus()
    page.keyboard.press("Enter")  # opens the section
    voice = panel.get_by_label("ModelsLab voice id")
    voice.focus()
    page.keyboard.type("henry")
    page.keyboard.press("Enter")  # submits
    job = panel.locator(".job").first
    expect(job).to_be_focused()  # the new job, first in the list, has the focus
    expect(job).to_contain_text("New ModelsLab dub")
    expect(panel.locator(".notice")).to_contain_text("New ModelsLab dub: queued")
    expect(panel.get_by_label("Dubformer project id")).to_have_value("777")  # the other form kept its text
    expect(panel.locator("#action-import")).to_have_attribute("open", "")

    page.keyboard.press("Tab")
    expect(job.get_by_role("button", name="Stop following")).to_be_focused()
    page.keyboard.press("Enter")
    expect(job).to_contain_text("Stopped following this job.")
    expect(job).to_be_focused()
    expect(job.locator(".badge").first).to_have_text("Cancelled")

    Submission.objects.all().delete()  # gone meanwhile (another tab, an admin)
    page.keyboard.press("Tab")
    expect(job.get_by_role("button", name="Retry")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("That is no longer there")
