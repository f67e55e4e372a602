"""The Content-Security-Policy as chromium applies it: what a page did not ship itself (an injected inline
style or script) is refused, and every browser test reports such a refusal as a failure (conftest)."""

from playwright.sync_api import expect

from .conftest import log_in
from .test_timeline_browser import keynote, open_timeline  # noqa: F401 (keynote: a fixture)

INJECT = """() => {
  const note = document.createElement("p");
  note.id = "injected";
  note.textContent = "injected";
  note.setAttribute("style", "color: rgb(255, 0, 0)");
  document.body.append(note);
  const script = document.createElement("script");
  script.textContent = "window.injectedRan = true;";
  document.body.append(script);
}"""


def test_an_injected_inline_style_and_script_are_refused_and_reported(page, transactional_db):
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.errors == []  # the sign-in page itself breaks no rule

    page.evaluate(INJECT)
    expect(page.locator("#injected")).to_be_visible()
    assert page.locator("#injected").evaluate("(el) => getComputedStyle(el).color") != "rgb(255, 0, 0)"
    assert page.evaluate("() => window.injectedRan") is None
    for _ in range(50):  # the reports reach the test through the page's binding
        if len(page.errors) >= 2:
            break
        page.wait_for_timeout(100)
    assert sorted(error.split(" refused")[0] for error in page.errors) == [
        "CSP violation: script-src-elem",
        "CSP violation: style-src-attr",
    ]
    page.errors.clear()  # seen: the test's own teardown must not fail on them


def test_the_editor_and_its_timeline_work_under_the_policy(page, keynote, screenshot):  # noqa: F811
    open_timeline(page, keynote)
    # wavesurfer's own <style> (allowed by the page's nonce) lays out its shadow root: the waveform's
    # scroller is as wide as the panel, and the segments stand in their lanes.
    expect(page.locator("#timeline-wave [data-segment]")).to_have_count(len(keynote.segments.all()))
    box = page.locator("#timeline-wave").bounding_box()
    assert box["width"] > 500 and box["height"] >= 2 * 34
    # The rows' chunk knows its size without a style attribute (editor.js sets --rows).
    assert page.locator(".seg-chunk").first.evaluate("(el) => el.style.getPropertyValue('--rows')") == str(
        keynote.segments.count()
    )
    screenshot(page, "editor-under-csp")


def test_a_signed_in_page_with_htmx_adds_no_inline_style(page, keynote):  # noqa: F811
    log_in(page, "elena")
    page.goto(f"/projects/{keynote.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(keynote.title)
    # htmx would add its indicator <style> to the head unless told not to (base.html's htmx-config).
    assert page.locator("head style").count() == 0
