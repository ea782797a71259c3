// Mark the page as able to run GOV.UK Frontend's JavaScript (it needs ES modules).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
