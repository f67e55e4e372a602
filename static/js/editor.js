// The script editor's small amount of JavaScript: the video player in sync with the rows, the
// keyboard, and keeping what a person is typing when htmx swaps a row. Everything else is htmx.
(function () {
  "use strict";

  const editor = document.getElementById("editor");
  if (!editor) return;
  const list = document.getElementById("segment-list");
  const player = document.getElementById("player");
  const canEdit = editor.dataset.canEdit === "true";
  const message = () => document.getElementById("editor-message");
  let current = null;       // the row the person works on
  let playUntilMs = null;   // stop (or loop) at the end of the segment being played
  let playingRow = null;

  // --- helpers -----------------------------------------------------------------------------------------
  const rows = () => Array.from(list.querySelectorAll(".seg[data-id]"));
  const rowOf = (element) => element && element.closest && element.closest(".seg[data-id]");
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
  function url(template, id) { return template.replace(/\/0\/(\w+)\/$/, `/${id}/$1/`); }

  function setCurrent(row, focus) {
    if (!row) return;
    if (current && current !== row) current.classList.remove("is-current");
    current = row;
    row.classList.add("is-current");
    const label = document.getElementById("current-label");
    if (label) label.textContent = `at ${timecode(+row.dataset.start)}`;
    if (focus) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = current ? all.indexOf(current) : -1;
    const next = all[Math.min(all.length - 1, Math.max(0, index + step))];
    setCurrent(next, true);
  }

  // Keep rows in time order when a swap moved or added one (numbers come from a CSS counter).
  function place(row) {
    if (!row || !row.parentElement) return;
    const key = (r) => [+r.dataset.start, +r.dataset.id];
    const before = (a, b) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const mine = key(row);
    const prev = row.previousElementSibling, next = row.nextElementSibling;
    const prevOk = !prev || !prev.dataset.id || before(key(prev), mine);
    const nextOk = !next || !next.dataset.id || before(mine, key(next));
    if (prevOk && nextOk) return;
    const others = rows().filter((r) => r !== row);
    const after = others.find((r) => before(mine, key(r)));
    if (after) list.insertBefore(row, after);
    else {
      const more = list.querySelector(".seg-more");
      list.insertBefore(row, more);
    }
  }

  // --- htmx: save only the field that changed, keep unsaved typing across swaps, order rows, focus ----
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (!event.detail.elt.classList.contains("seg-form")) return;
    const changed = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
    const field = changed && changed.dataset && changed.dataset.field;
    if (!field) { event.preventDefault(); return; }  // e.g. the selection checkbox: nothing to save
    event.detail.parameters.field = field;
  });

  let pending = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const active = document.activeElement;
    pending = { activeId: active && active.id, selection: null, typed: {} };
    if (active && "selectionStart" in active) {
      try { pending.selection = [active.selectionStart, active.selectionEnd]; } catch (e) { /* not a text field */ }
    }
    // Fields of the swapped row that hold unsaved typing (other than the field just saved) keep it.
    const row = rowOf(target);
    const config = event.detail.requestConfig;
    const saved = config && config.parameters && (config.parameters.field || (config.parameters.get && config.parameters.get("field")));
    if (row) {
      row.querySelectorAll("[data-field]").forEach((input) => {
        const dirty = input.tagName === "SELECT" ? false : input.value !== input.defaultValue;
        if (dirty && input.dataset.field !== saved) pending.typed[input.id] = input.value;
      });
    }
  });
  function afterSwap(element) {
    const row = element && element.classList && element.classList.contains("seg") ? element : null;
    if (row) {
      place(row);
      if (pending) {
        Object.entries(pending.typed).forEach(([id, value]) => {
          const input = document.getElementById(id);
          if (input) input.value = value;
        });
      }
      if (current && current.id === row.id) setCurrent(row, false);
    }
  }
  document.body.addEventListener("htmx:afterSwap", (event) => afterSwap(event.detail.elt));
  document.body.addEventListener("htmx:oobAfterSwap", (event) => afterSwap(event.detail.target));
  document.body.addEventListener("htmx:afterSettle", () => {
    // New rows added out of band land at the list's end: put them in place.
    rows().forEach(place);
    if (pending && pending.activeId && (!document.activeElement || document.activeElement === document.body)) {
      const again = document.getElementById(pending.activeId);
      if (again) {
        again.focus({ preventScroll: true });
        if (pending.selection && "setSelectionRange" in again) {
          try { again.setSelectionRange(...pending.selection); } catch (e) { /* not a text field */ }
        }
      }
    }
    pending = null;
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
    if (!current) { say("Choose a segment first: click a row or move to it with the arrow keys.", "error"); return false; }
    return true;
  }
  function versionOf(row) { return row.querySelector("input[name=version]").value; }
  // The text cursor of the translation last edited, kept when focus moves to a toolbar button.
  let lastCursor = null;
  document.addEventListener("focusout", (event) => {
    if (event.target.tagName === "TEXTAREA" && rowOf(event.target)) {
      lastCursor = { id: rowOf(event.target).id, position: event.target.selectionStart };
    }
  });
  function textCursor(row) {
    const text = row.querySelector("textarea");
    if (text && document.activeElement === text) return text.selectionStart;
    return lastCursor && lastCursor.id === row.id ? lastCursor.position : "";
  }
  function playhead() { return player ? Math.round(player.currentTime * 1000) : null; }
  function setFromPlayhead(field) {
    if (!needCurrent()) return;
    const ms = playhead();
    if (ms === null) { say("This project has no video to take the time from.", "error"); return; }
    const input = current.querySelector(`[data-field=${field}]`);
    input.value = timecode(ms);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function playRow(row) {
    if (!row) return;
    setCurrent(row, false);
    if (!player) { say("This project has no video to play.", "error"); return; }
    player.currentTime = +row.dataset.start / 1000;
    playUntilMs = +row.dataset.end;
    player.play().catch(() => say("The video could not start playing.", "error"));
  }

  const commands = {
    "play": () => needCurrent() && playRow(current),
    "play-row": (button) => playRow(rowOf(button)),
    "set-start": () => setFromPlayhead("start"),
    "set-end": () => setFromPlayhead("end"),
    "split": () => needCurrent() && post(url(editor.dataset.splitUrl, current.dataset.id), { version: versionOf(current), text_cursor: textCursor(current) }),
    "split-playhead": () => needCurrent() && post(url(editor.dataset.splitUrl, current.dataset.id), { version: versionOf(current), at_ms: playhead() ?? "" }),
    "merge": () => needCurrent() && post(url(editor.dataset.mergeUrl, current.dataset.id), { version: versionOf(current) }),
    "insert": () => needCurrent() && post(editor.dataset.insertUrl, { after: current.dataset.id }),
    "insert-first": () => post(editor.dataset.insertUrl, {}),
    "delete": () => {
      if (!needCurrent()) return;
      const next = current.nextElementSibling || current.previousElementSibling;
      post(editor.dataset.deleteUrl, { segments: current.dataset.id }).then(() => { if (rowOf(next)) setCurrent(next, true); });
    },
    "undo": () => post(editor.dataset.undoUrl),
    "redo": () => post(editor.dataset.redoUrl),
    "help": () => document.getElementById("shortcuts").showModal(),
    "select-none": () => { list.querySelectorAll(".seg-select:checked").forEach((box) => { box.checked = false; }); updateSelectionCount(); },
    "keep-mine": (button) => {
      const row = rowOf(button);
      const input = row.querySelector(`[data-field=${button.dataset.field}]`);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    },
    "next-problem": async (button) => {
      const ids = (button.dataset.problems || "").split(",").filter(Boolean);
      const position = current ? +current.dataset.start : -1;
      const after = () => ids.map((id) => document.getElementById(`seg-${id}`)).filter((row) => row && +row.dataset.start > position);
      await loadUntil(() => after().length > 0 || ids.every((id) => document.getElementById(`seg-${id}`)));
      const next = after()[0] || document.getElementById(`seg-${ids[0]}`);
      if (next) setCurrent(next, true); else say("No problems found.", "info");
    },
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-command]");
    if (button && commands[button.dataset.command]) { event.preventDefault(); commands[button.dataset.command](button); }
    const row = rowOf(event.target);
    if (row) setCurrent(row, false);
  });
  document.addEventListener("focusin", (event) => { const row = rowOf(event.target); if (row) setCurrent(row, false); });

  function updateSelectionCount() {
    const count = list.querySelectorAll(".seg-select:checked").length;
    const label = document.getElementById("selection-count");
    if (label) label.textContent = `${count} selected`;
  }
  list.addEventListener("change", (event) => { if (event.target.classList.contains("seg-select")) updateSelectionCount(); });

  // --- keyboard ----------------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = isTyping(target) && target.type !== "checkbox";
    const row = rowOf(target);
    if (event.key === "?" && !typing) { event.preventDefault(); commands.help(); return; }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      // By physical key (event.code), so the shortcuts work whatever the keyboard layout.
      const nextProblem = () => { const b = document.querySelector("[data-command=next-problem]"); if (b) commands["next-problem"](b); };
      const byCode = {
        ArrowDown: () => move(1), ArrowUp: () => move(-1), KeyP: commands.play, KeyL: toggleLoop, KeyN: nextProblem,
        BracketLeft: commands["set-start"], BracketRight: commands["set-end"], KeyS: commands.split,
        KeyM: commands.merge, KeyI: commands.insert, Delete: commands.delete,
        KeyZ: event.shiftKey ? commands.redo : commands.undo,
      };
      const changesScript = ["BracketLeft", "BracketRight", "KeyS", "KeyM", "KeyI", "Delete", "KeyZ"];
      const action = byCode[event.code];
      if (action && (canEdit || !changesScript.includes(event.code))) { event.preventDefault(); action(); return; }
    }
    if (typing) {
      if (event.key === "Escape") {
        event.preventDefault();
        target.value = target.defaultValue;
        if (row) setCurrent(row, true);
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey || target.tagName === "INPUT")) {
        event.preventDefault();
        if (target.value !== target.defaultValue) target.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    if (row && target === row) {
      if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter") {
        event.preventDefault();
        const text = row.querySelector("textarea");
        if (text) { text.focus(); text.setSelectionRange(text.value.length, text.value.length); }
      } else if (event.key === " ") {
        event.preventDefault();
        const box = row.querySelector(".seg-select");
        if (box) { box.checked = !box.checked; updateSelectionCount(); }
      }
    } else if (!row && !target.closest("a, button, summary, dialog, [contenteditable]")) {
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
  // or when something needs a row further on (next problem, the playhead).
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
        const added = Array.from(template.content.children);
        more.replaceWith(template.content);
        added.forEach((element) => htmx.process(element));
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
  // A filter replaces the whole list: empty it first, so that the swap does not compare every new row
  // with the old ones, then watch the new list's placeholder.
  document.body.addEventListener("htmx:beforeSwap", (event) => { if (event.detail.target === list) list.replaceChildren(); });
  document.body.addEventListener("htmx:afterSwap", (event) => { if (event.detail.target === list) watchMore(); });

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
