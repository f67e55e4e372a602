// A segment's history in the editor: the History button (or Alt+H) opens a dialog listing the changes
// of the current row (server-rendered, templates/projects/history.html); "Restore this version" posts
// through htmx and answers with the restored row out of band, like any edit, so undo works on it.
(function () {
  "use strict";

  const button = document.getElementById("history-button");
  const dialog = document.getElementById("segment-history");
  if (!button || !dialog) return;
  const body = document.getElementById("segment-history-body");
  let openedFor = null;  // the row whose history is shown

  const currentRow = () => document.querySelector("#segment-list .seg.is-current[data-id]");
  function say(text) {
    const box = document.getElementById("editor-message");
    box.className = "editor-message editor-message--error";
    box.textContent = text;
  }
  function open(row) {
    row = row || currentRow();
    if (!row) { say("Choose a segment first: click a row or move to it with the arrow keys, then History."); return; }
    openedFor = row;
    const url = button.dataset.historyUrl.replace(/\/0\/history\/$/, `/${row.dataset.id}/history/`);
    htmx.ajax("GET", url, { source: button, target: body, swap: "innerHTML" }).then(() => {
      if (!dialog.open) dialog.showModal();
      const heading = dialog.querySelector("#history-heading");
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    });
  }

  button.addEventListener("click", () => open());
  document.addEventListener("keydown", (event) => {
    // By physical key, as the editor's other shortcuts; works while typing too.
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyH") { event.preventDefault(); open(); }
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-history-reload]")) open(openedFor && document.getElementById(openedFor.id));
  });
  // A restore that worked closes the panel: the row (swapped out of band) and the message say what changed.
  document.body.addEventListener("htmx:afterSettle", () => {
    if (dialog.open && dialog.querySelector("#history-status [data-restored]")) dialog.close();
  });
  dialog.addEventListener("close", () => {
    body.replaceChildren();
    const row = openedFor && document.getElementById(openedFor.id);
    if (row) row.focus({ preventScroll: true });
  });
})();
