/* A form answered with errors (422) puts the cursor on its first field in error, so keyboard and screen-reader
   users land where the message is. The server marks that field `autofocus` too (works without JavaScript);
   this file covers the forms and htmx swaps where no field carries it. A file, not inline script: the CSP. */
(function () {
  "use strict";
  var IN_ERROR = '[aria-invalid="true"], .has-error input:not([type="hidden"]), .has-error select, .has-error textarea';

  function focusFirstError() {
    var field = document.querySelector(IN_ERROR);
    if (field && document.activeElement !== field) {
      field.focus();
    }
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
  });
})();
