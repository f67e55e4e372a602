// What a person sees when an htmx request goes wrong outside the editor (which explains its own): htmx
// swaps nothing on a 4xx/5xx (see base.html's htmx-config), so without this a refused click is silent.
(function () {
  "use strict";

  const box = () => document.getElementById("request-problem");
  const inEditor = (element) => element && element.closest && element.closest("#editor");

  function show(text) {
    const region = box();
    if (!region) return;
    region.querySelector(".request-problem-text").textContent = text;
    region.hidden = false;
  }

  function explain(xhr) {
    const status = xhr.status;
    if (status === 403 && /CSRF/i.test(xhr.responseText || "")) {
      return "This page is out of date (your session changed). Reload the page and try again.";
    }
    if (status === 403) return "Your role in this team does not allow this.";
    if (status === 404) return "That is no longer there (it may have been deleted). Reload the page to see where things stand.";
    if (status >= 500) return "dubweb hit an error and nothing was changed. Try again; if it happens again, tell your administrator.";
    return `The request was refused (HTTP ${status}). Reload the page and try again.`;
  }

  document.body.addEventListener("htmx:responseError", (event) => {
    if (!inEditor(event.detail.elt)) show(explain(event.detail.xhr));
  });
  document.body.addEventListener("htmx:sendError", (event) => {
    if (!inEditor(event.detail.elt)) show("The server cannot be reached. Check your connection; nothing was changed.");
  });
  // The message goes when the person's next action succeeds, not when a background poll (the unread count,
  // a running job's card) happens to answer before they have read it.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const config = event.detail.requestConfig;
    const trigger = config && config.triggeringEvent;
    const byPerson = trigger && /^(click|submit|change|input|keyup|keydown)$/.test(trigger.type);
    if (event.detail.successful && byPerson && box()) box().hidden = true;
  });
  // After a swap, the element the server marked (a new job, an error to read) takes the focus, so that a
  // keyboard or screen-reader user lands where the answer is.
  // In the editor, only inside what was swapped: a scan of the whole page would cost every save in a long
  // script (elsewhere a marked element may arrive out of band, so the page is searched).
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const swapped = event.target;
    if (!swapped || !swapped.querySelector) return;
    const scope = inEditor(swapped) ? swapped : document;
    const marked = swapped.matches("[data-focus]") ? swapped : scope.querySelector("[data-focus]");
    if (marked) { marked.removeAttribute("data-focus"); marked.focus(); }
  });

  // A job card that changes status (it asks for itself every few seconds) says so to screen readers once.
  let before = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const card = event.detail.target;
    before = card && card.classList && card.classList.contains("job") ? [card.id, card.getAttribute("aria-label")] : null;
  });
  document.body.addEventListener("htmx:afterSwap", () => {
    if (!before) return;
    const [id, label] = before;
    const card = document.getElementById(id);
    const announcer = document.getElementById("job-announcer");
    if (card && announcer && card.getAttribute("aria-label") !== label) announcer.textContent = card.getAttribute("aria-label");
    before = null;
  });

  // A job's answers, opened to read, stay open while its card refreshes itself.
  let openAnswers = [];
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    openAnswers = target && target.querySelectorAll
      ? Array.from(target.querySelectorAll("details.job-answers[open]"), (details) => details.id)
      : [];
  });
  document.body.addEventListener("htmx:afterSwap", () => {
    openAnswers.forEach((id) => { const details = document.getElementById(id); if (details) details.open = true; });
    openAnswers = [];
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest(".request-problem-close")) box().hidden = true;
  });
})();
