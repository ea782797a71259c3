"""Form plumbing every app's pages share: a service's refusal on its form, and the form page."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.shortcuts import render

from s2s.core.errors import ServiceError

T = TypeVar("T")


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top.

    The page's GOV.UK error summary then lists it and links to the field.
    """
    form.add_error(error.field if error.field in form.fields else None, error.message)


def form_submit(request, form: forms.Form, call: Callable[[dict], T]) -> T | bool | None:
    """Post the form, call the service, show its refusal: return the service's result, or None.

    `call(form.cleaned_data)` runs only on a POST whose form is valid, and calls the service;
    its result is returned (True when it returns nothing, as a delete does). None means the page
    shows the form again: not posted, invalid, or refused by the service, whose `ServiceError`
    is then on the form (on its field when the form has it).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ServiceError as error:
        add_service_error(form, error)
        return None
    return True if result is None else result


def form_page(request, form: forms.Form, *, title: str, back_url: str, back_label: str = "",
              caption: str = "", lead: str = "", warning: str = ""):
    """Render the one form page: back link, error summary, caption, title, text, form, Cancel.

    `lead` is a paragraph before the form, `warning` a GOV.UK warning (for what cannot be
    undone); the back link says `back_label` ("Back" if none), and Cancel goes to the same page.
    """
    return render(request, "core/form_page.html", {
        "form": form, "title": title, "back_url": back_url, "back_label": back_label,
        "caption": caption, "lead": lead, "warning": warning,
    })
