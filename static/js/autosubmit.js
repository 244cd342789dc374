/* Forms marked data-autosubmit (month pickers, the anomaly threshold) submit as soon as a choice changes.
   Without JavaScript they keep their <noscript> "Show" button; no inline handler, so the CSP needs no 'unsafe-inline'. */
document.addEventListener("change", function (event) {
  var form = event.target.form;
  if (form && form.hasAttribute("data-autosubmit")) {
    form.requestSubmit();
  }
});
