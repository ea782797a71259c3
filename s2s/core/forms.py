"""Form plumbing every app's pages share."""

from django import forms

from s2s.core.errors import ServiceError


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: on its field when the form has it, else on top.

    The page's GOV.UK error summary then lists it and links to the field.
    """
    form.add_error(error.field if error.field in form.fields else None, error.message)


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
        widget["attrs"]["list"] = f"{widget['attrs'].get('id') or name}-suggestions"
        widget["attrs"].setdefault("autocomplete", "off")
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
