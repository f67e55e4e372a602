// The script editor's small amount of JavaScript: the one editor form that follows the current row, the
// video player in sync with the rows, the keyboard, and the selection. Everything else is htmx.
//
// Rows are read-only markup (templates/jinja2/projects/segment_row.html). The page holds ONE editor form
// (start, end, speaker, translation) that sits right below the current row and moves with it, as desktop
// subtitle editors do: a script of 3,000 rows then holds a handful of form controls, not 3,000 × 6, which
// Chromium's form scanning re-read every time rows were added (issue 9). A save answers the read-only row;
// the editor keeps what is still being typed.
//
// Rows come in chunks (div.seg-chunk, one per batch the server sent): Chromium skips the style and layout
// of the chunks off screen (content-visibility), so a save costs the same at 40 rows and at 3,000. Rows are
// still the list's items in document order; nothing here assumes they are the list's children: neighbours
// are found across chunk boundaries (rowBeside), a row put in order lands in its neighbour's chunk, an
// emptied chunk goes, and the chunks' row numbers are kept (renumber).
(function () {
  "use strict";

  const editor = document.getElementById("editor");
  if (!editor) return;
  const list = document.getElementById("segment-list");
  const player = document.getElementById("player");
  const canEdit = editor.dataset.canEdit === "true";
  const canSelect = editor.dataset.canSelect === "true";  // editors, and reviewers (to review a selection)
  const form = canEdit ? document.getElementById("seg-editor") : null;
  const dock = document.getElementById("editor-dock");
  const FIELDS = ["start", "end", "speaker", "target_text"];
  const input = (field) => form.elements[field];
  const message = () => document.getElementById("editor-message");
  let current = null;       // the row the person works on
  let loaded = {};          // the current row's stored values, as the editor showed them
  let playUntilMs = null;   // stop (or loop) at the end of the segment being played
  let playingRow = null;
  const selected = new Set();  // ids of the selected rows
  const sent = new Map();      // "id:field" → the last value sent for it (a value is sent once)

  // --- helpers -----------------------------------------------------------------------------------------
  const rows = () => Array.from(list.querySelectorAll(".seg[data-id]"));
  const rowOf = (element) => element && element.closest && element.closest(".seg[data-id]");
  const isRow = (node) => node && node.nodeType === 1 && node.classList.contains("seg") && !!node.dataset.id;
  const CHUNK = "seg-chunk";
  const isChunk = (node) => node && node.nodeType === 1 && node.classList.contains(CHUNK);
  // The row right before (or after) a row in the list, across chunk boundaries; the editor is skipped.
  function rowBeside(row, forward) {
    const step = forward ? "nextElementSibling" : "previousElementSibling";
    let node = row[step], box = row.parentElement;
    for (;;) {
      while (node && !isRow(node)) node = node[step];
      if (node) return node;
      if (!isChunk(box)) return null;
      do box = box[step]; while (box && !isChunk(box));
      if (!box) return null;
      node = forward ? box.firstElementChild : box.lastElementChild;
    }
  }
  // Each chunk's rows are numbered from where the rows before it end (a chunk's containment scopes the CSS
  // counter to it; see app.css), and a chunk not drawn yet is as tall as its rows (--rows). Set from here,
  // not by a style attribute: the Content-Security-Policy allows none. Run after rows were added, moved
  // between chunks or removed.
  function setVar(chunk, name, value) {
    if (chunk.style.getPropertyValue(name) !== value) chunk.style.setProperty(name, value);
  }
  function renumber() {
    let before = 0;
    for (const chunk of list.children) {
      if (!isChunk(chunk)) continue;
      setVar(chunk, "--rows-before", String(before));
      let rows = 0;
      for (const child of chunk.children) if (child.dataset.id) rows += 1;
      setVar(chunk, "--rows", String(rows));
      before += rows;
    }
  }
  // The chunk of the current row is always drawn (the editor form sits in it, below the row).
  let drawnChunk = null;
  function keepDrawn(row) {
    const chunk = row && row.isConnected ? row.closest(`.${CHUNK}`) : null;
    if (chunk === drawnChunk) return;
    if (drawnChunk) drawnChunk.classList.remove("has-current");
    if (chunk) chunk.classList.add("has-current");
    drawnChunk = chunk;
  }
  const inEditor = (element) => form && element && form.contains(element);
  const isTyping = (element) => element && /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  const pad = (value, size) => String(value).padStart(size, "0");
  function timecode(ms) {
    ms = Math.max(0, Math.round(ms));
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
  }
  function say(text, kind) {
    const box = message();
    box.className = `editor-message editor-message--${kind || "info"}`;
    box.textContent = text;
  }
  function url(template, id) { return template.replace(/\/0\/(\w*)\/?$/, (all, tail) => (tail ? `/${id}/${tail}/` : `/${id}/`)); }

  // --- the editor --------------------------------------------------------------------------------------
  function stored(row) {
    const text = row.querySelector(".seg-text");
    return {
      start: timecode(+row.dataset.start), end: timecode(+row.dataset.end),
      speaker: row.dataset.speaker || "", target_text: text ? text.textContent : "",
    };
  }
  function typed(row) {  // what was typed and refused, or conflicting, kept on the row by the server
    const map = { start: "typedStart", end: "typedEnd", speaker: "typedSpeaker", target_text: "typedTargetText" };
    const values = {};
    FIELDS.forEach((field) => { if (map[field] in row.dataset) values[field] = row.dataset[map[field]]; });
    return values;
  }
  const dirty = (field) => input(field).value !== loaded[field];

  // Fill the editor from the row: every field, or (keepTyping) only those not being changed.
  function load(row, keepTyping) {
    const values = stored(row), kept = typed(row);
    FIELDS.forEach((field) => {
      const key = `${row.dataset.id}:${field}`;
      const justSaved = row.classList.contains("seg--saved") && sent.get(key) === input(field).value;
      if (!keepTyping || !dirty(field) || justSaved) {
        // Only a value that differs is written: writing a text field makes the browser work out its size
        // and selection again, which a save (the editor already shows what was saved) does not need.
        const value = field in kept ? kept[field] : values[field];
        if (input(field).value !== value) input(field).value = value;
        if (justSaved) sent.delete(key);
      }
      loaded[field] = values[field];
      const invalid = (row.dataset.invalid || "").split(" ").includes(field);
      input(field).toggleAttribute("aria-invalid", invalid);
      if (invalid) input(field).setAttribute("aria-describedby", `seg-${row.dataset.id}-error`);
      else input(field).removeAttribute("aria-describedby");
    });
    form.elements.version.value = row.dataset.version;
    const shown = row.querySelector(".seg-target .seg-label .muted");  // the server's wording of the duration
    const duration = document.getElementById("ed-duration"), wording = shown ? shown.textContent : "";
    if (duration.textContent !== wording) duration.textContent = wording;
  }
  // Put the editor right below the row (moving it only when it is elsewhere: a move loses the focus).
  function attach(row) {
    if (!form) return;
    if (row.nextElementSibling !== form) {
      const active = document.activeElement, had = inEditor(active);
      const range = had && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
      row.after(form);
      if (had) {
        active.focus({ preventScroll: true });
        if (range) try { active.setSelectionRange(...range); } catch (e) { /* not a text field */ }
      }
    }
    row.classList.add("is-editing");
  }
  function save(row, field, value, force) {
    if (!row) return Promise.resolve();
    const id = row.dataset.id, key = `${id}:${field}`;
    if (!force && sent.get(key) === value) return saving;  // already sent
    // What the person saw in this field when they changed it: the server merges the save when only other
    // fields changed since the version it read (someone shifted the timings while this text was typed).
    const was = row === current && form ? loaded[field] : stored(row)[field];
    sent.set(key, value);
    saving = saving.then(() => {
      const target = document.getElementById(`seg-${id}`);  // the row as it is now, with its version
      if (!target) return null;
      return htmx.ajax("POST", url(editor.dataset.saveUrl, id), {
        source: target, target, swap: "outerHTML",
        values: { field, [field]: value, version: target.dataset.version, was },
      });
    }).catch(() => null);
    return saving;
  }
  let saving = Promise.resolve();
  // Save what changed in the editor for the row it is on (before it moves on, or on Enter).
  function saveDirty(fields) {
    if (!form || !current) return;
    (fields || FIELDS).forEach((field) => { if (dirty(field)) save(current, field, input(field).value); });
  }

  function setCurrent(row, focus) {
    if (!row) return;
    if (current !== row) {
      if (current && current.isConnected) {
        saveDirty();
        current.classList.remove("is-current", "is-editing");
      }
      current = row;
      if (form) load(row, false);
    }
    row.classList.add("is-current");
    keepDrawn(row);
    if (form) attach(row);
    const label = document.getElementById("current-label");
    if (label) label.textContent = `at ${timecode(+row.dataset.start)}`;
    if (focus) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step, intoText) {
    const next = current && current.isConnected
      ? rowBeside(current, step > 0) || current
      : list.querySelector(".seg[data-id]");
    if (!next) return;
    setCurrent(next, !intoText);
    if (intoText && form) {
      next.scrollIntoView({ block: "nearest" });
      const text = input("target_text");
      text.focus({ preventScroll: true });
      text.setSelectionRange(text.value.length, text.value.length);
      form.scrollIntoView({ block: "nearest" });
    }
  }

  if (form) {
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("change", (event) => {
      const field = event.target.dataset.field;
      if (field && current && dirty(field)) save(current, field, event.target.value);
    });
  }

  // Keep rows in time order when a swap moved or added one (numbers come from a CSS counter). A row in
  // order stays; one out of order (or one an answer added at the list's end, outside any chunk) goes into
  // the chunk of the row it belongs before (or after the last row); true when it moved.
  function place(row) {
    if (!row || !row.parentElement) return false;
    const key = (r) => [+r.dataset.start, +r.dataset.id];
    const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const mine = key(row);
    if (isChunk(row.parentElement)) {
      const prev = rowBeside(row, false), next = rowBeside(row, true);
      if ((!prev || before(key(prev), mine)) && (!next || before(mine, key(next)))) return false;
    }
    // Only rows already in a chunk are in order (others an answer added are placed in their turn).
    const others = rows().filter((r) => r !== row && isChunk(r.parentElement));
    const from = row.parentElement;
    const after = others.find((r) => before(mine, key(r)));
    if (after) after.before(row);
    else if (others.length) {
      const last = others[others.length - 1];
      (form && last.nextElementSibling === form ? form : last).after(row);
    } else {  // the first row of an empty list
      const chunk = document.createElement("div");
      chunk.className = CHUNK;
      chunk.setAttribute("role", "none");
      chunk.append(row);
      list.insertBefore(chunk, list.querySelector(".seg-more"));
    }
    if (isChunk(from)) dropIfEmpty(from);
    reshaped = true;
    return true;
  }
  let reshaped = false;  // rows moved between chunks since the numbers were last kept
  // A chunk whose rows were all deleted goes (the editor, if it was left there, back to its dock).
  function dropIfEmpty(chunk) {
    if (!chunk.isConnected || Array.prototype.some.call(chunk.children, isRow)) return;
    if (form && chunk.contains(form)) dock.append(form);
    if (chunk === drawnChunk) drawnChunk = null;
    chunk.remove();
  }

  // A row an answer added may be in the list already: a presence poll that crossed the answer (an undo
  // brings back forty rows) took it first. The newer of the two stays (the answer's, at the same version).
  let twinWasCurrent = false;
  function withoutTwin(row) {
    let kept = row;
    list.querySelectorAll(`.seg[id="${row.id}"]`).forEach((twin) => {
      if (twin === kept) return;
      const older = +twin.dataset.version > +kept.dataset.version ? kept : twin;
      kept = older === kept ? twin : kept;
      if (older === current) twinWasCurrent = true;
      const from = older.parentElement;
      older.remove();
      if (isChunk(from)) dropIfEmpty(from);
    });
    return kept;
  }

  // --- htmx: a swapped row takes the place of the old one in the editor, the selection, the order ------
  let placing = false;
  function afterSwap(element) {
    const row = element && element.classList && element.classList.contains("seg") && element.dataset.id ? element : null;
    if (!row) return;
    place(row);
    if (selected.has(row.dataset.id)) mark(row, true);
    if (current && current.id === row.id) {
      current = row;
      row.classList.add("is-current");
      keepDrawn(row);
      if (form) { attach(row); load(row, true); }
    }
    markHere(row);  // who else is on it (a swapped row comes without the badge)
  }
  // After the settle, not the swap: until then htmx gives a new row the old one's attributes (its version,
  // its state). The event fires on the element swapped in (detail.elt is the one that asked: the old row).
  // The rows an htmx answer adds to the list (out of band ones land at its end), to be put in order once
  // the answer has settled: placing every row instead would cost each save the length of the script.
  // Rows are inside chunks: the observer watches the subtree, and notes the chunks that lost more rows
  // than they gained (a delete, a merge, an undone insert): they may be empty, and the numbers shift.
  const arrived = new Set();
  const shrunk = new Map();  // chunk → rows added minus rows removed during this answer
  let swapping = false;
  document.body.addEventListener("htmx:beforeSwap", () => { swapping = true; });
  new MutationObserver((records) => {
    if (!swapping) return;  // rows loaded while scrolling come in order
    records.forEach((record) => {
      let change = 0;
      record.addedNodes.forEach((node) => { if (isRow(node)) { arrived.add(node); change += 1; } });
      record.removedNodes.forEach((node) => { if (isRow(node)) change -= 1; });
      if (change && isChunk(record.target)) shrunk.set(record.target, (shrunk.get(record.target) || 0) + change);
    });
  }).observe(list, { childList: true, subtree: true });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    afterSwap(event.target);
    // New rows added out of band land at the list's end: put them in place, once per answer.
    if (!placing) { placing = true; queueMicrotask(() => {
      placing = false;
      arrived.forEach((row) => {
        if (!row.isConnected) return;
        const kept = withoutTwin(row);
        if (kept === row && !twinWasCurrent) place(row);
        else afterSwap(kept);  // the one left takes the other's place as the current row, the selection
        twinWasCurrent = false;
      });
      arrived.clear();
      swapping = false;
      if (current && current.isConnected) {
        keepDrawn(current);
        if (form) attach(current);  // the editor stays below its row
      }
      if (Array.from(shrunk.values()).some((change) => change !== 0)) reshaped = true;
      shrunk.forEach((change, chunk) => { if (change < 0) dropIfEmpty(chunk); });
      shrunk.clear();
      if (reshaped) { reshaped = false; renumber(); }
    }); }
    selected.forEach((id) => { if (!document.getElementById(`seg-${id}`)) selected.delete(id); });
    updateSelectionCount();
  });
  document.body.addEventListener("dubweb:focus", (event) => {
    const row = document.getElementById(event.detail.id);
    if (row) setCurrent(row, true);
  });
  document.body.addEventListener("speakers-changed", (event) => {
    // htmx adds its own keys (elt…) to the event's detail: only the speakers' ids are names.
    const names = Object.fromEntries(Object.entries(event.detail).filter(([id]) => /^\d+$/.test(id)));
    document.querySelectorAll("select.seg-speaker, #selection-speaker, #filter-speaker").forEach((select) => {
      Object.entries(names).forEach(([id, name]) => {
        let option = select.querySelector(`option[value="${id}"]`);
        if (!option) { option = new Option(name, id); select.add(option); }
        option.textContent = name;
      });
      Array.from(select.options).forEach((option) => {
        if (/^\d+$/.test(option.value) && !(option.value in names)) option.remove();
      });
    });
    list.querySelectorAll(".seg-speaker-name[data-speaker]").forEach((cell) => {
      if (cell.dataset.speaker in names) cell.textContent = names[cell.dataset.speaker];
    });
  });
  // The selection's buttons (delete, speaker, shift) send the selected rows.
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.closest && event.detail.elt.closest("#selection")) event.detail.parameters.segments = Array.from(selected);
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    const text = status === 403 ? "Your role does not allow this change."
      : status === 404 ? "That segment no longer exists; reload the page to see the script as it is."
      : "The server could not save this change; nothing was changed. Try again.";
    say(text, "error");
  });
  document.body.addEventListener("htmx:sendError", () => say("The server cannot be reached; your change is not saved yet.", "error"));

  // --- commands ----------------------------------------------------------------------------------------
  function post(urlPath, values) {
    return htmx.ajax("POST", urlPath, { source: editor, values: values || {}, swap: "none" });
  }
  function needCurrent() {
    if (!current || !current.isConnected) { say("Choose a segment first: click a row or move to it with the arrow keys.", "error"); return false; }
    return true;
  }
  // The text cursor of the translation, kept when focus moves to a toolbar button.
  let lastCursor = null;
  document.addEventListener("focusout", (event) => {
    if (form && event.target === input("target_text") && current) lastCursor = { id: current.id, position: event.target.selectionStart };
  });
  function textCursor(row) {
    if (!form) return "";
    const text = input("target_text");
    if (document.activeElement === text) return text.selectionStart;
    return lastCursor && lastCursor.id === row.id ? lastCursor.position : "";
  }
  function playhead() { return player ? Math.round(player.currentTime * 1000) : null; }
  function setFromPlayhead(field) {
    if (!needCurrent()) return;
    const ms = playhead();
    if (ms === null) { say("This project has no video to take the time from.", "error"); return; }
    input(field).value = timecode(ms);
    save(current, field, input(field).value);
  }
  // Play the row from its start (or `beforeMs` earlier: the lead-in) to its end.
  function playRow(row, beforeMs) {
    if (!row) return;
    setCurrent(row, false);
    if (!player) { say("This project has no video to play.", "error"); return; }
    player.currentTime = Math.max(0, +row.dataset.start - (beforeMs || 0)) / 1000;
    playUntilMs = +row.dataset.end;
    player.play().catch(() => say("The video could not start playing.", "error"));
    requestAnimationFrame(untilEnd);
  }
  // The video says where it is only every quarter of a second (timeupdate): while a segment plays, look
  // every frame, so that it stops (or loops) at the segment's end, not up to 250 ms after it.
  function untilEnd() {
    if (playUntilMs === null || player.paused) return;
    if (player.currentTime * 1000 >= playUntilMs) player.dispatchEvent(new Event("timeupdate"));
    requestAnimationFrame(untilEnd);
  }
  function playPause() {
    if (!player) { say("This project has no video to play.", "error"); return; }
    if (player.paused) player.play().catch(() => say("The video could not start playing.", "error"));
    else player.pause();
  }
  // Structural edits first save what is being typed, so that they work on it.
  function structural(run) { return () => { if (!needCurrent()) return; saveDirty(); saving.then(run); }; }

  function mark(row, on) {
    row.classList.toggle("is-selected", on);
    const box = row.querySelector(".seg-pick");
    if (box) box.setAttribute("aria-checked", on ? "true" : "false");
  }
  let lastPicked = null;
  function pick(row, range) {
    if (!row || !canSelect) return;
    const on = !selected.has(row.dataset.id);
    let targets = [row];
    if (range && lastPicked && lastPicked.isConnected) {
      const all = rows(), a = all.indexOf(lastPicked), b = all.indexOf(row);
      targets = all.slice(Math.min(a, b), Math.max(a, b) + 1);
    }
    targets.forEach((r) => { if (on) selected.add(r.dataset.id); else selected.delete(r.dataset.id); mark(r, on); });
    lastPicked = row;
    updateSelectionCount();
  }

  const commands = {
    "play": () => needCurrent() && playRow(current),
    "play-before": () => needCurrent() && playRow(current, 1000),
    "play-row": (button) => playRow(rowOf(button)),
    "set-start": () => setFromPlayhead("start"),
    "set-end": () => setFromPlayhead("end"),
    "split": () => { if (!needCurrent()) return; const cursor = textCursor(current); structural(() => post(url(editor.dataset.splitUrl, current.dataset.id), { version: current.dataset.version, text_cursor: cursor }))(); },
    "split-playhead": structural(() => post(url(editor.dataset.splitUrl, current.dataset.id), { version: current.dataset.version, at_ms: playhead() ?? "" })),
    "merge": structural(() => post(url(editor.dataset.mergeUrl, current.dataset.id), { version: current.dataset.version })),
    "insert": structural(() => post(editor.dataset.insertUrl, { after: current.dataset.id })),
    "insert-first": () => post(editor.dataset.insertUrl, {}),
    "delete": () => {
      if (!needCurrent()) return;
      const gone = current;
      const next = rowBeside(gone, true) || rowBeside(gone, false);
      post(editor.dataset.deleteUrl, { segments: gone.dataset.id }).then(() => {
        if (!gone.isConnected && next && next.isConnected) { current = null; setCurrent(next, true); }
      });
    },
    "undo": () => { saveDirty(); saving.then(() => post(editor.dataset.undoUrl)); },
    "redo": () => post(editor.dataset.redoUrl),
    "help": () => document.getElementById("shortcuts").showModal(),
    "pick": (box, event) => pick(rowOf(box), event && event.shiftKey),
    "select-none": () => { selected.clear(); list.querySelectorAll(".seg.is-selected").forEach((r) => mark(r, false)); updateSelectionCount(); },
    "keep-mine": (button) => {
      const row = rowOf(button), field = button.dataset.field;
      const mine = row === current && form ? input(field).value : typed(row)[field];
      if (mine !== undefined) save(row, field, mine, true);
    },
    "take-theirs": (button) => {
      const row = rowOf(button), field = button.dataset.field;
      sent.delete(`${row.dataset.id}:${field}`);  // mine may be sent again later
      htmx.ajax("GET", url(editor.dataset.rowUrl, row.dataset.id), { source: row, target: row, swap: "outerHTML" }).then(() => {
        const fresh = document.getElementById(row.id);
        if (fresh && fresh === current && form) { input(field).value = stored(fresh)[field]; load(fresh, true); }
      });
    },
    "next-problem": async (button) => {
      // The server knows where the next problem is (after the current row, else the first): load rows
      // until it is in the page.
      const params = new URLSearchParams({
        after_start: current ? current.dataset.start : -1, after_id: current ? current.dataset.id : 0,
      });
      let found;
      try {
        const answer = await fetch(`${button.dataset.url}?${params}`, { headers: { Accept: "application/json" } });
        found = answer.ok ? (await answer.json()).id : undefined;
      } catch (error) { found = undefined; }
      if (found === undefined) { say("Could not look for the next problem. Try again.", "error"); return; }
      if (found === null) { say("No problems found.", "info"); return; }
      const next = () => document.getElementById(`seg-${found}`);
      await loadUntil(next);
      if (next()) setCurrent(next(), true); else say("The next problem is not among the rows the filter shows.", "info");
    },
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-command]");
    if (button && commands[button.dataset.command]) { event.preventDefault(); commands[button.dataset.command](button, event); }
    const row = rowOf(event.target);
    if (row && !(button && button.dataset.command === "pick")) setCurrent(row, false);
  });
  // Shift+click on a box picks a range: not a text selection (which would also take the click elsewhere).
  list.addEventListener("mousedown", (event) => { if (event.shiftKey && event.target.closest(".seg-pick")) event.preventDefault(); });
  document.addEventListener("focusin", (event) => { const row = rowOf(event.target); if (row) setCurrent(row, false); });

  function updateSelectionCount() {
    const label = document.getElementById("selection-count"), text = `${selected.size} selected`;
    if (label && label.textContent !== text) label.textContent = text;  // (every answer settles here)
  }

  // --- keyboard ----------------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = isTyping(target) && target.type !== "checkbox";
    const row = rowOf(target);
    if (event.key === "?" && !typing) { event.preventDefault(); commands.help(); return; }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      // By physical key (event.code), so the shortcuts work whatever the keyboard layout.
      const nextProblem = () => { const b = document.querySelector("[data-command=next-problem]"); if (b) commands["next-problem"](b); };
      const fromEditor = inEditor(target);
      const byCode = {
        ArrowDown: () => { if (fromEditor) saveDirty(); move(1, fromEditor); },
        ArrowUp: () => { if (fromEditor) saveDirty(); move(-1, fromEditor); },
        KeyP: event.shiftKey ? commands["play-before"] : commands.play, KeyK: playPause, KeyL: toggleLoop, KeyN: nextProblem,
        BracketLeft: commands["set-start"], BracketRight: commands["set-end"], KeyS: commands.split,
        KeyM: commands.merge, KeyI: commands.insert, Delete: commands.delete,
        KeyZ: event.shiftKey ? commands.redo : commands.undo,
      };
      const changesScript = ["BracketLeft", "BracketRight", "KeyS", "KeyM", "KeyI", "Delete", "KeyZ"];
      const action = byCode[event.code];
      const undoesOwn = event.code === "KeyZ" && canSelect;  // a reviewer undoes their own review decisions
      if (action && (canEdit || undoesOwn || !changesScript.includes(event.code))) { event.preventDefault(); action(); return; }
    }
    if (typing) {
      if (!inEditor(target)) return;
      const field = target.dataset.field;
      if (event.key === "Escape") {
        event.preventDefault();
        if (field) target.value = loaded[field];
        if (current) setCurrent(current, true);
      } else if (event.key === "Enter" && field && (event.ctrlKey || event.metaKey || target.tagName === "INPUT")) {
        event.preventDefault();
        if (dirty(field)) save(current, field, target.value);
      }
      return;
    }
    if (row && target === row) {
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter" && form) {
        event.preventDefault();
        setCurrent(row, false);
        const text = input("target_text");
        text.focus();
        text.setSelectionRange(text.value.length, text.value.length);
      } else if (event.key === " ") { event.preventDefault(); pick(row, event.shiftKey); }
    } else if (!row && !target.closest("a, button, summary, dialog, [contenteditable], form")) {
      // Focus on nothing in particular (e.g. after a click on blank space): the arrows still move.
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); move(-1); }
    }
  });
  function toggleLoop() {
    const loop = document.getElementById("loop-segment");
    loop.checked = !loop.checked;
    say(loop.checked ? "Looping the current segment." : "Loop off.", "info");
  }

  // --- the rest of a long script loads as it scrolls into view -----------------------------------------
  // Plain fetch rather than an htmx swap: htmx's settling compares every new element with an id with the
  // list it lands in, which grows with the list. A chunk loads when its placeholder nears the screen,
  // or when something needs a row further on (next problem, the playhead). Rows hold no htmx attributes.
  let loading = null;
  function loadNext() {
    if (loading) return loading;
    const more = list.querySelector(".seg-more[data-next]");
    if (!more) return Promise.resolve(false);
    loading = fetch(more.dataset.next, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => { if (!response.ok) throw new Error(String(response.status)); return response.text(); })
      .then((html) => {
        if (!more.isConnected) return false;  // the list was filtered meanwhile
        const template = document.createElement("template");
        template.innerHTML = html;
        // A row already in the page (added or moved there by an edit, after the last row loaded then) is
        // in this batch too: the page's row takes the batch's place for it, so it is there once, in order.
        const left = [];
        template.content.querySelectorAll(".seg[data-id]").forEach((fresh) => {
          const mine = document.getElementById(fresh.id);
          if (!mine) return;
          left.push(mine.parentElement);
          fresh.replaceWith(mine);
        });
        more.replaceWith(template.content);
        left.forEach((chunk) => { if (isChunk(chunk)) dropIfEmpty(chunk); });
        if (left.length && current && current.isConnected) { keepDrawn(current); if (form) attach(current); }
        renumber();
        watchMore();
        return true;
      })
      .catch(() => { more.textContent = "The rest of the script could not be loaded. Reload the page to try again."; return false; })
      .finally(() => { loading = null; });
    return loading;
  }
  async function loadUntil(isEnough) {
    while (!isEnough() && (await loadNext())) { /* one chunk at a time */ }
  }
  const nearScreen = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadNext();
  }, { rootMargin: "1200px 0px" });
  function watchMore() {
    nearScreen.disconnect();
    const more = list.querySelector(".seg-more[data-next]");
    if (more) nearScreen.observe(more);
  }
  watchMore();
  renumber();
  // A filter replaces the whole list: park the editor (it would go with the list) and empty the list
  // first, so that the swap does not compare every new row with the old ones; then watch the new list.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target !== list) return;
    if (form) { saveDirty(); dock.append(form); }
    current = null;
    drawnChunk = null;
    list.replaceChildren();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== list) return;
    watchMore();
    renumber();
    list.querySelectorAll(".seg[data-id]").forEach((row) => { if (selected.has(row.dataset.id)) mark(row, true); });
  });

  // --- presence: who else is here, and the rows they changed ------------------------------------------
  // #presence asks every few seconds (projects/views/presence.py) with the row this person is on; the
  // answer names the others and carries, in a <template>, the rows changed since the last answer. A row
  // is taken only if it is newer than the one shown, and never the one being edited here.
  let here = {};  // segment id → the names of the others on it
  const filtered = () => Array.from(new FormData(document.querySelector(".editor-filters")).values()).some((v) => v);
  const editingHere = () => form && current && (FIELDS.some(dirty) || inEditor(document.activeElement));
  function markHere(row) {
    const names = here[row.dataset.id];
    let badge = row.querySelector(".seg-here");
    if (!names) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "seg-here";
      row.querySelector(".seg-checks").prepend(badge);
    }
    badge.textContent = names.join(", ");
    badge.title = `${names.join(", ")} ${names.length > 1 ? "are" : "is"} on this line`;
  }
  function takeRow(row) {
    const shown = document.getElementById(row.id);
    if (shown) {
      if (+row.dataset.version <= +shown.dataset.version) return;
      if (shown === current && editingHere()) return;  // the conflict rules protect what is being typed
      shown.replaceWith(row);
      afterSwap(row);
      return;
    }
    // A row someone added: shown if it falls among the rows loaded here (unfiltered).
    if (filtered()) return;
    const key = (r) => [+r.dataset.start, +r.dataset.id];
    const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const all = rows(), mine = key(row);
    const next = all.find((r) => before(mine, key(r)));
    if (next) next.before(row);
    else if (all.length && !list.querySelector(".seg-more")) {
      const last = all[all.length - 1];
      (form && last.nextElementSibling === form ? form : last).after(row);
    } else return;  // beyond the rows loaded here: it comes with them
    afterSwap(row);
  }
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id === "presence") event.detail.parameters.segment = current ? current.dataset.id : "";
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const box = event.target;
    if (!box || box.id !== "presence") return;
    const template = box.querySelector("template.presence-rows");
    if (template) {
      Array.from(template.content.querySelectorAll(".seg[data-id]")).forEach(takeRow);
      (template.dataset.gone || "").split(" ").filter(Boolean).forEach((id) => {
        const row = document.getElementById(`seg-${id}`);
        if (row && !(row === current && editingHere())) {
          if (row === current) { if (form) dock.append(form); current = null; }
          row.remove();
          selected.delete(id);
        }
      });
      updateSelectionCount();
    }
    const was = Object.keys(here);
    here = {};
    box.querySelectorAll(".presence-person[data-segment]").forEach((person) => {
      if (person.dataset.segment) (here[person.dataset.segment] = here[person.dataset.segment] || []).push(person.dataset.name);
    });
    new Set([...was, ...Object.keys(here)]).forEach((id) => {
      const row = document.getElementById(`seg-${id}`);
      if (row) markHere(row);
    });
  });
  // Leaving: say so at once rather than letting the others see this person for a few more seconds.
  window.addEventListener("pagehide", () => {
    const box = document.getElementById("presence");
    if (!box || !navigator.sendBeacon) return;
    const body = new FormData();
    body.append("leave", "1");
    try { body.append("csrfmiddlewaretoken", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]); } catch (e) { return; }
    navigator.sendBeacon(box.getAttribute("hx-post"), body);
  });

  // --- a link to one segment (a mention's notification): ?segment=ID[&thread=open] ---------------------
  // The rows load chunk by chunk until that one is in the page (as Next problem does); it becomes the
  // current row, in the middle of the screen and marked for a moment; with thread=open its comments
  // open too (static/js/comments.js listens for editor:open-comments). ("comments=open" is a filter.)
  // This script is deferred: it runs before DOMContentLoaded, which comes once the page's other scripts
  // (comments.js among them) have run too.
  const scriptsRan = new Promise((done) => document.addEventListener("DOMContentLoaded", done, { once: true }));
  (async function arrive() {
    const query = new URLSearchParams(window.location.search);
    const wanted = query.get("segment") || "";
    if (!/^[0-9]{1,18}$/.test(wanted)) return;
    const target = () => document.getElementById(`seg-${wanted}`);
    await loadUntil(target);
    const row = target();
    if (!row) {
      say(filtered() ? "That segment is not among the rows the filter shows." : "That segment is no longer in the script: it was deleted or merged into another.", "info");
      return;
    }
    setCurrent(row, true);
    row.scrollIntoView({ block: "center" });
    row.classList.add("seg--arrived");
    if (query.get("thread") !== "open") return;
    await scriptsRan;
    document.dispatchEvent(new CustomEvent("editor:open-comments", { detail: { row } }));
  })();

  // --- the player follows the script and the script follows the player -------------------------------
  if (player) {
    const output = document.getElementById("playhead");
    player.addEventListener("timeupdate", () => {
      const ms = Math.round(player.currentTime * 1000);
      output.textContent = timecode(ms);
      if (playUntilMs !== null && ms >= playUntilMs) {
        if (document.getElementById("loop-segment").checked && current) { player.currentTime = +current.dataset.start / 1000; return; }
        player.pause();
        playUntilMs = null;
      }
      const all = rows();
      if (all.length && ms > +all[all.length - 1].dataset.end) loadNext();  // playing past the loaded rows
      let low = 0, high = all.length - 1, found = null;
      while (low <= high) {  // the last row starting at or before the playhead
        const mid = (low + high) >> 1;
        if (+all[mid].dataset.start <= ms) { found = all[mid]; low = mid + 1; } else high = mid - 1;
      }
      const inside = found && ms < +found.dataset.end ? found : null;
      if (inside !== playingRow) {
        if (playingRow) playingRow.classList.remove("is-playing");
        if (inside) inside.classList.add("is-playing");
        playingRow = inside;
        // Keep the spoken line in view while playing, unless the person is typing somewhere.
        if (inside && !player.paused && !isTyping(document.activeElement)) inside.scrollIntoView({ block: "nearest" });
      }
    });
    player.addEventListener("pause", () => { if (!document.getElementById("loop-segment").checked) playUntilMs = null; });
  }
})();
