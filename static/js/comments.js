// Comments: the editor's comment dialog, the @mention autocomplete of every comment box, and comments
// pinned to times of a job's output video (markers, seeking, the time taken from the player).
// The threads themselves are server-rendered partials (templates/projects/comments.html) that htmx swaps.
(function () {
  "use strict";

  // --- the editor's comment dialog ---------------------------------------------------------------------
  const dialog = document.getElementById("comment-dialog");
  let openedFrom = null;

  function currentRow() { return document.querySelector("#segment-list .seg.is-current[data-id]"); }

  function openSegmentComments(row) {
    if (!dialog) return;
    if (!row) {
      const message = document.getElementById("editor-message");
      if (message) { message.textContent = "Pick a segment first (click a row or use the arrows)."; }
      return;
    }
    openedFrom = row;
    const url = dialog.dataset.url.replace(/\/0\/comments\/$/, `/${row.dataset.id}/comments/`);
    htmx.ajax("GET", url, { target: "#comment-dialog-body", swap: "innerHTML" }).then(() => {
      if (!dialog.open) dialog.showModal();
      const box = dialog.querySelector(".comment-new textarea");
      (box || dialog.querySelector("button")).focus();
    });
  }

  // The editor opened at a segment from a link about one of its comments (static/js/editor.js).
  document.addEventListener("editor:open-comments", (event) => openSegmentComments(event.detail.row));

  if (dialog) {
    dialog.addEventListener("close", () => {
      if (openedFrom && openedFrom.isConnected) openedFrom.focus();
      openedFrom = null;
    });
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-command=comments]");
    if (opener && dialog) {
      event.preventDefault();
      openSegmentComments(opener.closest(".seg[data-id]") || currentRow());
      return;
    }
    const seek = event.target.closest("[data-seek-ms], .pin-marker");
    if (seek) {
      event.preventDefault();
      seekTo(seek, Number(seek.dataset.seekMs ?? seek.dataset.atMs));
    }
    const option = event.target.closest(".mention-options [role=option]");
    if (option) pickMention(option.closest(".mention-box").querySelector("textarea"), option);
  });

  document.addEventListener("keydown", (event) => {
    // Alt+C: comments on the current segment (by physical key, whatever the keyboard layout).
    if (dialog && event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyC") {
      event.preventDefault();
      openSegmentComments(currentRow());
    }
  });

  // A row's count of open threads, after a comment changed it (rows without comments have no badge:
  // 3,000 rows carry nothing for it).
  function setRowBadge(segmentId, count) {
    const row = document.getElementById(`seg-${segmentId}`);
    if (!row) return;
    let badge = row.querySelector(".seg-comments");
    if (!count) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = document.createElement("span");
      Object.assign(badge, { className: "seg-comments", id: `seg-${segmentId}-comments`, tabIndex: -1, title: "Comments (Alt+C)" });
      badge.setAttribute("role", "button");
      badge.dataset.command = "comments";
      row.querySelector(".review").after(badge);
    }
    badge.textContent = count;
    badge.setAttribute("aria-label", `${count} open comment${count === 1 ? "" : "s"}`);
  }

  // --- pinned comments on a job's output -----------------------------------------------------------------
  function playerOf(element) {
    const job = element.closest(".job");
    return job ? job.querySelector("video, audio") : null;
  }

  function seekTo(element, ms) {
    const player = playerOf(element);
    if (!player || Number.isNaN(ms)) return;
    player.pause();
    player.currentTime = ms / 1000;
    player.focus();
  }

  function clock(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const mm = h ? `${h}:${String(m).padStart(2, "0")}` : String(m);
    return `${mm}:${String(s).padStart(2, "0")}`;
  }

  // Markers sit on a track under the player, at their share of the video's length (known once loaded).
  function placeMarkers(scope) {
    scope.querySelectorAll(".comment-threads--job").forEach((threads) => {
      const player = playerOf(threads);
      if (!player) return;
      const place = () => {
        if (!player.duration || !Number.isFinite(player.duration)) return;
        threads.querySelectorAll(".pin-marker").forEach((marker) => {
          const share = Math.min(1, Number(marker.dataset.atMs) / 1000 / player.duration);
          marker.style.left = `${(share * 100).toFixed(2)}%`;
          marker.hidden = false;
        });
      };
      threads.querySelectorAll(".pin-marker").forEach((marker) => { marker.hidden = true; });
      if (player.readyState >= 1) place(); else player.addEventListener("loadedmetadata", place, { once: true });
    });
  }

  // The "At" field follows the player (paused or moved) until the person types a time themselves.
  function followPlayer(player) {
    const job = player.closest(".job");
    const field = job && job.querySelector(".pin-form input[name=at]");
    if (field && !field.hasAttribute("data-typed")) field.value = clock(player.currentTime);
  }
  document.addEventListener("pause", (event) => { if (event.target.closest && event.target.closest(".job")) followPlayer(event.target); }, true);
  document.addEventListener("seeked", (event) => { if (event.target.closest && event.target.closest(".job")) followPlayer(event.target); }, true);
  document.addEventListener("input", (event) => {
    if (event.target.matches(".pin-form input[name=at]")) event.target.setAttribute("data-typed", "");
  });
  document.addEventListener("focusin", (event) => {
    const form = event.target.closest && event.target.closest(".pin-form");
    if (form && event.target.tagName === "TEXTAREA") {
      const player = playerOf(form);
      if (player) followPlayer(player);
    }
  });

  // --- @mention autocomplete (the listbox pattern: the focus stays in the text, the option is active) -----
  const MENTION_BEFORE_CARET = /(?:^|[^\w@.+-])@([\w.+-]{0,30})$/;
  let lookup = null;

  function listboxOf(box) { return document.getElementById(box.getAttribute("aria-controls")); }

  function closeList(box) {
    const list = listboxOf(box);
    if (list) { list.hidden = true; list.innerHTML = ""; }
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function options(list) { return Array.from(list.querySelectorAll("[role=option]")); }

  function activate(box, option) {
    const list = listboxOf(box);
    options(list).forEach((item) => item.setAttribute("aria-selected", item === option ? "true" : "false"));
    if (option) { box.setAttribute("aria-activedescendant", option.id); option.scrollIntoView({ block: "nearest" }); }
  }

  async function suggest(box) {
    const typed = box.value.slice(0, box.selectionStart).match(MENTION_BEFORE_CARET);
    if (!typed || box.selectionStart !== box.selectionEnd) { closeList(box); return; }
    const list = listboxOf(box);
    if (lookup) lookup.abort();
    lookup = new AbortController();
    const params = new URLSearchParams({ q: typed[1], listbox: list.id });
    let html;
    try {
      const answer = await fetch(`${box.dataset.mentionUrl}?${params}`, { headers: { "HX-Request": "true" }, signal: lookup.signal });
      if (!answer.ok) { closeList(box); return; }
      html = await answer.text();
    } catch (error) { return; }  // aborted by a newer keystroke, or offline: no suggestions
    list.innerHTML = html;  // server-rendered, escaped by the template
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    activate(box, options(list)[0] || null);
  }

  function pickMention(box, option) {
    if (!box || !option) return;
    const caret = box.selectionStart;
    const before = box.value.slice(0, caret).replace(/@[\w.+-]*$/, `@${option.dataset.username} `);
    box.value = before + box.value.slice(caret);
    box.setSelectionRange(before.length, before.length);
    closeList(box);
    box.focus();
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-mention-url]")) suggest(event.target);
  });
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!box.matches || !box.matches("textarea[data-mention-url]")) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      closeList(box);
      box.form.requestSubmit();
      return;
    }
    const list = listboxOf(box);
    if (!list || list.hidden) return;
    const all = options(list);
    const active = document.getElementById(box.getAttribute("aria-activedescendant") || "");
    const index = all.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(box, all[(index + step + all.length) % all.length]);
    } else if ((event.key === "Enter" || event.key === "Tab") && active) {
      event.preventDefault();
      pickMention(box, active);
    } else if (event.key === "Escape") {
      event.preventDefault();  // closes the list, not the dialog around it
      event.stopPropagation();
      closeList(box);
    }
  });
  document.addEventListener("focusout", (event) => {
    const box = event.target;
    if (box.matches && box.matches("textarea[data-mention-url]")) {
      // After a click on an option has been handled (mousedown → blur comes first).
      setTimeout(() => { if (document.activeElement !== box) closeList(box); }, 200);
    }
  });

  // --- after a thread list is swapped --------------------------------------------------------------------
  // The focus goes back where the person was: the refused box, the thread they replied to or resolved,
  // or the new-comment box after a new comment.
  let actedOnThread = null;
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (!elt.closest || !elt.closest(".comment-threads")) return;  // e.g. the summary a comment refreshes
    const thread = elt.closest(".thread");
    actedOnThread = thread ? thread.id : null;
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    placeMarkers(document);
    // A job's comment form that arrives after its player was paused takes the time it was paused at.
    document.querySelectorAll(".job video, .job audio").forEach((player) => {
      if (player.paused && player.currentTime > 0) followPlayer(player);
    });
    const id = event.detail.target && event.detail.target.id;
    const threads = id ? document.getElementById(id) : null;
    // Only when the focus was lost with the swapped markup (on the page, or on the dialog around it).
    const lost = !document.activeElement || document.activeElement === document.body || document.activeElement.tagName === "DIALOG";
    if (threads && threads.dataset.segment) setRowBadge(threads.dataset.segment, Number(threads.dataset.openCount));
    // Another swap in between (a background poll: presence, the unread count, a job card) leaves the
    // thread the person acted on alone.
    if (!threads || !threads.classList.contains("comment-threads")) return;
    if (lost) {
      const thread = actedOnThread && document.getElementById(actedOnThread);
      const focus = threads.querySelector("[aria-invalid=true]") || thread || threads.querySelector(".comment-new textarea");
      if (focus) focus.focus();
    }
    actedOnThread = null;
  });
  placeMarkers(document);
})();
