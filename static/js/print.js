/* The printable report's "Print" button ([data-print]); a file, not an onclick attribute, so the CSP needs no inline script. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
