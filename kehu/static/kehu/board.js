// The opportunity board: drag a card to another stage (SortableJS). A move posts to the card's move URL
// and swaps in the re-rendered board; a refusal shows a toast and puts the card back. Dropping on a won or
// lost column opens the review dialog instead. Loaded only on the board page (no inline scripts: CSP).
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function toast(message, level) {
    document.body.dispatchEvent(new CustomEvent("toast", { detail: { message: message, level: level } }));
  }

  function toastFrom(response) {
    try {
      var events = JSON.parse(response.headers.get("HX-Trigger") || "{}");
      if (events.toast) toast(events.toast.message, events.toast.level);
      return Boolean(events.toast);
    } catch (e) {
      return false;
    }
  }

  function putBack(evt) {
    evt.from.insertBefore(evt.item, evt.from.children[evt.oldIndex] || null);
  }

  function board() {
    return document.getElementById("opportunity-board");
  }

  function move(evt) {
    var card = evt.item;
    var body = new URLSearchParams({ stage: evt.to.dataset.stageId, view: board().dataset.view || "" });
    board().setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
        "HX-Target": "opportunity-board",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body,
    })
      .then(function (response) {
        var shown = toastFrom(response);
        if (!response.ok) {
          if (!shown) toast(document.body.dataset.errorMessage || "Error " + response.status, "error");
          putBack(evt);
          board().removeAttribute("aria-busy");
          return null;
        }
        return response.text().then(function (html) {
          board().outerHTML = html;
          init();
        });
      })
      .catch(function () {
        putBack(evt);
        board().removeAttribute("aria-busy");
        toast(document.body.dataset.errorMessage || "Error", "error");
      });
  }

  function review(evt) {
    var dialog = document.getElementById("review-dialog");
    if (!dialog || !window.bootstrap) return putBack(evt);
    var won = evt.to.dataset.outcome === "won";
    var form = dialog.querySelector("[data-review-form]");
    var labels = document.querySelector("[data-review-labels]");
    form.action = won ? evt.item.dataset.winUrl : evt.item.dataset.loseUrl;
    form.querySelector("[data-review-stage]").value = evt.to.dataset.stageId;
    form.querySelector("[data-review-competitor]").required = !won;
    if (labels) dialog.querySelector("[data-review-title]").textContent = won ? labels.dataset.won : labels.dataset.lost;
    var submitted = false;
    form.addEventListener("submit", function () { submitted = true; }, { once: true });
    dialog.addEventListener("hidden.bs.modal", function () { if (!submitted) putBack(evt); }, { once: true });
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  }

  function onEnd(evt) {
    if (evt.from === evt.to) return;
    if (evt.to.dataset.outcome) review(evt);
    else move(evt);
  }

  function init() {
    if (!window.Sortable) return;
    document.querySelectorAll("[data-board-column]").forEach(function (column) {
      window.Sortable.create(column, {
        group: "opportunity-board",
        draggable: "[data-card]",
        animation: 150,
        sort: false,
        onEnd: onEnd,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
