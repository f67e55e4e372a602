"""The script editor's timeline in Chromium on a two-hour film: what it costs the editor.

    .venv/bin/python bench/timeline_browser.py [--sizes 300 3000] [--loads 5] [--drags 20]

Starts the app on 127.0.0.1 (a live-server thread over a throwaway SQLite database) with, for each size, a
project of N segments spread over two hours (six speakers), a two-hour source video (generated once with
ffmpeg into /tmp: a grey picture and a tone that sounds 1.9 s in every 2.4 s) and its peaks computed by the
worker's code (projects/waveform_peaks.py, served by projects:waveform-peaks). In Chromium (Playwright,
/usr/bin/chromium) it measures, for each size:
- time to interactive (Lighthouse's definition, with a quiet second instead of five): navigation → the
  first rows shown, then the end of the last long task (PerformanceObserver "longtask") before one
  second without any; with the timeline, watched until it is drawn and a second more, so that its long
  tasks count. The editor with the timeline against the same editor with static/js/timeline.js answered
  empty (median of --loads each, alternated). Target (issue 11): ≤ 1.5×. Printed too: when the timeline
  is drawn, against the editor without it interactive.
- frame time while dragging: requestAnimationFrame deltas while a region's end is dragged back and forth
  with the mouse (at a zoom where segments are ~190 px apart: 80 px/s for 3,000), against the same pointer moves over the timeline without a drag; p95
  (target: 60 fps-class, ~16.7 ms), and the long animation frames the Performance timeline saw.
- drop → saved: from the pointer's release to the row saying "Saved" on screen (the frame after), p50/p95,
  against typing the same kind of change (a new end in the editor, Enter). Target: p95 < 100 ms.
- JS heap while scrolling the timeline across the whole film (at that zoom, one screen at a time): used
  heap after a garbage collection (CDP) at the start, a quarter, the middle, three quarters, the end, and
  back at the start, with the number of regions in the page: it must not grow with the distance scrolled.
Prints each figure next to its baseline as a ratio, and the machine's load average (the machine is shared:
wall times measure the scheduler too).
"""

