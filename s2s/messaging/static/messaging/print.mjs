// The print button of a message: the browser's own print dialog.
for (const button of document.querySelectorAll("[data-s2s-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
