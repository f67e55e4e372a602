// The editor's review actions (templates/projects/includes/review.html, projects/views/review.py).
// Kept apart from editor.js: it reads the page as editor.js leaves it (the current row has .is-current,
// selected rows .is-selected), posts a review move, and lets editor.js put the rows that come back in place.
(function () {
  "use strict";

  const panel = document.getElementById("review-panel");
  const list = document.getElementById("segment-list");
  if (!list) return;

  // A review move that changed many rows asks for the list again rather than carrying them all.
  document.body.addEventListener("dubweb:reload-rows", () => {
    const filters = document.querySelector(".editor-filters");
    if (filters) htmx.trigger(filters, "submit");
  });
  if (!panel) return;

  const reason = document.getElementById("review-reason");
  const currentBox = document.getElementById("review-current");
  const labels = { draft: "Draft", needs_review: "Needs review", approved: "Approved", changes_requested: "Changes requested" };
  const currentRow = () => list.querySelector(".seg.is-current[data-id]");
  const selectedRows = () => Array.from(list.querySelectorAll(".seg.is-selected[data-id]"));
  function say(text, kind) {
    const box = document.getElementById("editor-message");
    box.className = `editor-message editor-message--${kind || "info"}`;
    box.textContent = text;
  }

  // What the panel says about the current row, and how many rows are selected.
  function describe() {
    const row = currentRow();
    const count = selectedRows().length;
    panel.querySelectorAll("[data-review-selection-count]").forEach((label) => { label.textContent = `${count} selected`; });
    if (!row) { currentBox.textContent = "Current segment: none"; return; }
    const start = row.querySelector(".seg-start");
    const when = start ? start.lastChild.textContent.trim() : "";
    const status = labels[row.dataset.review] || row.dataset.review;
    const why = row.querySelector(".review-reason");
    currentBox.textContent = `Current segment at ${when}: ${status}` + (why ? ` (changes asked${why.textContent.replace(/^Changes asked for/, "")})` : "");
  }
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; describe(); });
  }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });

  // The rows a move is for: the selection if there is one (or if asked for), else the current row.
  function targets(scope) {
    const selection = selectedRows();
    if (scope === "selection" || (scope !== "current" && selection.length)) return selection;
    const row = currentRow();
    return row ? [row] : [];
  }
  function send(action, scope) {
    if (action === "approve-clean") {
      return htmx.ajax("POST", panel.dataset.approveCleanUrl, { source: panel, values: {}, swap: "none" });
    }
    const rows = targets(scope);
    if (!rows.length) {
      say(scope === "selection" ? "Select segments first (Space on a row, or a click on its box)."
        : "Choose a segment first: click a row or move to it with the arrow keys.", "error");
      return null;
    }
    const values = {
      action,
      // One field each, comma-separated: a selection may be thousands of rows.
      segments: rows.map((row) => row.dataset.id).join(","),
      // The versions seen: a segment changed since is not approved blind (the server skips it).
      seen: rows.map((row) => `${row.dataset.id}.${row.dataset.version}`).join(","),
    };
    if (action === "request_changes") {
      if (!reason || !reason.value.trim()) {
        if (reason) reason.focus();
        say("Type the reason for the changes first: the translator reads it on the row.", "error");
        return null;
      }
      values.reason = reason.value;
    }
    return htmx.ajax("POST", panel.dataset.reviewUrl, { source: panel, values, swap: "none" }).then(() => {
      if (action === "request_changes" && reason) reason.value = "";
    });
  }

  panel.addEventListener("click", (event) => {
    const button = event.target.closest("[data-review-action]");
    if (!button) return;
    event.preventDefault();
    send(button.dataset.reviewAction, button.dataset.reviewScope || "current");
  });
  if (reason) {
    reason.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send("request_changes"); }
    });
  }

  // Alt+A approve, Alt+R request changes (to the reason first), Alt+Q request review: the selection if
  // any, else the current row. Alt with a letter types nothing in a field, so this never eats typing.
  const buttonFor = (action) => panel.querySelector(`[data-review-action="${action}"]`);
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target.closest && event.target.closest("dialog")) return;
    if (event.code === "KeyA" && buttonFor("approve")) { event.preventDefault(); send("approve"); }
    else if (event.code === "KeyQ" && buttonFor("request_review")) { event.preventDefault(); send("request_review"); }
    else if (event.code === "KeyR" && buttonFor("request_changes")) {
      event.preventDefault();
      if (reason && reason.value.trim()) send("request_changes");
      else if (reason) { reason.focus(); say("Type the reason, then Ctrl+Enter (or Alt+R again) to request changes.", "info"); }
    }
  });
  describe();
})();
