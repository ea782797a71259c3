// Once a download has been asked for, show the step that confirms the file opened correctly,
// without a reload. Without this script the page shows that step on the next visit, as the
// server then knows the file was downloaded (issue 19).
for (const trigger of document.querySelectorAll('[data-s2s-download]')) {
  trigger.addEventListener('click', () => {
    for (const step of document.querySelectorAll('[data-s2s-after-download]')) {
      step.hidden = false
    }
  })
}
