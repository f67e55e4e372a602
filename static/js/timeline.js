// The script editor's timeline (issue 11): the script's segments as regions, one lane per speaker, over
// the source's waveform when its peaks have been computed; the playhead is the video's.
//
// It draws with wavesurfer.js (static/vendor/wavesurfer/, loaded by import() from the URLs the page gives:
// no inline script, nothing from a CDN). It does not reach into static/js/editor.js: it reads the rows'
// data attributes, saves through the same endpoint and the same way (htmx.ajax targeting the row, so the
// row, its checks, undo and the conflict panel behave as for a typed edit), and follows the rows as they
// change (a MutationObserver on the list: saves, undo, presence updates, rows loaded while scrolling).
// The timings of the whole script come from one JSON answer (projects:timeline-segments), not from the
// rows, which a long script loads a chunk at a time.
//
// Mouse: click to seek, drag an edge or the whole segment to retime (edges snap to the neighbours and
// the playhead, and stop at a neighbour unless Alt is held), drag it up or down to another speaker's lane
// to give them the line (its timing stays), Ctrl+wheel to zoom. Keyboard (focus on the timeline): ←/→
// nudge the end by 10 ms (Shift: 100 ms), Ctrl+←/→ the start, + and − zoom, J/K/L shuttle, P plays the
// current segment and Shift+P from 1 s before it (editor.js plays them: the timeline's buttons carry its
// data-command), Space plays and pauses.
//
// Listening: with a finished dub of the project kept in dubweb, the person hears the source, the dub, or
// both with a balance; the dub plays in an <audio> element that follows the video (play, pause, seek,
// speed), and its waveform is drawn under the source's, scrolled and zoomed with it.
(function () {
  "use strict";

  // wavesurfer puts a <style> in its shadow root: the Content-Security-Policy allows it with this page's
  // nonce, which the page gives this script's own tag (a nonce attribute, hidden from the page's CSS).
  const nonce = (document.currentScript && document.currentScript.nonce) || "";
  const panel = document.getElementById("timeline");
  const editor = document.getElementById("editor");
  if (!panel || !editor) return;
  const list = document.getElementById("segment-list");
  const player = document.getElementById("player");
  const waveBox = document.getElementById("timeline-wave");
  const lanesBox = document.getElementById("timeline-lanes");
  const note = document.getElementById("timeline-note");
  const canEdit = panel.dataset.canEdit === "true";
  const LANE_PX = 34;
  const SNAP_PX = 6;
  const ZOOM_STEPS = [1, 2, 5, 10, 20, 40, 80, 160, 320, 640];  // px per second (640: ~1.5 ms a pixel)

  let ws = null, regionsPlugin = null;
  let durationS = 0;
  let speakers = [];       // {id, name, lane, colour}
  let laneOf = new Map();  // speaker id ("" for none) → lane index
  const segs = new Map();  // segment id (string) → {id, start, end, speaker, version, flags, text, region}
  let ordered = [];        // segs in time order (neighbours)
  let flagBits = {};
  let currentId = null;
  let altHeld = false;
  let dragging = null;     // {id, start, end} as they were when the drag began (lane: the lane it is over)
  let pointerY = 0;        // where the pointer is (a drag to another lane)

  const pad = (value, size) => String(value).padStart(size, "0");
  function timecode(ms) {
    ms = Math.max(0, Math.round(ms));
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
  }
  function tell(text, kind) {
    note.textContent = text;
    note.dataset.kind = kind || "info";
  }
  const saveUrl = (id) => panel.dataset.saveUrl.replace(/\/0\/save\/$/, `/${id}/save/`);
  const rowOf = (id) => document.getElementById(`seg-${id}`);
  // Pixels a second as drawn: wavesurfer stretches a short film to fill the width (fillParent).
  const pxPerSec = () => (ws ? ws.getWrapper().scrollWidth / durationS : 0);
  function showZoom() {
    const px = pxPerSec();
    panel.dataset.pxPerSec = String(px);
    document.getElementById("timeline-zoom").textContent = `${px < 10 ? px.toFixed(1) : Math.round(px)} px/s`;
  }
  const colour = (index, alpha) => `hsl(${[212, 28, 140, 280, 350, 190, 48, 100][index % 8]} 70% 48% / ${alpha})`;

  // --- data ----------------------------------------------------------------------------------------------
  function sortSegments() {
    ordered = Array.from(segs.values()).sort((a, b) => a.start - b.start || a.id - b.id);
  }
  function neighbours(seg) {
    const index = ordered.indexOf(seg);
    return { previous: ordered[index - 1] || null, next: ordered[index + 1] || null };
  }
  function laneTop(seg) {
    const lane = laneOf.has(String(seg.speaker || "")) ? laneOf.get(String(seg.speaker || "")) : laneOf.size - 1;
    return lane * LANE_PX;
  }
  function speakerColour(seg) {
    const speaker = speakers.find((s) => s.id === seg.speaker);
    return speaker ? speaker.colour : 7;
  }
  function flagLabels(bits) {
    return Object.values(flagBits).filter((f) => bits & f.bit).map((f) => f.label);
  }
  // The speed-up a row's "Needs 1.4× to fit" flag says (0 when it has none).
  function fitOfRow(row) {
    for (const flag of row.querySelectorAll(".flags .flag")) {
      const found = /Needs ([\d.]+)× to fit/.exec(flag.textContent);
      if (found) return +found[1];
    }
    return 0;
  }

  // --- regions -------------------------------------------------------------------------------------------
  function paint(seg) {
    const region = seg.region;
    if (!region || !region.element) return;
    const style = region.element.style;
    const index = speakerColour(seg), isCurrent = String(seg.id) === currentId;
    style.top = `${laneTop(seg) + 2}px`;
    style.height = `${LANE_PX - 4}px`;
    style.backgroundColor = colour(index, isCurrent ? 0.45 : 0.22);
    style.border = `1px solid ${colour(index, 0.9)}`;
    style.boxShadow = isCurrent ? "0 0 0 2px #1d2330" : "none";
    style.overflow = "hidden";
    style.zIndex = isCurrent ? "3" : "1";
    region.element.dataset.segment = seg.id;
    region.element.classList.toggle("is-current", isCurrent);
    // The row's own wording when it is loaded ("Needs 1.4× to fit (…)"), else the flags' names with the
    // speed-up the line needs.
    const fit = seg.fit ? `${seg.fit.toFixed(1)}×` : "";
    const problems = seg.problems || flagLabels(seg.flags).map((label) => (fit && label === flagBits.fit.label ? `Needs ${fit} to fit` : label));
    region.element.dataset.fit = seg.fit ? seg.fit.toFixed(2) : "";
    region.element.title = `${timecode(seg.start)} – ${timecode(seg.end)}: ${seg.text}${problems.length ? `\n${problems.join(", ")}` : ""}`;
    region.element.setAttribute("aria-label", `Segment at ${timecode(seg.start)}`);
    let label = region.element.querySelector(".timeline-label");
    if (!label) {
      // Our own label, not the plugin's `content`: the plugin re-measures every label against every other
      // one after each drag (quadratic in the script's length).
      label = document.createElement("div");
      label.className = "timeline-label";
      Object.assign(label.style, { padding: "0 .35em", font: "12px/30px system-ui, sans-serif", whiteSpace: "nowrap",
        overflow: "hidden", textOverflow: "ellipsis", pointerEvents: "none", color: "#1d2330" });
      region.element.append(label);
    }
    const text = `${fit ? `⚠ ${fit} ` : problems.length ? "⚠ " : ""}${seg.text}`;
    if (label.textContent !== text) label.textContent = text;
    style.borderBottom = problems.length ? `3px solid ${colour(4, 0.9)}` : style.border.split(" ").length ? `1px solid ${colour(index, 0.9)}` : "";
  }
  // Only the segments near the visible window have a region (a film has thousands): the plugin does work
  // per region on every scroll, zoom and tick of the playhead. They come and go as the timeline scrolls.
  function window_() {
    const px = pxPerSec() || 1, width = ws.getWidth(), left = ws.getScroll();
    return [((left - width / 2) / px) * 1000, ((left + width * 1.5) / px) * 1000];
  }
  const near = (seg, [from, to]) => seg.end >= from && seg.start <= to;
  function addRegion(seg) {
    seg.region = regionsPlugin.addRegion({
      id: `seg-region-${seg.id}`, start: seg.start / 1000, end: seg.end / 1000,
      drag: canEdit, resize: canEdit, color: colour(speakerColour(seg), 0.22), minLength: 0.05,
    });
    paint(seg);
  }
  function unshow(seg) {
    if (seg.region) seg.region.remove();
    seg.region = null;
  }
  function place(seg) {  // the region where the data says (or none, far from the visible window)
    if (!ws) return;
    if (!near(seg, window_())) { if (!(dragging && dragging.id === String(seg.id))) unshow(seg); return; }
    if (!seg.region) return addRegion(seg);
    seg.region.setOptions({ start: seg.start / 1000, end: seg.end / 1000 });
    paint(seg);
  }
  function dropRegion(seg) {
    unshow(seg);
    segs.delete(String(seg.id));
  }
  // --- the time ruler, above the lanes ------------------------------------------------------------------
  // Drawn on one canvas the width of the screen, for the seconds in view only (wavesurfer's Timeline plugin
  // made an element for every tick of the whole film: 1,440 for two hours, a long task at each zoom).
  const ruler = document.getElementById("timeline-ruler");
  const TICK_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  function rulerLabel(seconds, step) {
    const whole = Math.floor(seconds + 1e-6), h = Math.floor(whole / 3600), m = Math.floor(whole / 60) % 60;
    const tenths = step < 1 ? `.${Math.round((seconds - whole) * 10) % 10}` : "";
    return (h ? `${h}:${pad(m, 2)}` : `${m}`) + `:${pad(whole % 60, 2)}${tenths}`;
  }
  let rulerQueued = false;
  function drawRuler() {  // once a frame at most
    if (rulerQueued || !ws || !ruler) return;
    rulerQueued = true;
    requestAnimationFrame(() => {
      rulerQueued = false;
      const width = ruler.clientWidth, height = ruler.clientHeight, ratio = window.devicePixelRatio || 1;
      if (ruler.width !== Math.round(width * ratio) || ruler.height !== Math.round(height * ratio)) {
        ruler.width = Math.round(width * ratio);
        ruler.height = Math.round(height * ratio);
      }
      const px = pxPerSec() || 1, left = ws.getScroll();
      const minor = TICK_STEPS.find((step) => step * px >= 8) || 3600;
      const labelled = TICK_STEPS.find((step) => step >= minor && step * px >= 70 && Math.abs(step / minor - Math.round(step / minor)) < 1e-6) || 3600;
      const context = ruler.getContext("2d");
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.clearRect(0, 0, width, height);
      context.font = "11px system-ui, sans-serif";
      context.textBaseline = "top";
      const first = Math.floor(left / px / minor), last = Math.ceil((left + width) / px / minor);
      ruler.dataset.view = `${(left / px).toFixed(1)}-${((left + width) / px).toFixed(1)}`;  // (the tests read it)
      ruler.dataset.labelEvery = String(labelled);
      for (let n = first; n <= last; n += 1) {
        const seconds = n * minor, x = Math.round(seconds * px - left) + 0.5;
        const major = Math.abs(seconds / labelled - Math.round(seconds / labelled)) < 1e-6;
        context.fillStyle = major ? "#5b6475" : "#aab2c0";
        context.fillRect(x - 0.5, major ? height - 8 : height - 4, 1, major ? 8 : 4);
        if (major) context.fillText(rulerLabel(seconds, labelled), x + 3, 1);
      }
    });
  }
  if (ruler) new ResizeObserver(() => drawRuler()).observe(ruler);

  let showing = false;
  function showVisible() {  // once a frame at most
    if (showing || !ws) return;
    showing = true;
    requestAnimationFrame(() => {
      showing = false;
      const range = window_();
      // The first segment that ends after the window's start (segments are in time order; one may be
      // long, so a few before it are checked too).
      let low = 0, high = ordered.length;
      while (low < high) { const mid = (low + high) >> 1; if (ordered[mid].start < range[0]) low = mid + 1; else high = mid; }
      const wanted = new Set();
      for (let i = Math.max(0, low - 20); i < ordered.length && ordered[i].start <= range[1]; i += 1) {
        if (near(ordered[i], range)) wanted.add(ordered[i]);
      }
      segs.forEach((seg) => { if (seg.region && !wanted.has(seg) && !(dragging && dragging.id === String(seg.id))) unshow(seg); });
      wanted.forEach((seg) => { if (!seg.region) addRegion(seg); });
    });
  }

  // --- the rows lead: what a row says is what the timeline shows -------------------------------------------
  function fromRow(row) {
    const id = row.dataset.id, seg = segs.get(id);
    const start = +row.dataset.start, end = +row.dataset.end, speaker = row.dataset.speaker ? +row.dataset.speaker : null;
    const text = (row.querySelector(".seg-text") || {}).textContent || "";
    if (!seg) { scheduleRefresh(); return; }  // a row the timeline does not know yet (insert, split)
    if (seg.version > +row.dataset.version && !dragging) return;  // an older row (never go back)
    const moved = seg.start !== start || seg.end !== end;
    Object.assign(seg, { start, end, speaker, version: +row.dataset.version, text: text.slice(0, 80) });
    seg.problems = Array.from(row.querySelectorAll(".flags .flag")).map((f) => f.textContent);
    seg.fit = fitOfRow(row);
    if (moved) sortSegments();
    if (!dragging || dragging.id !== id) place(seg);
  }
  let refreshing = null;
  function scheduleRefresh() {
    clearTimeout(refreshing);
    refreshing = setTimeout(refresh, 300);
  }
  let filtering = false;  // a filter swaps the whole list: its rows going is no deletion
  document.body.addEventListener("htmx:beforeSwap", (event) => { if (event.detail.target === list) filtering = true; });
  document.body.addEventListener("htmx:afterSwap", (event) => { if (event.detail.target === list) filtering = false; });
  // A speaker added, renamed or removed in the speakers panel: the lanes change.
  document.body.addEventListener("speakers-changed", () => scheduleRefresh());
  new MutationObserver((records) => {
    if (!ws) return;
    const gone = [];
    records.forEach((record) => {
      record.addedNodes.forEach((node) => {
        if (node.nodeType !== 1) return;
        if (node.matches(".seg[data-id]")) fromRow(node);
        else if (node.querySelectorAll && node.classList.contains("seg-chunk")) node.querySelectorAll(".seg[data-id]").forEach(fromRow);
      });
      if (!filtering) record.removedNodes.forEach((node) => { if (node.nodeType === 1 && node.matches(".seg[data-id]")) gone.push(node.dataset.id); });
      if (record.type === "attributes" && record.target.matches(".seg[data-id]")) {
        if (record.attributeName === "class" && record.target.classList.contains("is-current")) makeCurrent(record.target.dataset.id, false);
      }
    });
    // A row removed and not put back (a delete, a merge, someone else's delete): read the script again.
    queueMicrotask(() => { if (gone.some((id) => !rowOf(id))) scheduleRefresh(); });
  }).observe(list, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });

  // --- the current segment ----------------------------------------------------------------------------------
  function makeCurrent(id, fromTimeline) {
    id = String(id);
    if (currentId === id) return;
    const was = segs.get(currentId);
    currentId = id;
    if (was) paint(was);
    const seg = segs.get(id);
    if (!seg) return;
    paint(seg);
    if (!fromTimeline) reveal(seg);
  }
  // Keep the current segment in the visible window (it scrolls only when the segment is outside it).
  function reveal(seg) {
    if (!ws) return;
    const width = ws.getWidth(), left = ws.getScroll(), px = pxPerSec();
    const from = (seg.start / 1000) * px, to = (seg.end / 1000) * px;
    if (from < left || to > left + width) ws.setScroll(Math.max(0, from - width / 3));
  }
  // Make the row current in the list (loading rows until it is there: a long script loads in chunks).
  async function selectRow(id, show) {
    let row = rowOf(id);
    for (let tries = 0; !row && tries < 200; tries += 1) {
      const more = list.querySelector(".seg-more[data-next]");
      if (!more) break;
      more.scrollIntoView({ block: "end" });  // editor.js loads the next chunk when this nears the screen
      await new Promise((resolve) => setTimeout(resolve, 60));
      row = rowOf(id);
    }
    if (row) {
      row.dispatchEvent(new MouseEvent("click", { bubbles: true }));  // editor.js makes it the current row
      if (show) row.scrollIntoView({ block: "nearest" });  // (not after a drop: the timeline would go)
    }
    return row;
  }

  // --- saving: one drop, one save --------------------------------------------------------------------------
  async function saveTiming(seg, start, end, before) {
    let row = await selectRow(seg.id);
    if (!row) { tell("This segment is not in the list (is a filter on?); clear the filter to retime it.", "error"); place(seg); return; }
    row = rowOf(seg.id) || row;  // (a presence poll may have swapped the row in while it was being selected)
    const moved = start !== before.start && end !== before.end;
    if (moved) {
      // The whole segment moved: one shift of this one segment (one undo entry), as the Selection's Shift.
      htmx.ajax("POST", panel.dataset.shiftUrl, {
        source: editor, swap: "none",
        values: { delta_ms: start - before.start, scope: "selected", from_ms: "", segments: seg.id },
      }).then(() => backToRow(seg), () => backToRow(seg));
      return;
    }
    const field = start !== before.start ? "start" : "end";
    const value = field === "start" ? start : end, was = field === "start" ? before.start : before.end;
    if (value === was) { place(seg); return; }
    // As editor.js saves a typed time: the row is the target, so the answer (saved, refused, conflict)
    // lands in the row, and the observer above puts the region where the row says.
    htmx.ajax("POST", saveUrl(seg.id), {
      source: row, target: row, swap: "outerHTML",
      values: { field, [field]: timecode(value), version: before.version || row.dataset.version, was: timecode(was) },
    }).then(() => backToRow(seg), () => backToRow(seg));
  }
  // After the answer, the row says where the segment is: saved, refused (the stored timing: the region
  // springs back), or no answer at all (the server unreachable, a 403: the row as it was).
  function backToRow(seg) {
    const row = rowOf(seg.id);
    if (row) fromRow(row);
  }
  // A refused save answers the row with its stored timing: the region springs back; say why here too.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const row = event.target;
    if (!row || !row.matches || !row.matches(".seg[data-id]")) return;
    const error = row.querySelector(".seg-error"), conflict = row.querySelector(".seg-conflict");
    if (error) tell(`Not moved: ${error.textContent.trim()}`, "error");
    else if (conflict) tell("Someone else changed this segment meanwhile: see the row to keep yours or take theirs.", "error");
    else if (row.classList.contains("seg--saved")) tell(`Saved: ${timecode(+row.dataset.start)} – ${timecode(+row.dataset.end)}.`, "ok");
  });

  // --- dragging: snap to neighbours and the playhead, never over a neighbour without Alt ------------------
  function snapped(ms, targets) {
    const tolerance = (SNAP_PX / pxPerSec()) * 1000;
    let best = ms, distance = tolerance;
    targets.forEach((t) => { if (t !== null && Math.abs(t - ms) <= distance) { best = t; distance = Math.abs(t - ms); } });
    return best;
  }
  // The plugin moves the region by each pointer move's delta from where the region is: after a snap that
  // would hold the edge at the snap point for good (every small move snaps back). So the pointer's own
  // position is kept (raw*) and each move is snapped and clamped from it.
  function onRegionUpdate(region, side) {
    const seg = segs.get(region.element && region.element.dataset.segment);
    if (!seg) return;
    if (!dragging || dragging.id !== String(seg.id)) {
      dragging = { id: String(seg.id), start: seg.start, end: seg.end, version: seg.version, speaker: seg.speaker, rawStart: seg.start, rawEnd: seg.end, shownStart: seg.start, shownEnd: seg.end };
      makeCurrent(seg.id, true);
    }
    dragging.rawStart += region.start * 1000 - dragging.shownStart;
    dragging.rawEnd += region.end * 1000 - dragging.shownEnd;
    if (!side && overLane(seg, region)) return;  // over another speaker's lane: the timing stays
    const { previous, next } = neighbours(seg);
    const playhead = player ? Math.round(player.currentTime * 1000) : null;
    const low = previous ? previous.end : 0, high = next ? next.start : durationS * 1000;
    const length = dragging.end - dragging.start;
    let start = dragging.shownStart, end = dragging.shownEnd;
    if (!side) {  // the whole segment: snap whichever edge is near something, keep the length
      start = Math.round(dragging.rawStart);
      const snapStart = snapped(start, [low, playhead]), snapEnd = snapped(start + length, [high, playhead]);
      if (snapStart !== start) start = snapStart; else if (snapEnd !== start + length) start = snapEnd - length;
      if (!altHeld) start = Math.min(Math.max(start, low), high - length);
      start = Math.max(0, Math.min(start, durationS * 1000 - length));
      end = start + length;
    } else if (side === "start") {
      start = snapped(Math.round(dragging.rawStart), [low, playhead]);
      if (!altHeld) start = Math.max(start, low);
      start = Math.max(0, Math.min(start, end - 50));
    } else {
      end = snapped(Math.round(dragging.rawEnd), [high, playhead]);
      if (!altHeld) end = Math.min(end, high);
      end = Math.min(durationS * 1000, Math.max(end, start + 50));
    }
    dragging.shownStart = start;
    dragging.shownEnd = end;
    if (Math.abs(region.start * 1000 - start) > 0.5 || Math.abs(region.end * 1000 - end) > 0.5) {
      region.setOptions({ start: start / 1000, end: end / 1000 });
    }
    tell(`${timecode(start)} – ${timecode(end)}${altHeld ? " (Alt: may overlap)" : ""}`, "info");
  }
  // --- dragging to another lane: the line goes to that lane's speaker ---------------------------------------
  const laneCount = () => Math.max(1, lanesBox.children.length);
  function laneUnder(region) {  // the lane the pointer is over (the nearest one, above or below the lanes)
    const box = region.element.parentElement.getBoundingClientRect();
    return Math.max(0, Math.min(laneCount() - 1, Math.floor((pointerY - box.top) / LANE_PX)));
  }
  function speakerOfLane(lane) {  // a speaker id, null for "No speaker", undefined for no such lane
    const found = speakers.find((s) => s.lane === lane);
    if (found) return found.id;
    return laneOf.get("") === lane ? null : undefined;
  }
  const laneName = (lane) => (lanesBox.children[lane] || {}).textContent || "";
  // While the whole segment is dragged: true when the pointer is over another lane than its speaker's (the
  // region is shown there, at its own time), false when back on its own lane.
  function overLane(seg, region) {
    const own = laneTop(seg) / LANE_PX, lane = laneUnder(region);
    const target = lane !== own && speakerOfLane(lane) !== undefined ? lane : null;
    dragging.lane = target;
    region.element.style.top = `${(target === null ? own : target) * LANE_PX + 2}px`;
    region.element.classList.toggle("is-changing-lane", target !== null);
    region.element.style.outline = target !== null ? "2px dashed #1d2330" : "";
    if (target === null) return false;
    if (Math.abs(region.start * 1000 - dragging.start) > 0.5 || Math.abs(region.end * 1000 - dragging.end) > 0.5) {
      region.setOptions({ start: dragging.start / 1000, end: dragging.end / 1000 });
    }
    dragging.shownStart = dragging.start;
    dragging.shownEnd = dragging.end;
    tell(`Drop to give this line to ${laneName(target)} (its timing stays).`, "info");
    return true;
  }
  // One save of the speaker through the editor's save path, as a speaker chosen in the editor.
  async function saveSpeaker(seg, speaker, was, version) {
    const row = await selectRow(seg.id);
    if (!row) { tell("This segment is not in the list (is a filter on?); clear the filter to change its speaker.", "error"); seg.speaker = was; place(seg); return; }
    htmx.ajax("POST", saveUrl(seg.id), {
      source: row, target: row, swap: "outerHTML",
      values: { field: "speaker", speaker: speaker === null ? "" : speaker, version, was: was === null ? "" : was },
    }).then(() => backToRow(seg), () => backToRow(seg));
  }

  function onRegionUpdated(region) {
    const seg = segs.get(region.element && region.element.dataset.segment);
    if (!seg || !dragging) return;
    if (dragging.lane !== null && dragging.lane !== undefined) {
      const speaker = speakerOfLane(dragging.lane), was = dragging.speaker, version = dragging.version;
      dragging = null;
      region.element.classList.remove("is-changing-lane");
      region.element.style.outline = "";
      seg.speaker = speaker;  // shown in its new lane until the row answers (refused: back to its own)
      paint(seg);
      saveSpeaker(seg, speaker, was, version);
      return;
    }
    // The version the drag began from: an edit someone else saved meanwhile (the row may have been
    // updated under the drag) is a conflict for the fields it changed, not silently overwritten.
    const before = { start: dragging.start, end: dragging.end, version: dragging.version };
    const start = dragging.shownStart, end = dragging.shownEnd;
    dragging = null;
    if (start === before.start && end === before.end) return;
    seg.start = start; seg.end = end;
    sortSegments();
    saveTiming(seg, start, end, before);
  }
  const trackAlt = (event) => { altHeld = event.altKey; if (event.clientY !== undefined) pointerY = event.clientY; };
  document.addEventListener("pointermove", trackAlt, true);
  document.addEventListener("pointerdown", trackAlt, true);
  document.addEventListener("keydown", trackAlt, true);
  document.addEventListener("keyup", trackAlt, true);

  // --- keyboard (on the timeline) ---------------------------------------------------------------------------
  const pendingNudge = new Map();  // id → {field, was, timer}: quick nudges are one save
  function nudge(field, deltaMs) {
    const seg = segs.get(currentId);
    if (!seg) { tell("Choose a segment first: click it in the timeline or in the list.", "error"); return; }
    if (!canEdit) return;
    const { previous, next } = neighbours(seg);
    const pending = pendingNudge.get(seg.id) || { field, was: seg[field] };
    if (pending.field !== field) { flushNudge(seg); return nudge(field, deltaMs); }
    let value = seg[field] + deltaMs;
    if (field === "start") value = Math.max(previous ? previous.end : 0, Math.min(value, seg.end - 50));
    else value = Math.min(next ? next.start : durationS * 1000, Math.max(value, seg.start + 50));
    if (value === seg[field]) { tell(field === "start" ? "The start is at the previous segment's end." : "The end is at the next segment's start.", "info"); return; }
    seg[field] = value;
    place(seg);
    tell(`${field === "start" ? "Start" : "End"} ${timecode(value)}`, "info");
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => flushNudge(seg), 400);
    pendingNudge.set(seg.id, pending);
  }
  function flushNudge(seg) {
    const pending = pendingNudge.get(seg.id);
    if (!pending) return;
    clearTimeout(pending.timer);
    pendingNudge.delete(seg.id);
    const before = { start: seg.start, end: seg.end };
    before[pending.field] = pending.was;
    saveTiming(seg, seg.start, seg.end, before);
  }
  let shuttle = 0, rewinding = null;  // J/K/L: <0 backwards, 0 stopped, >0 forwards (1×, 2×, 4×)
  function setShuttle(speed) {
    if (!player) { tell("This project has no video to play.", "error"); return; }
    shuttle = Math.max(-4, Math.min(4, speed));
    clearInterval(rewinding);
    rewinding = null;
    if (shuttle > 0) {
      player.playbackRate = shuttle;
      player.play().catch(() => tell("The video could not start playing.", "error"));
    } else {
      player.pause();
      player.playbackRate = 1;
      // Browsers do not play backwards: step back instead, |speed| seconds a second.
      if (shuttle < 0) rewinding = setInterval(() => { player.currentTime = Math.max(0, player.currentTime + shuttle / 10); }, 100);
    }
    tell(shuttle ? `${shuttle > 0 ? "Playing" : "Rewinding"} ${Math.abs(shuttle)}×` : "Stopped", "info");
  }
  // Keys on the timeline are the timeline's: editor.js (on the document) does not also see them (its
  // j/k move between rows); Alt combinations stay the editor's.
  panel.addEventListener("keydown", (event) => {
    if (event.altKey || event.target.closest("button, input, select")) return;
    const step = event.shiftKey ? 100 : 10;
    const keys = {
      ArrowLeft: () => nudge(event.ctrlKey || event.metaKey ? "start" : "end", -step),
      ArrowRight: () => nudge(event.ctrlKey || event.metaKey ? "start" : "end", step),
      "+": () => zoomBy(1), "=": () => zoomBy(1), "-": () => zoomBy(-1), "_": () => zoomBy(-1),
      KeyJ: () => setShuttle(shuttle > 0 ? -1 : shuttle - 1 || -1),
      KeyK: () => setShuttle(0),
      KeyL: () => setShuttle(shuttle < 0 ? 1 : shuttle ? shuttle * 2 : 1),
      // The timeline's play buttons: editor.js plays the current segment (and stops at its end).
      KeyP: () => {
        const button = panel.querySelector(`[data-command="${event.shiftKey ? "play-before" : "play"}"]`);
        if (button) button.click(); else tell("This project has no video to play.", "error");
      },
      " ": () => { if (!player) tell("This project has no video to play.", "error"); else if (player.paused) player.play().catch(() => {}); else player.pause(); },
    };
    const action = keys[event.key] || (!event.ctrlKey && !event.metaKey && keys[event.code]);
    if (!action || event.key === "?") return;
    event.preventDefault();
    event.stopPropagation();
    action();
  });
  if (player) player.addEventListener("pause", () => { if (shuttle > 0) { shuttle = 0; player.playbackRate = 1; } });

  // --- zoom ---------------------------------------------------------------------------------------------------
  function zoomTo(px) {
    if (!ws) return;
    const centreS = (ws.getScroll() + ws.getWidth() / 2) / pxPerSec();
    ws.zoom(px);
    ws.setScroll(Math.max(0, centreS * pxPerSec() - ws.getWidth() / 2));
    showZoom();
  }
  function zoomBy(direction) {
    const now = ws.options.minPxPerSec;
    const next = direction > 0 ? ZOOM_STEPS.find((z) => z > now) : [...ZOOM_STEPS].reverse().find((z) => z < now);
    if (next) zoomTo(next);
  }
  panel.querySelectorAll("[data-zoom]").forEach((button) => button.addEventListener("click", () => zoomBy(+button.dataset.zoom)));
  waveBox.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) return;  // a plain wheel scrolls the page, Shift+wheel the timeline
    event.preventDefault();
    zoomBy(event.deltaY < 0 ? 1 : -1);
  }, { passive: false });


  // --- listening: the source, a finished dub, or both with a balance ------------------------------------------
  // The dub plays in its own <audio> element that follows the video (the video stays the clock: its
  // controls, the keys, the timeline all move it); its waveform is drawn under the source's.
  const listen = document.getElementById("timeline-listen");
  const dubBox = document.getElementById("timeline-dub");
  const dubLabel = document.getElementById("timeline-dub-label");
  const dub = { list: [], audio: null, ws: null, shown: null, mode: "source", balance: 0.5, WaveSurfer: null };
  const hearingDub = () => dub.mode !== "source" && dub.audio;
  function chosenDub() {
    const id = document.getElementById("listen-dub").value;
    return dub.list.find((d) => String(d.id) === id) || dub.list[0];
  }
  function mix() {
    const share = dub.mode === "dub" ? 1 : dub.mode === "both" ? dub.balance : 0;
    player.volume = 1 - share;
    if (!dub.audio) return;
    dub.audio.volume = share;
    if (!share) dub.audio.pause();
    else follow(true);
  }
  // Keep the dub where the video is (and playing when it plays); `force` after a seek.
  function follow(force) {
    if (!hearingDub()) return;
    const audio = dub.audio;
    if (force || Math.abs(audio.currentTime - player.currentTime) > 0.25) {
      try { audio.currentTime = player.currentTime; } catch (e) { /* not loaded yet: set when it is */ }
    }
    if (audio.playbackRate !== player.playbackRate) audio.playbackRate = player.playbackRate;
    const past = audio.duration && player.currentTime >= audio.duration;  // a dub shorter than the film
    if (!player.paused && audio.paused && !past) audio.play().catch(() => tell("The dub could not start playing.", "error"));
  }
  function showBalance() {
    const value = Math.round(dub.balance * 100);
    document.getElementById("listen-balance-value").textContent = `${100 - value} % source, ${value} % dub`;
  }
  function setMode(mode) {
    dub.mode = mode;
    panel.dataset.listening = mode;
    document.getElementById("listen-balance").disabled = mode !== "both";
    if (mode !== "source") useDub(chosenDub());
    else { dubBox.hidden = true; dubLabel.hidden = true; }
    mix();
    tell(mode === "source" ? "Hearing the source." : mode === "dub" ? `Hearing the dub: ${chosenDub().label}.` : "Hearing the source and the dub (see the balance).", "info");
  }
  function useDub(chosen) {
    if (!dub.audio) {
      dub.audio = document.createElement("audio");
      dub.audio.id = "dub-audio";
      dub.audio.preload = "auto";
      dub.audio.addEventListener("loadedmetadata", () => follow(true));
      panel.append(dub.audio);
    }
    if (dub.audio.dataset.src !== chosen.src) {
      dub.audio.dataset.src = chosen.src;
      dub.audio.src = chosen.src;
    }
    dubBox.hidden = false;
    dubLabel.hidden = false;
    if (dub.shown !== chosen.id) drawDub(chosen);
  }
  async function drawDub(chosen) {
    dub.shown = chosen.id;
    panel.dataset.dubReady = "false";
    if (dub.ws) { dub.ws.destroy(); dub.ws = null; }
    dubBox.replaceChildren();
    let peaks;
    try { peaks = await fetchPeaks(chosen.peaks); } catch (error) {
      if (dub.shown !== chosen.id) return;
      const why = document.createElement("p");
      why.className = "timeline-dub-why small muted";
      why.textContent = (error.why || "No waveform for this dub.").replace("the source audio has not been analysed", "this dub has not been analysed");
      dubBox.replaceChildren(why);
      return;
    }
    if (dub.shown !== chosen.id) return;
    // On the source's scale: the dub's peaks cut or padded to the film's length (100 peaks a second).
    let channel = peaks[0];
    if (channel.perSecond) {
      const wanted = Math.round(durationS * channel.perSecond) * 2;
      const fitted = new Float32Array(wanted);
      fitted.set(channel.subarray(0, wanted));
      channel = fitted;
    }
    dub.ws = dub.WaveSurfer.create({
      container: dubBox, cspNonce: nonce, peaks: [channel], duration: durationS, height: 40,
      waveColor: "#d98b5f", progressColor: "#d98b5f", cursorWidth: 0,
      minPxPerSec: ws.options.minPxPerSec, fillParent: true, interact: false, hideScrollbar: true,
      normalize: true, autoScroll: false,
    });
    dub.ws.once("ready", () => { followScroll(); panel.dataset.dubReady = "true"; });
  }
  function followScroll() {
    if (!dub.ws || dubBox.hidden) return;
    if (dub.ws.options.minPxPerSec !== ws.options.minPxPerSec) dub.ws.zoom(ws.options.minPxPerSec);
    dub.ws.setScroll(ws.getScroll());
  }
  function setUpListening(dubs, WaveSurfer) {
    dub.list = dubs || [];
    dub.WaveSurfer = WaveSurfer;
    if (!player || !dub.list.length) return;
    const select = document.getElementById("listen-dub");
    select.replaceChildren(...dub.list.map((d) => new Option(d.label, String(d.id))));
    select.addEventListener("change", () => { if (dub.mode !== "source") setMode(dub.mode); });
    listen.querySelectorAll('input[name="listen-mode"]').forEach((radio) => radio.addEventListener("change", () => { if (radio.checked) setMode(radio.value); }));
    const balance = document.getElementById("listen-balance");
    dub.balance = +balance.value / 100;
    balance.addEventListener("input", () => { dub.balance = +balance.value / 100; showBalance(); mix(); });
    showBalance();
    player.addEventListener("play", () => follow(true));
    player.addEventListener("pause", () => { if (dub.audio) dub.audio.pause(); });
    player.addEventListener("seeked", () => follow(true));
    player.addEventListener("ratechange", () => follow(false));
    player.addEventListener("timeupdate", () => follow(false));
    ["scroll", "zoom", "redraw"].forEach((name) => ws.on(name, followScroll));
    listen.hidden = false;
  }

  // --- loading ------------------------------------------------------------------------------------------------
  async function fetchJson(url) {
    // (credentials "include", as the page's <link rel=preload crossorigin=use-credentials>: the first
    // answer is the one the page asked for while it was read; the site's own origin either way.)
    const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "include" });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    return answer.json();
  }
  // Peaks as the worker stores them: {"peaks": [[…]] or […]} (values −1…1), or audiowaveform's JSON
  // ({"data": [min, max, …], "bits": 8|16}).
  function readPeaks(body) {
    if (Array.isArray(body.peaks)) return Array.isArray(body.peaks[0]) ? body.peaks : [body.peaks];
    if (Array.isArray(body.data)) {
      const scale = 2 ** ((body.bits || 16) - 1);
      return [body.data.map((v) => v / scale)];
    }
    throw new Error("no peaks in the answer");
  }
  // The worker's peaks: audiowaveform's binary .dat (version 1: a 20-byte header, then a min and a max
  // per 10 ms, 8- or 16-bit), or JSON. No peaks yet: a 404 whose JSON says why (computing, failed…).
  async function fetchPeaks(url) {
    const answer = await fetch(url, { credentials: "include" });
    const type = answer.headers.get("Content-Type") || "";
    if (!answer.ok) {
      const problem = new Error(`HTTP ${answer.status}`);
      if (type.includes("json")) {
        try {
          const body = await answer.json();
          problem.why = body.status === "none" ? "No waveform yet: the source audio has not been analysed."
            : /^(pending|running)$/.test(body.status) ? "No waveform yet: it is being computed."
            : body.message ? `No waveform: ${body.message}` : "";
        } catch (e) { /* no reason given */ }
      }
      throw problem;
    }
    if (type.includes("json")) return readPeaks(await answer.json());
    const buffer = await answer.arrayBuffer();
    const view = new DataView(buffer);
    if (buffer.byteLength < 20 || view.getInt32(0, true) !== 1) throw new Error("not audiowaveform .dat v1");
    const eightBit = (view.getUint32(4, true) & 1) === 1;
    const values = eightBit ? new Int8Array(buffer, 20) : new Int16Array(buffer.slice(20));
    const scale = eightBit ? 128 : 32768;
    // A plain loop: Float32Array.from with a mapping function costs ten times as much (a 2-hour film has
    // 1.4 million values: a long task of a third of a second on a busy machine).
    const channel = new Float32Array(values.length), inverse = 1 / scale;
    let loudest = 0;
    for (let i = 0; i < values.length; i += 1) {
      channel[i] = values[i] * inverse;
      if (values[i] > loudest) loudest = values[i]; else if (-values[i] > loudest) loudest = -values[i];
    }
    channel.perSecond = view.getUint32(8, true) / view.getUint32(12, true);  // sample rate / samples a peak
    // The film's loudest peak: wavesurfer scales the waveform by it (without it, it looks for the loudest
    // of each canvas, so that each screen's worth was scaled its own way, and read the peaks again to do so).
    channel.loudest = loudest * inverse;
    return [channel];
  }
  function applyData(data) {
    speakers = data.speakers;
    flagBits = data.flag_bits;
    laneOf = new Map(speakers.map((s) => [String(s.id), s.lane]));
    const byIndex = Object.fromEntries(data.fields.map((name, index) => [name, index]));
    const fresh = new Map(data.segments.map((v) => [String(v[byIndex.id]), {
      id: v[byIndex.id], start: v[byIndex.start_ms], end: v[byIndex.end_ms], speaker: v[byIndex.speaker_id],
      version: v[byIndex.version], flags: v[byIndex.flags], text: v[byIndex.text] || "", problems: null,
      fit: v[byIndex.fit] || 0,
    }]));
    if (Array.from(fresh.values()).some((s) => s.speaker === null)) laneOf.set("", laneOf.size);
    return fresh;
  }
  function drawLanes() {
    lanesBox.replaceChildren();
    const names = speakers.map((s) => ({ name: s.name, colour: s.colour }));
    if (laneOf.has("")) names.push({ name: "No speaker", colour: 7 });
    names.forEach(({ name, colour: index }) => {
      const lane = document.createElement("li");
      lane.className = "timeline-lane";
      lane.style.setProperty("--lane-colour", colour(index, 1));
      lane.textContent = name;
      lane.title = name;  // (cut short on a narrow screen)
      lanesBox.append(lane);
    });
    panel.style.setProperty("--lanes", String(Math.max(1, names.length)));
    // The rows wear their speaker's colour too.
    const sheet = new CSSStyleSheet();
    speakers.forEach((s) => sheet.insertRule(`.seg[data-speaker="${s.id}"] .seg-speaker-name { box-shadow: inset 4px 0 0 ${colour(s.colour, 1)}; padding-left: .45rem; }`));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets.filter((s) => s !== drawLanes.sheet), sheet];
    drawLanes.sheet = sheet;
  }
  async function refresh() {
    let data;
    try { data = await fetchJson(panel.dataset.segmentsUrl); } catch (error) { return; }
    const fresh = applyData(data);
    const lanesBefore = lanesBox.children.length;
    drawLanes();
    if (lanesBox.children.length !== lanesBefore) ws.setOptions({ height: Math.max(1, lanesBox.children.length) * LANE_PX });
    segs.forEach((seg, id) => { if (!fresh.has(id)) dropRegion(seg); });
    fresh.forEach((data, id) => {
      const seg = segs.get(id);
      if (!seg) { segs.set(id, data); place(data); return; }
      if (dragging && dragging.id === id) return;
      Object.assign(seg, data);
      place(seg);
    });
    sortSegments();
  }

  // While the timeline stays at the top of the screen (wide screens), a row scrolled into view (the
  // editor's ↑/↓, the playhead) must land below it, not under it.
  new ResizeObserver(() => {
    const sticky = getComputedStyle(panel).position === "sticky";
    document.documentElement.style.scrollPaddingTop = sticky ? `${panel.offsetHeight + 8}px` : "";
  }).observe(panel);

  async function start() {
    tell("Loading the timeline…", "info");
    // The peaks (the largest answer) are asked for at once, alongside the code and the script.
    const peaksAnswer = !player ? Promise.reject(Object.assign(new Error("no video"), { why: "No waveform: this project has no video." }))
      : !panel.dataset.peaksUrl ? Promise.reject(Object.assign(new Error("no peaks"), { why: "No waveform yet: the source audio has not been analysed." }))
      : fetchPeaks(panel.dataset.peaksUrl);
    peaksAnswer.catch(() => {});  // (read below)
    let modules, data;
    try {
      [modules, data] = await Promise.all([
        Promise.all([panel.dataset.wavesurfer, panel.dataset.regions].map((u) => import(u))),
        fetchJson(panel.dataset.segmentsUrl),
      ]);
    } catch (error) {
      tell("The timeline could not be loaded; the list still works. Reload the page to try again.", "error");
      return;
    }
    performance.mark("timeline:code-and-script");  // (bench/timeline_browser.py --explain reads these)
    // The work below is done in a few tasks, the page answering keys and clicks in between (one long task
    // would hold the editor up while the timeline is drawn).
    const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));
    const [WaveSurfer, Regions] = modules.map((m) => m.default);
    const fresh = applyData(data);
    fresh.forEach((seg, id) => segs.set(id, seg));
    sortSegments();
    const lastEnd = ordered.length ? ordered[ordered.length - 1].end : 0;
    durationS = (data.duration_ms || (player && player.duration * 1000) || lastEnd + 5000) / 1000;
    durationS = Math.max(durationS, lastEnd / 1000, 1);

    let peaks = null, why = "";
    try { peaks = await peaksAnswer; } catch (error) { why = error.why || "No waveform: the source audio's peaks could not be read."; }
    performance.mark("timeline:peaks");
    await breathe();
    drawLanes();
    regionsPlugin = Regions.create();
    const width = waveBox.clientWidth || 600;
    // The whole video when it fits at a zoom where segments can still be read; else 20 px/s.
    const startZoom = [...ZOOM_STEPS].reverse().find((z) => z <= width / durationS && z >= 10) || 20;
    ws = WaveSurfer.create({
      container: waveBox,
      cspNonce: nonce,
      media: player || undefined,
      // No peaks: a flat line of the film's length, so that the regions and the ruler still have a scale
      // (wavesurfer then neither fetches nor decodes the video).
      peaks: peaks || [[0, 0]],
      duration: durationS,
      height: Math.max(1, lanesBox.children.length) * LANE_PX,
      waveColor: "#c5cbd6", progressColor: "#aab2c0", cursorColor: "#d9480f", cursorWidth: 2,
      minPxPerSec: startZoom, fillParent: true, autoScroll: true, autoCenter: false,
      interact: true, dragToSeek: false, normalize: true, hideScrollbar: false,
      maxPeak: (peaks && peaks[0].loudest) || undefined,
      plugins: [regionsPlugin],
    });
    performance.mark("timeline:created");
    ws.once("ready", () => {
      performance.mark("timeline:drawn");
      showZoom();
      showVisible();
      ["scroll", "zoom", "resize", "redraw"].forEach((name) => ws.on(name, () => { showVisible(); drawRuler(); }));
      drawRuler();
      regionsPlugin.on("region-update", onRegionUpdate);
      regionsPlugin.on("region-updated", onRegionUpdated);
      regionsPlugin.on("region-clicked", (region) => {
        const id = region.element && region.element.dataset.segment;
        if (id) { makeCurrent(id, true); selectRow(id, true); }
      });
      const current = list.querySelector(".seg.is-current");
      if (current) makeCurrent(current.dataset.id, false);
      setUpListening(data.dubs, WaveSurfer);
      panel.dataset.ready = "true";
      document.getElementById("timeline-why").textContent = why || "Waveform of the source audio.";
      tell(canEdit ? "Drag a segment or its edges to retime it; Alt lets it overlap a neighbour." : "", "info");
    });
  }
  start();
})();
