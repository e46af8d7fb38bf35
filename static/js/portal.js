/* STP Portal: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";

  // The error summary (partials/form_errors.html, the GOV.UK pattern) takes the focus, so a
  // screen reader reads it first and a keyboard is one Tab from its links.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // The phone's "Menu" link opens the off-canvas navigation (Bootstrap, in tabler.min.js);
  // without JavaScript it is a plain link to #nav. With it, it is a button that says whether
  // the menu is open.
  function menuButtons() {
    var buttons = document.querySelectorAll('[aria-controls="nav"][data-bs-toggle="offcanvas"]');
    var nav = document.getElementById("nav");
    if (!nav || !buttons.length) {
      return;
    }
    buttons.forEach(function (button) {
      button.setAttribute("role", "button");
    });
    function expanded(value) {
      buttons.forEach(function (button) {
        button.setAttribute("aria-expanded", value ? "true" : "false");
      });
    }
    nav.addEventListener("shown.bs.offcanvas", function () { expanded(true); });
    nav.addEventListener("hidden.bs.offcanvas", function () { expanded(false); });
    // A close link is a link to #main without JavaScript; with it, only the panel closes.
    nav.querySelectorAll('[data-bs-dismiss="offcanvas"]').forEach(function (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); });
    });
  }

  // A list's filters fold away on a phone, unless one is set: the list comes first.
  function foldFilters() {
    if (!window.matchMedia("(max-width: 767.98px)").matches) {
      return;
    }
    document.querySelectorAll("details[data-filter-card]:not([data-filter-active])").forEach(
      function (card) { card.removeAttribute("open"); }
    );
  }

  function ready() {
    foldFilters();
    focusErrorSummary();
    menuButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
