// Upload with a progress bar. Without this script the form posts as usual and still works.
import { initAll } from '../govuk/govuk-frontend.min.js'

function showPage (html) {
  // A refused form comes back as the upload page itself, with its error summary. Writing it
  // over this page does not run its module scripts again, so start GOV.UK Frontend's
  // components here (the error summary takes focus) and enhance the new form (issue 19).
  document.open()
  document.write(html)
  document.close()
  initAll()
  enhance(document.querySelector('[data-module="s2s-upload"]'))
}

function enhance (form) {
  if (!form || !window.FormData || !window.XMLHttpRequest) return
  const group = form.querySelector('[data-upload-progress]')
  const progress = group.querySelector('progress')
  const status = group.querySelector('[data-upload-status]')
  const button = form.querySelector('button[type="submit"]')

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const request = new XMLHttpRequest()
    request.open('POST', form.action)
    request.upload.addEventListener('progress', (progressEvent) => {
      if (!progressEvent.lengthComputable) return
      progress.max = progressEvent.total
      progress.value = progressEvent.loaded
      status.textContent = `${Math.round((100 * progressEvent.loaded) / progressEvent.total)}%`
    })
    request.addEventListener('load', () => {
      // A good upload ends on the results page (after the redirect); a refused form is
      // the upload page again, with its error summary.
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL)
      } else {
        showPage(request.responseText)
      }
    })
    request.addEventListener('error', () => {
      status.textContent = form.dataset.failedText
      button.disabled = false
    })
    group.hidden = false
    button.disabled = true
    request.send(new FormData(form))
  })
}

enhance(document.querySelector('[data-module="s2s-upload"]'))