import argparse
import gzip
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
_DB_DIR = tempfile.mkdtemp(prefix="dubweb-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{_DB_DIR}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.MEDIA_ROOT = f"{_DB_DIR}/media"

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.testcases import LiveServerThread, _StaticFilesHandler  # noqa: E402
from django.urls import include, path  # noqa: E402

from bench._common import SPEAKERS, bench_member, bench_speakers  # noqa: E402
from dubweb.http_ranges import ranged_file_response  # noqa: E402
from projects import waveform_peaks  # noqa: E402
from projects.models import Project, Segment, Waveform  # noqa: E402
from projects.services import script_summary, waveforms  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench-only-password"
FILM_S = 7200
FILM = Path(tempfile.gettempdir()) / "dubweb-bench-2h.mp4"


@login_required
def film(request):
    """The two-hour video, seekable (Range requests), as production serves static files."""
    return ranged_file_response(request, FILM.open("rb"), FILM.stat().st_size, "video/mp4")


urlpatterns = [path("bench/film.mp4", film), path("", include("dubweb.urls"))]


def make_film():
    if FILM.exists():
        return
    progress(f"generating a two-hour video in {FILM} (once)")
    subprocess.run(  # noqa: S603
        ["ffmpeg", "-v", "error", "-y",  # noqa: S607
         "-f", "lavfi", "-i", f"color=c=gray:s=32x18:r=1:d={FILM_S}",
         "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=8000:duration={FILM_S}",
         "-af", "volume='if(lt(mod(t,2.4),1.9),1,0.02)':eval=frame",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "16k", "-ac", "1", "-shortest", "-movflags", "+faststart", str(FILM) + ".tmp.mp4"],
        check=True, timeout=900,
    )  # fmt: skip
    os.replace(str(FILM) + ".tmp.mp4", FILM)


def film_peaks():
    """The film's peaks, computed as the worker does, stored once (name of the .dat in storage)."""
    with tempfile.TemporaryFile() as out:
        peaks = waveform_peaks.compute(FILM, out)
        out.seek(0)
        name = default_storage.save("waveforms/bench-film.dat", File(out))
        out.seek(0)
        default_storage.save(waveforms.gzipped_name(name), ContentFile(gzip.compress(out.read(), 6, mtime=0)))
    return name, peaks.duration_ms


def film_script(team, size, peaks_name, duration_ms):
    """`size` lines spread over the two hours, spoken in turn by six speakers; the film and its peaks."""
    project = Project.objects.create(
        team=team, title=f"Film {size}", source_language="en-US", target_language="fr-FR",
        source_video_url="/bench/film.mp4", video_duration_ms=FILM_S * 1000,
    )  # fmt: skip
    speakers = bench_speakers(project)
    every = FILM_S * 1000 // size
    Segment.objects.bulk_create(
        Segment(
            project=project, start_ms=n * every, end_ms=n * every + every * 4 // 5,
            speaker=speakers[n % SPEAKERS],
            source_text=f"This is line {n} of the original dialogue.",
            target_text=f"Voici la réplique {n} du dialogue traduit.",
        )
        for n in range(size)
    )  # fmt: skip
    script_summary.recount(project)
    Waveform.objects.create(project=project, status=Waveform.Status.READY, source_url=project.source_video_url,
                            generation=1, peaks_file=peaks_name, duration_ms=duration_ms)  # fmt: skip
    return project


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def progress(text):
    print(f"  … {text}", file=sys.stderr, flush=True)


# Every long task from the start of the page (an init script: before the page's own scripts).
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.startTime + e.duration]);
}).observe({ type: "longtask", buffered: true });
window.__loafs = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__loafs.push([e.startTime, e.duration, e.blockingDuration || 0]);
  }).observe({ type: "long-animation-frame", buffered: true });
} catch (e) { /* an older Chromium */ }
"""

# Time to interactive as Lighthouse defines it, with a quiet second instead of five: the first rows shown,
# then the end of the last long task before a second without any (capped at 20 s). With the timeline,
# the watch lasts until it is drawn and a second more: its long tasks count wherever they fall. Returns
# [rows shown, timeline drawn (null without it), interactive].
INTERACTIVE = """async (withTimeline) => {
  const timeline = document.getElementById("timeline");
  let rowsAt = null, drawnAt = withTimeline ? null : 0;
  while (rowsAt === null || drawnAt === null) {
    if (rowsAt === null && document.querySelector("#segment-list .seg[data-id]")) rowsAt = performance.now();
    if (drawnAt === null && timeline.dataset.ready === "true") drawnAt = performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  const watchFrom = Math.max(rowsAt, drawnAt);
  let interactive = rowsAt;
  while (performance.now() - watchFrom < 20000) {
    await new Promise((r) => setTimeout(r, 100));
    interactive = Math.max(rowsAt, ...window.__longTasks.map((t) => t[1]));
    if (performance.now() - Math.max(interactive, watchFrom) >= 1000) break;
  }
  return [rowsAt, withTimeline ? drawnAt : null, interactive];
}"""

FRAMES_START = """() => {
  window.__frames = [];
  window.__framing = true;
  window.__loafsFrom = window.__loafs.length;
  let last = null;
  const tick = (t) => {
    if (last !== null) window.__frames.push(t - last);
    last = t;
    if (window.__framing) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
FRAMES_STOP = """() => {
  window.__framing = false;
  return [window.__frames, window.__loafs.slice(window.__loafsFrom)];
}"""

# The pointer's release (or Enter) → the row saying "Saved" (a new row element: the answer), next frame.
WATCH_SAVED = """(rowId) => {
  const before = document.querySelector(`#${rowId} .seg-state`);
  window.__saved = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`no "Saved" on ${rowId} within 20 s`)), 20000);
    let start = null;
    const begin = (event) => {
      if (event.type === "keydown" && event.key !== "Enter") return;
      start = performance.now();
      document.removeEventListener("pointerup", begin, true);
      document.removeEventListener("keydown", begin, true);
    };
    document.addEventListener("pointerup", begin, true);
    document.addEventListener("keydown", begin, true);
    const observer = new MutationObserver(() => {
      const state = document.querySelector(`#${rowId} .seg-state`);
      if (start !== null && state && state !== before && state.textContent === "Saved") {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - start));
      }
    });
    observer.observe(document.getElementById("segment-list"), { childList: true, subtree: true });
  });
}"""

SHADOW = "document.querySelector('#timeline-wave > div').shadowRoot"

# The regions fully in the visible part of the timeline, in time order: [id, x, y, width, height].
VISIBLE_REGIONS = f"""() => {{
  const root = {SHADOW}, scroller = root.querySelector('.scroll').getBoundingClientRect();
  return Array.from(root.querySelectorAll('[data-segment]')).map((r) => [r.dataset.segment, r.getBoundingClientRect()])
    .filter(([, b]) => b.left > scroller.left + 40 && b.right < scroller.right - 40)
    .sort((a, b) => a[1].left - b[1].left)
    .map(([id, b]) => [id, b.left, b.top, b.width, b.height]);
}}"""

SCROLL_TO = f"""async (fraction) => {{
  const scroll = {SHADOW}.querySelector('.scroll');
  const target = Math.round((scroll.scrollWidth - scroll.clientWidth) * fraction);
  // One screen at a time, a frame each: as a person dragging the scrollbar across the film.
  while (Math.abs(scroll.scrollLeft - target) > 1) {{
    const step = Math.sign(target - scroll.scrollLeft) * Math.min(scroll.clientWidth, Math.abs(target - scroll.scrollLeft));
    scroll.scrollLeft += step;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }}
  await new Promise((r) => setTimeout(r, 200));
  return {SHADOW}.querySelectorAll('[data-segment]').length;
}}"""


def log_in(page, base):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("bench")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/projects/my-work/")


def time_to_interactive(context, base, project, with_timeline, explain=False, browser=None):
    """(rows shown, timeline drawn, interactive) in ms since navigation; with `browser`, also the page's main-thread CPU ms
    (Chrome's thread clock, under a trace) from navigation to the end of the quiet second."""
    page = context.new_page()
    if not with_timeline:
        page.route(
            "**/static/js/timeline.js", lambda route: route.fulfill(body="", content_type="text/javascript")
        )
    if browser:
        browser.start_tracing(
            page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"]
        )
    page.goto(f"{base}/projects/{project.pk}/script/", wait_until="commit")
    rows, drawn, interactive = page.evaluate(INTERACTIVE, with_timeline)
    if browser:
        page.evaluate("console.timeStamp('bench-interactive')")
        events = json.loads(browser.stop_tracing())["traceEvents"]
        page.close()
        return rows, drawn, interactive, main_thread_cpu(events)
    if with_timeline and explain:
        # Where the time went: each request of the page (start → end, ms since navigation).
        for name, start, end in page.evaluate(
            """() => performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, ""), e.startTime, e.responseEnd])
                .concat(performance.getEntriesByType("navigation").map((e) => ["(page) DOMContentLoaded", 0, e.domContentLoadedEventEnd]))
                .concat(performance.getEntriesByType("mark").map((e) => [e.name, e.startTime, e.startTime]))
                .concat(window.__longTasks.map(([start, end]) => ["(long task)", start, end]))
                .sort((a, b) => a[1] - b[1])"""
        ):
            print(f"    {start:7.0f} → {end:7.0f} ms  {name[:90]}")
        print(
            f"    rows at {rows:.0f} ms, timeline drawn at {drawn:.0f} ms, interactive at {interactive:.0f} ms"
        )
    page.close()
    return rows, drawn, interactive


def js_profile(context, base, project, loads):
    """Where the page's JavaScript spends its time until interactive, with the timeline: V8's sampling
    profiler (CDP) over `loads` loads; self time per function, the largest first."""
    totals = defaultdict(float)
    for _ in range(loads):
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
        page.goto(f"{base}/projects/{project.pk}/script/", wait_until="commit")
        page.evaluate(INTERACTIVE, True)
        profile = cdp.send("Profiler.stop")["profile"]
        frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
        for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
            frame = frames[node_id]
            where = frame["url"].rsplit("/", 1)[-1] or ""
            totals[f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber'] + 1}".strip()] += (
                delta / 1000
            )
        page.close()
    print(f"  JavaScript self time with the timeline (ms a load, mean of {loads}; idle left out):")
    for name, ms in sorted(totals.items(), key=lambda item: -item[1]):
        if name.startswith("(idle)"):
            continue
        if ms / loads < 2:
            break
        print(f"    {ms / loads:7.1f}  {name[:110]}")


def main_thread_cpu(events):
    """CPU ms of the main thread of the renderer that drew the page, up to its 'bench-interactive' mark."""
    marks = [
        e
        for e in events
        if e.get("name") == "TimeStamp" and e["args"]["data"].get("message") == "bench-interactive"
    ]
    pid, until = marks[0]["pid"], marks[0]["ts"]
    main = {e["tid"] for e in events if e.get("pid") == pid and e.get("name") == "thread_name"
            and e["args"].get("name") == "CrRendererMain"}  # fmt: skip
    return sum(e["tdur"] / 1000 for e in events if e.get("pid") == pid and e.get("tid") in main
               and e.get("name") == "RunTask" and e.get("ph") == "X" and "tdur" in e and e["ts"] <= until)  # fmt: skip


ZOOM_STEPS = [1, 2, 5, 10, 20, 40, 80, 160, 320, 640]  # static/js/timeline.js


def zoom_for(size):
    """The zoom step at which the segments are ~190 px apart (80 px/s for 3,000 over two hours)."""
    wanted = 190 * size / FILM_S
    return min(ZOOM_STEPS, key=lambda z: abs(math.log(z / wanted)))


def zoom_to(page, px):
    page.locator("#timeline").focus()
    for _ in range(12):
        now = float(page.locator("#timeline").get_attribute("data-px-per-sec"))
        if abs(now - px) < 0.5:
            return
        page.keyboard.press("+" if now < px else "-")
        page.wait_for_timeout(150)
    raise RuntimeError(f"could not zoom to {px} px/s")


def drags(page, count):
    """(frame deltas while dragging, long animation frames, drop → saved ms) over `count` drags of
    region ends, back and forth, each a save."""
    frames, loafs, saves = [], [], []
    for n in range(count):
        visible = page.evaluate(VISIBLE_REGIONS)
        seg_id, x, y, width, height = visible[1 + n % max(1, min(4, len(visible) - 2))]
        hx, hy = x + width - 3, y + height / 2
        page.mouse.move(hx, hy)
        page.evaluate(WATCH_SAVED, f"seg-{seg_id}")
        page.evaluate(FRAMES_START)
        page.mouse.down()
        sign = -1 if n % 2 == 0 else 1
        for step in range(1, 31):  # 12 px in 30 moves, a move every ~10 ms
            page.mouse.move(hx + sign * 12 * step / 30, hy)
            page.wait_for_timeout(10)
        page.mouse.up()
        deltas, long_frames = page.evaluate(FRAMES_STOP)
        frames += deltas
        loafs += long_frames
        saves.append(page.evaluate("window.__saved"))
        page.wait_for_timeout(150)
    return frames, loafs, saves


def hover_frames(page, count):
    """Frame deltas while the pointer moves over the timeline as in `drags`, without pressing."""
    frames = []
    box = page.locator("#timeline-wave").bounding_box()
    for n in range(count):
        x, y = box["x"] + 200 + 40 * (n % 5), box["y"] + 20
        page.mouse.move(x, y)
        page.evaluate(FRAMES_START)
        for step in range(1, 31):
            page.mouse.move(x + 12 * step / 30, y)
            page.wait_for_timeout(10)
        frames += page.evaluate(FRAMES_STOP)[0]
    return frames


def typed_saves(page, count):
    """Typed end → Saved: a row of the first screen, a new end in the editor, Enter."""
    ids = page.locator("#segment-list .seg[data-id]").evaluate_all("rows => rows.map(r => r.id)")
    times = []
    for n in range(count):
        row_id = ids[2 + n % 10]
        page.locator(f"#{row_id}").click()
        end = int(page.locator(f"#{row_id}").get_attribute("data-end")) + (-40 if n % 2 == 0 else 40)
        page.locator("#ed-end").fill(
            f"{end // 3600000:02d}:{end // 60000 % 60:02d}:{end // 1000 % 60:02d}.{end % 1000:03d}"
        )
        page.evaluate(WATCH_SAVED, row_id)
        page.locator("#ed-end").press("Enter")
        times.append(page.evaluate("window.__saved"))
        page.wait_for_timeout(150)
    return times


def heap_while_scrolling(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")

    def used():
        cdp.send("HeapProfiler.collectGarbage")
        return cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20, cdp.send("Memory.getDOMCounters")[
            "nodes"
        ]

    points = []
    for label, fraction in (
        ("start", 0),
        ("1/4", 0.25),
        ("middle", 0.5),
        ("3/4", 0.75),
        ("end", 1),
        ("back at start", 0),
    ):
        regions = page.evaluate(SCROLL_TO, fraction)
        points.append((label, *used(), regions))
    return points


def measure(browser, base, project, args):
    size = Segment.objects.filter(project=project).count()
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(120_000)
    context.add_init_script(LONG_TASKS)
    page = context.new_page()
    log_in(page, base)
    figures = {
        "tti": {True: [], False: []},
        "rows": {True: [], False: []},
        "drawn": [],
        "cpu": {True: [], False: []},
    }
    progress(f"{size}: time to interactive, {args.loads} loads each")
    for _ in range(args.loads):
        for with_timeline in (False, True):
            rows, drawn, interactive = time_to_interactive(
                context, base, project, with_timeline, args.explain
            )
            figures["tti"][with_timeline].append(interactive)
            figures["rows"][with_timeline].append(rows)
            if with_timeline:
                figures["drawn"].append(drawn)
    progress(f"{size}: main-thread CPU until interactive, {args.cpu_loads} loads each under a trace")
    for _ in range(args.cpu_loads):
        for with_timeline in (False, True):
            cpu = time_to_interactive(context, base, project, with_timeline, browser=browser)[3]
            figures["cpu"][with_timeline].append(cpu)

    if args.profile:
        js_profile(context, base, project, args.loads)
    progress(f"{size}: dragging")
    page.goto(f"{base}/projects/{project.pk}/script/")
    page.wait_for_selector("#timeline[data-ready=true]")
    figures["zoom"] = zoom_for(size)
    zoom_to(page, figures["zoom"])
    page.wait_for_timeout(500)
    if args.drags == 0:  # time to interactive only
        context.close()
        return figures
    figures["hover_frames"] = hover_frames(page, args.drags)
    figures["drag_frames"], figures["loafs"], figures["drops"] = drags(page, args.drags)
    progress(f"{size}: typed saves")
    figures["typed"] = typed_saves(page, args.drags)
    progress(f"{size}: scrolling across the film")
    page.locator("#timeline").scroll_into_view_if_needed()
    figures["heap"] = heap_while_scrolling(page)
    if args.screenshots:
        out = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        page.evaluate(SCROLL_TO, 0.5)
        page.locator("#timeline").screenshot(path=out / f"timeline-{size}-desktop.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        page.locator("#timeline").screenshot(path=out / f"timeline-{size}-narrow.png")
    context.close()
    return figures


def report(size, f):
    def line(name, mine, baseline, unit="ms", target=""):
        print(
            f"  {name:<38} {mine:9.1f} {unit}   baseline {baseline:9.1f} {unit}   {mine / baseline:6.2f}×  {target}"
        )

    print(f"\n{size} segments over two hours (dragging and scrolling at {f['zoom']} px/s)")
    tti = {k: statistics.median(v) for k, v in f["tti"].items()}
    rows = {k: statistics.median(v) for k, v in f["rows"].items()}
    line("first rows shown", rows[True], rows[False], target="(editor without the timeline)")
    line(
        "time to interactive (median)", tti[True], tti[False], target="(editor without the timeline; ≤ 1.5×)"
    )
    line(
        "timeline drawn (median)",
        statistics.median(f["drawn"]),
        tti[False],
        target="(against the editor without it interactive)",
    )
    if f["cpu"][True]:
        cpu = {k: statistics.median(v) for k, v in f["cpu"].items()}
        line(
            "main-thread CPU until interactive", cpu[True], cpu[False], target="(editor without the timeline)"
        )
    if "drag_frames" not in f:
        return
    for p in (50, 95):
        line(f"frame time while dragging p{p}", pct(f["drag_frames"], p), pct(f["hover_frames"], p),
             target="(the same pointer moves, no drag)" + ("; ~16.7 ms" if p == 95 else ""))  # fmt: skip
    print(f"  {'':<38} max {max(f['drag_frames']):.1f} ms over {len(f['drag_frames'])} frames; "
          f"long animation frames while dragging: {len(f['loafs'])}"
          + (f" (longest {max(d for _, d, _ in f['loafs']):.0f} ms)" if f["loafs"] else ""))  # fmt: skip
    for p in (50, 95):
        line(f"drop → Saved p{p}", pct(f["drops"], p), pct(f["typed"], p),
             target="(a typed end, Enter)" + ("; p95 < 100 ms" if p == 95 else ""))  # fmt: skip
    start = f["heap"][0][1]
    for label, mb, nodes, regions in f["heap"]:
        line(
            f"JS heap, timeline at {label}",
            mb,
            start,
            unit="MB",
            target=f"(at the start; {nodes} DOM nodes, {regions} regions)",
        )
    print(
        "  (the peaks are an ArrayBuffer outside the JS heap: 1.4 M values, 5.8 MB as Float32, the same all along)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--drags", type=int, default=20)
    parser.add_argument("--cpu-loads", type=int, default=3, help="loads under a Chrome trace (CPU time)")
    parser.add_argument("--explain", action="store_true", help="print each load's requests and timings")
    parser.add_argument("--profile", action="store_true", help="the JavaScript's self time by function")
    parser.add_argument("--screenshots", action="store_true", help="the timeline at 1280 and 390 px")
    args = parser.parse_args()
    if not shutil.which("ffmpeg"):
        sys.exit("needs ffmpeg")

    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    make_film()
    call_command("migrate", verbosity=0)
    _, team = bench_member(password=PASSWORD)
    progress("computing the film's peaks")
    peaks_name, duration_ms = film_peaks()
    projects = [film_script(team, size, peaks_name, duration_ms) for size in args.sizes]

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
                    figures = measure(browser, base, project, args)
                    if figures:
                        report(size, figures)
                browser.close()
        finally:
            server.terminate()
    print(f"\nLoad average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
