"""Form plumbing the pages share: a service's refusal on its form, its layout, the form page."""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.errors import ServiceError

T = TypeVar("T")


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top.

    The page's GOV.UK error summary then lists it and links to the field.
    """
    form.add_error(error.field if error.field in form.fields else None, error.message)


def posted(request):
    """Return the posted data, even empty (a form of one button may send none), or None.

    `Form(posted(request))` is bound on every POST, so an empty one is checked, not ignored
    as `request.POST or None` would.
    """
    return request.POST if request.method == "POST" else None


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


def form_helper(*fields, submit: str = "") -> FormHelper:
    """Return the layout of a form page's form: posted, these fields, then one button.

    The button says `submit` ("Save" if none); `form_page` draws the form through it.
    """
    helper = FormHelper()
    helper.form_method = "post"
    helper.layout = Layout(*fields, Button("save", submit or _("Save"), type="submit"))
    return helper


def form_page(request, form: forms.Form, *, title: str, back_url: str, back_label: str = "",
              caption: str = "", lead: str = "", warning: str = "", details: str = "",
              context: dict | None = None):
    """Render the one form page: back link, error summary, caption, title, text, form, Cancel.

    `lead` is a paragraph before the form, `warning` a GOV.UK warning (for what cannot be
    undone); the back link says `back_label` ("Back" if none), and Cancel goes to the same page.
    `details` names a template drawn after the title (a summary of the file the form acts on,
    say), given `context` as well.
    """
    return render(request, "core/form_page.html", {
        **(context or {}),
        "form": form, "title": title, "back_url": back_url, "back_label": back_label,
        "caption": caption, "lead": lead, "warning": warning, "details": details,
    })


class SuggestionsInput(forms.TextInput):
    """A text input the browser completes from suggestions (an HTML datalist): type or pick.

    Each suggestion is the text put in the box, such as "8384512 Thomas Hardye School"; the
    browser offers those containing what was typed, by number or by name, with no script.
    """

    template_name = "includes/suggestions_input.html"

    def __init__(self, attrs=None, suggestions=()):
        super().__init__(attrs)
        self.suggestions = list(suggestions)

    def get_context(self, name, value, attrs):
        """Return the input's context with its list of suggestions and the list's id."""
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["suggestions"] = self.suggestions
        attrs = widget["attrs"]
        attrs["list"] = f"{attrs.get('id') or name}-suggestions"
        attrs.setdefault("autocomplete", "off")
        # crispy-forms-gds styles only the widgets it knows by class name: style this one too.
        classes = [c for c in attrs.get("class", "").split() if c != "suggestionsinput"]
        wanted = ["govuk-input"] + (["govuk-input--error"]
                                    if str(attrs.get("aria-invalid")).lower() == "true" else [])
        attrs["class"] = " ".join(dict.fromkeys([*wanted, *classes]))
        return context


class CodeOrSuggestionField(forms.CharField):
    """A code typed alone ("8384512") or picked as "code name": cleaned to the code.

    Offer `(code, name)` pairs as `suggestions`; the service that gets the code checks it.
    """

    widget = SuggestionsInput

    def __init__(self, *, suggestions=(), **kwargs):
        super().__init__(**kwargs)
        self.suggestions = suggestions

    @property
    def suggestions(self) -> list[str]:
        return self.widget.suggestions

    @suggestions.setter
    def suggestions(self, pairs) -> None:
        self.widget.suggestions = [f"{code} {name}" for code, name in pairs]

    def to_python(self, value):
        """Return the first word of what was entered: the code."""
        words = super().to_python(value).split()
        return words[0] if words else ""


DATE_PARTS = ("day", "month", "year")
_PART_LABELS = {"day": gettext_lazy("Day"), "month": gettext_lazy("Month"),
                "year": gettext_lazy("Year")}


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes, named `<name>_day` and so on.

    A single ISO date under the field's own name (`?from=2025-09-01`, as CSV addresses and
    links carry it) is read too, so those addresses keep working.
    """

    template_name = "includes/date_input.html"

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={
            "class": "govuk-input govuk-date-input__input govuk-input--width-"
                     + ("4" if part == "year" else "2"),
            "inputmode": "numeric"}) for part in DATE_PARTS}
        super().__init__(widgets, attrs)
        self.parts_in_error: tuple[int, ...] = ()

    def decompress(self, value):
        """Return a date's day, month and year for the boxes."""
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        """Return the three boxes' text, or a whole ISO date sent under the field's name."""
        parts = super().value_from_datadict(data, files, name)
        whole = data.get(name)
        if whole and not any(parts):
            try:
                day = date.fromisoformat(whole)
                return [str(day.day), str(day.month), f"{day.year:04d}"]
            except ValueError:
                return [whole, whole, whole]  # not a date: refused as not a real one
        return parts

    def value_omitted_from_data(self, data, files, name):
        """Return whether neither the boxes nor a whole date were sent."""
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name, value, attrs):
        """Return the context with each box's label and its error state."""
        context = super().get_context(name, value, attrs)
        for index, (part, sub) in enumerate(zip(DATE_PARTS, context["widget"]["subwidgets"],
                                                strict=True)):
            sub["label"] = _PART_LABELS[part]
            # Only the boxes at fault are marked, whatever the layout added to the first one.
            classes = [c for c in dict.fromkeys(sub["attrs"].get("class", "").split())
                       if c != "govuk-input--error"]
            if index in self.parts_in_error:
                classes.append("govuk-input--error")
            sub["attrs"]["class"] = " ".join(classes)
        return context


