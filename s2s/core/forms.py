"""Form plumbing every app's pages share."""

from django import forms

from s2s.core.errors import ServiceError


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top.

    The page's GOV.UK error summary then lists it and links to the field.
    """
    form.add_error(error.field if error.field in form.fields else None, error.message)
