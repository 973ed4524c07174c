// Kehu page behaviour: toasts, auto-submitting selects, select-all checkboxes. No inline scripts (CSP).
(function () {
  "use strict";

  function showToasts(root) {
    if (!window.bootstrap) return;
    root.querySelectorAll(".toast[data-autoshow]").forEach(function (el) {
      el.removeAttribute("data-autoshow");
      window.bootstrap.Toast.getOrCreateInstance(el, { delay: 5000 }).show();
    });
  }

  function addToast(message, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast align-items-center border-0 text-bg-" + (level === "error" ? "danger" : level || "success");
    el.setAttribute("role", "alert");
    el.setAttribute("data-autoshow", "");
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    el.appendChild(body);
    box.appendChild(el);
    showToasts(box);
  }

  function syncBulkBar(scope) {
    var boxes = scope.querySelectorAll("input[data-bulk-item]");
    var checked = scope.querySelectorAll("input[data-bulk-item]:checked").length;
    var counter = document.querySelector("[data-bulk-count]");
    if (counter) counter.textContent = String(checked);
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) bar.classList.toggle("d-none", checked === 0);
    var all = scope.querySelector("input[data-bulk-all]");
    if (all) all.checked = boxes.length > 0 && checked === boxes.length;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("form[data-auto-submit] select")) {
      target.form.submit();
    }
    if (target.matches("input[data-bulk-all]")) {
      document.querySelectorAll("input[data-bulk-item]").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("input[data-bulk-all], input[data-bulk-item]")) {
      syncBulkBar(document);
    }
  });

  document.body.addEventListener("toast", function (event) {
    addToast(event.detail.message, event.detail.level);
  });
  document.body.addEventListener("closeModal", function (event) {
    var el = document.getElementById(event.detail.value || event.detail);
    if (el && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(el).hide();
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    showToasts(document);
    syncBulkBar(document);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    addToast(document.body.dataset.errorMessage || "Error " + event.detail.xhr.status, "error");
  });
  document.addEventListener("DOMContentLoaded", function () { showToasts(document); });
})();