class DateInputField(forms.MultiValueField):
    """A date entered in the GOV.UK date input, refused in the GOV.UK pattern's words.

    `error_name` starts each message: "Date of birth must be a real date". With `past`, a
    date that is not before today is refused. Each problem is tied to the first box at
    fault, so the error summary links to it.
    """

    widget = DateInput

    def __init__(self, *, error_name, past: bool = False, **kwargs):
        fields = tuple(forms.CharField(required=False) for _part in DATE_PARTS)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.error_name = error_name
        self.past = past

    def compress(self, data_list):
        """Unused: `clean` builds the date itself."""
        return None

    def clean(self, value):
        """Return the date entered, None when all three boxes are blank, or refuse it."""
        parts = [str(v or "").strip() for v in (value or ["", "", ""])]
        self.widget.parts_in_error = ()
        for field in self.fields:
            field.widget.errors = []
        try:
            return self._date(*parts)
        except ValidationError as error:
            for index in self.widget.parts_in_error[:1]:
                self.fields[index].widget.errors = list(error.messages)
            raise

    def _refuse(self, message: str, parts: tuple[int, ...] = (0, 1, 2), *,
                name: str = "") -> ValidationError:
        self.widget.parts_in_error = parts
        return ValidationError(message % {"name": name or capfirst(self.error_name)})

    def _date(self, day: str, month: str, year: str) -> date | None:
        given = (day, month, year)
        if not any(given):
            if self.required:
                name = str(self.error_name)
                raise self._refuse(_("Enter %(name)s"), name=name[:1].lower() + name[1:])
            return None
        missing = tuple(i for i, text in enumerate(given) if not text)
        if missing:
            raise self._refuse(_MISSING[missing], missing)
        not_numbers = tuple(i for i, text in enumerate(given) if not text.isdigit())
        if not_numbers:
            raise self._refuse(_("%(name)s must be a real date"), not_numbers)
        if len(year) != 4:
            raise self._refuse(_("Year must include 4 numbers"), (2,))
        try:
            entered = date(int(year), int(month), int(day))
        except ValueError:
            raise self._refuse(_("%(name)s must be a real date")) from None
        if self.past and entered >= timezone.localdate():
            raise self._refuse(_("%(name)s must be in the past"))
        return entered


_MISSING = {
    (0,): gettext_lazy("%(name)s must include a day"),
    (1,): gettext_lazy("%(name)s must include a month"),
    (2,): gettext_lazy("%(name)s must include a year"),
    (0, 1): gettext_lazy("%(name)s must include a day and month"),
    (0, 2): gettext_lazy("%(name)s must include a day and year"),
    (1, 2): gettext_lazy("%(name)s must include a month and year"),
}
