"""The script editor in Chromium on a long script, next to a static page of the same rows.

    .venv/bin/python bench/editor_browser.py [--sizes 300 3000] [--edits 30] [--keys 60]

Starts the app on 127.0.0.1 (a live-server thread over a throwaway SQLite database) with a project of
N segments, and a STATIC page: the same rows' markup (the same template, the same CSS), all of them in
one response (one chunk: always on screen, so drawn like plain rows), with one plain textarea, no script;
served by the same server. In Chromium (Playwright,
/usr/bin/chromium) it measures, for each size:
- all rows reachable: from navigation until the last row is in the page and drawn, scrolling to the end
  again and again (the editor loads the rest of the script as it scrolls; the static page has it all);
- edit → "Saved": a new translation, Ctrl+Enter, until the row says Saved on screen (p50/p95), with the
  first screen only and with every row loaded (the static page cannot save: the first screen is the
  baseline, the target is p95 < 100 ms with all rows loaded);
- keystroke → next frame: from keydown to the next animation frame while typing in the translation (p95),
  on both pages.
Prints each figure next to its baseline as a ratio. Targets (issue 9): reachable ≤ 5× the static page,
edit → saved p95 < 100 ms, keystroke → frame ≤ 2× the static page.

With --cpu-edits N (default 20; 0 skips it) it also edits N rows more under a Chrome trace and prints the
main thread's CPU time (Chrome's thread clock) from Enter to "Saved" on screen, per save: the whole of it,
and style + layout + paint. On a machine others are using, wall times measure the scheduler as much as the
page; CPU time is what the page itself costs.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
_DB_DIR = tempfile.mkdtemp(prefix="dubweb-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{_DB_DIR}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.testcases import LiveServerThread, _StaticFilesHandler  # noqa: E402
from django.urls import include, path  # noqa: E402
from markupsafe import Markup  # noqa: E402

from bench._common import bench_member, plain_script  # noqa: E402
from projects import access, quality, selectors  # noqa: E402
from projects.models import Segment  # noqa: E402
from projects.rows import RowRenderer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench-only-password"


@login_required
def static_rows(request, pk):
    """Every row of the script as the editor renders them, in one plain page with one textarea."""
    project = access.get_project_for(request.user, pk, "view", with_speakers=True)
    project.can_edit = True
    project.thresholds = quality.thresholds_for(project.target_language)
    items, cursor = [], ""
    while True:
        chunk = selectors.editor_rows(project, {"after": cursor} if cursor else {})
        items += chunk["rows"]
        cursor = chunk.get("next_cursor")
        if not cursor:
            break
    rows = RowRenderer(project, selectors.speakers_of(project)).rows(items)
    page = Markup(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Static rows</title>'
        '<link rel="stylesheet" href="/static/css/app.css"></head><body><main class="page page-wide">'
        '<label for="plain">Translation</label><textarea id="plain" rows="2"></textarea>'
        '<div id="segment-list" class="segment-list editable" role="list">{}</div></main></body></html>'
    ).format(rows)
    return HttpResponse(page)


urlpatterns = [path("bench/static/<int:pk>/", static_rows), path("", include("dubweb.urls"))]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


# Scroll to the end until the last row is in the page, then draw it: ms since navigation.
REACH_END = """async (lastId) => {
  const deadline = performance.now() + 900000;
  while (!document.getElementById(lastId)) {
    if (performance.now() > deadline) return null;
    window.scrollTo(0, document.documentElement.scrollHeight);
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  document.getElementById(lastId).scrollIntoView({ block: "end" });
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return performance.now();
}"""

# Keydown → the next animation frame, for each key typed (a listener collects them).
WATCH_KEYS = """() => {
  window.keyFrames = [];
  document.addEventListener("keydown", (event) => {
    const down = performance.now();
    requestAnimationFrame(() => window.keyFrames.push(performance.now() - down));
  }, true);
}"""

# Ctrl+Enter → the row saying "Saved" on screen (the frame after the swap).
WATCH_SAVE = """(rowId) => {
  window.saved = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`no "Saved" on ${rowId} within 20 s`)), 20000);
    let down = null;
    document.addEventListener("keydown", function once(event) {
      if (event.key !== "Enter") return;
      down = performance.now();
      console.timeStamp("save-start");  // marks for a trace (--cpu-edits)
      document.removeEventListener("keydown", once, true);
    }, true);
    const observer = new MutationObserver(() => {
      const state = document.querySelector(`#${rowId} .seg-state`);
      if (down !== null && state && state.textContent === "Saved") {
        observer.disconnect();
        requestAnimationFrame(() => { console.timeStamp("save-end"); resolve(performance.now() - down); });
      }
    });
    // Rows sit in chunks inside the list: watch the whole subtree.
    observer.observe(document.getElementById("segment-list"), { childList: true, subtree: true });
  });
}"""


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects/my-work/")  # the landing page after signing in


def edits(page, project, count, rows_loaded, wording="pour la mesure"):
    """Edit → Saved times (ms) for `count` edits of rows among those loaded (each new `wording` makes
    the edits of a second pass differ from the first's)."""
    ids = page.locator("#segment-list .seg[data-id]").evaluate_all("rows => rows.map(r => r.id)")
    assert len(ids) >= rows_loaded, (len(ids), rows_loaded)
    times = []
    for n in range(count):
        row_id = ids[(n * 7919) % rows_loaded] if rows_loaded > 40 else ids[n % rows_loaded]
        page.locator(f"#{row_id}").scroll_into_view_if_needed()
        page.locator(f"#{row_id}").click()
        text = page.locator("#ed-text")
        text.fill(f"Réplique modifiée {n} sur {rows_loaded} {wording}.")
        page.evaluate(WATCH_SAVE, row_id)
        text.press("Control+Enter")
        times.append(page.evaluate("window.saved"))
    return times


STYLE_LAYOUT_PAINT = ("UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize")


def cpu_per_save(browser, page, project, count, rows_loaded):
    """(all, style + layout + paint): the renderer main thread's CPU ms from Enter to "Saved" on screen,
    per save, over `count` edits under a Chrome trace."""
    browser.start_tracing(
        page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"]
    )
    edits(page, project, count, rows_loaded, wording="sous la trace")
    events = json.loads(browser.stop_tracing())["traceEvents"]
    main = {(e["pid"], e["tid"]) for e in events
            if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}  # fmt: skip
    windows, start = [], None
    for e in sorted((e for e in events if e.get("name") == "TimeStamp"), key=lambda e: e["ts"]):
        message = e["args"]["data"].get("message")
        if message == "save-start":
            start = e["ts"]
        elif message == "save-end" and start is not None:
            windows.append((start, e["ts"]))
    assert len(windows) == count, (len(windows), count)
    total = rendering = 0.0
    for e in events:
        if (e.get("pid"), e.get("tid")) not in main or e.get("ph") != "X" or "tdur" not in e:
            continue
        if not any(low <= e["ts"] <= high for low, high in windows):
            continue
        if e["name"] == "RunTask":
            total += e["tdur"] / 1000
        elif e["name"] in STYLE_LAYOUT_PAINT:
            rendering += e["tdur"] / 1000
    return total / count, rendering / count


def keystrokes(page, selector, count):
    page.evaluate(WATCH_KEYS)
    page.locator(selector).click()
    for n in range(count):
        page.keyboard.type("abcdefghij"[n % 10])
        page.wait_for_timeout(30)
    page.wait_for_timeout(100)
    return page.evaluate("window.keyFrames")


def progress(text):
    print(f"  … {text}", file=sys.stderr, flush=True)


def measure(browser, base, project, args, screenshots):
    last = Segment.objects.filter(project=project).order_by("-start_ms", "-id").first()
    size = Segment.objects.filter(project=project).count()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(120_000)
    page = context.new_page()
    log_in(page, base, "bench")
    figures = {}

    # The static page: every row in one response.
    response = page.goto(f"{base}/bench/static/{project.pk}/")
    assert response.ok, (response.status, response.text()[:2000])
    progress("static page")
    figures["static_reach"] = page.evaluate(REACH_END, f"seg-{last.pk}")
    figures["static_keys"] = keystrokes(page, "#plain", args.keys)

    # The editor: the first screen, then every row by scrolling.
    progress("editor, first screen")
    page.goto(f"{base}/projects/{project.pk}/script/")
    page.locator("#segment-list .seg[data-id]").first.wait_for()
    first_screen = page.locator("#segment-list .seg[data-id]").count()
    figures["first_saves"] = edits(page, project, args.edits, first_screen)
    if args.cpu_edits:
        figures["first_cpu"] = cpu_per_save(browser, page, project, args.cpu_edits, first_screen)
    page.goto(f"{base}/projects/{project.pk}/script/")
    progress("editor, scrolling to the end")
    figures["editor_reach"] = page.evaluate(REACH_END, f"seg-{last.pk}")
    loaded = page.locator("#segment-list .seg[data-id]").count()
    assert loaded == size, (loaded, size)
    figures["controls"] = page.locator("input, select, textarea").count()
    progress("editor, edits with every row loaded")
    figures["all_saves"] = edits(page, project, args.edits, size)
    if args.cpu_edits:
        figures["all_cpu"] = cpu_per_save(browser, page, project, args.cpu_edits, size)
    page.locator(f"#seg-{last.pk}").click()
    figures["editor_keys"] = keystrokes(page, "#ed-text", args.keys)
    if screenshots:
        out = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=out / f"editor-{size}-end-desktop.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator(f"#seg-{last.pk}").scroll_into_view_if_needed()
        page.screenshot(path=out / f"editor-{size}-end-narrow.png")
    context.close()
    return figures


def report(size, f):
    def line(name, mine, baseline, unit="ms", target=""):
        print(
            f"  {name:<34} {mine:9.0f} {unit}   baseline {baseline:9.0f} {unit}   {mine / baseline:6.2f}×  {target}"
        )

    print(f"\n{size} segments (form controls in the editor page with every row loaded: {f['controls']})")
    line(
        "all rows reachable by scrolling", f["editor_reach"], f["static_reach"], target="(static page; ≤ 5×)"
    )
    for p in (50, 95):
        line(f"edit → Saved p{p}, all rows loaded", pct(f["all_saves"], p), pct(f["first_saves"], p),
             target="(first screen only)" + ("; p95 < 100 ms" if p == 95 else ""))  # fmt: skip
    for p in (50, 95):
        line(f"keystroke → next frame p{p}", pct(f["editor_keys"], p), pct(f["static_keys"], p),
             target="(static page)" + ("; ≤ 2×" if p == 95 else ""))  # fmt: skip
    if "all_cpu" in f:
        line("CPU per save (main thread)", f["all_cpu"][0], f["first_cpu"][0], target="(first screen only)")
        line("  of which style/layout/paint", f["all_cpu"][1], f["first_cpu"][1], target="(first screen)")
    print(
        f"  (edit → Saved all loaded: median {statistics.median(f['all_saves']):.0f} ms of {len(f['all_saves'])})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--cpu-edits", type=int, default=20, help="edits under a Chrome trace (0: none)")
    parser.add_argument("--screenshots", action="store_true", help="save the editor at the end of the script")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    _, team = bench_member(password=PASSWORD)
    projects = [plain_script(team, size, f"Bench {size}") for size in args.sizes]

    with override_settings(ROOT_URLCONF=__name__):
        server = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://127.0.0.1:{server.port}"
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
                )
                print(f"Chromium {browser.version}; the app at {base} (SQLite in {_DB_DIR})")
                for size, project in zip(args.sizes, projects, strict=True):
                    report(size, measure(browser, base, project, args, args.screenshots))
                browser.close()
        finally:
            server.terminate()


if __name__ == "__main__":
    main()
