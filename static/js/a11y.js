/* Accessibility helpers; a file, not inline script, because the CSP allows none.
   1. A form answered with errors (422) puts the cursor on its first field in error, so keyboard and
      screen-reader users land where the message is. The server marks that field `autofocus` too (works
      without JavaScript); this covers forms and htmx swaps where no field carries it.
   2. Content swapped in by htmx that carries data-announce (e.g. a report row that has just finished)
      has that text read out through the page's live region (#announcer in base.html), once. */
(function () {
  "use strict";
  var IN_ERROR = '[aria-invalid="true"], .has-error input:not([type="hidden"]), .has-error select, .has-error textarea';

  function focusFirstError() {
    var field = document.querySelector(IN_ERROR);
    if (field && document.activeElement !== field) {
      field.focus();
    }
  }

  function announceSwapped() {
    var region = document.getElementById("announcer");
    var items = document.querySelectorAll("[data-announce]");
    if (!region || !items.length) {
      return;
    }
    var texts = [];
    items.forEach(function (item) {
      texts.push(item.getAttribute("data-announce"));
      item.removeAttribute("data-announce");
    });
    region.textContent = texts.join(" ");
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The browser already honours `autofocus`; only fill in when no field asks for it.
    if (!document.querySelector("[autofocus]")) {
      focusFirstError();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var request = event.detail && event.detail.xhr;
    if (request && request.status === 422) {
      focusFirstError();
    }
    announceSwapped();
  });
})();
