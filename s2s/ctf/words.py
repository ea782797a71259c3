"""Words for people that the library keeps in English and a caller puts in another language.

The library imports no Django, so it cannot look up a translation itself. Each message is
written as `_("the header has no %(path)s", path=path)`: a `Text`, which is the English words
(a `str`, so every caller that only wants English is unchanged) and also keeps its template
and values. A caller with a catalogue renders it with `text.render(gettext)`; the template is
the msgid (`make messages` collects every `_("...")` here), the values are put in after the
lookup, so a translation may move them. A value that is itself a `Text` is rendered in the
same language.
"""

from collections.abc import Callable, Mapping

Translate = Callable[[str], str]


class Text(str):
    """English words with their template (a msgid) and the values its placeholders take."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> "Text":
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self

    def __mod__(self, values: object) -> str:
        """Fill the placeholders later, as `_("...") % {...}` does: still a Text."""
        if isinstance(values, Mapping):
            return Text(self.template, **{**self.params, **values})
        return str.__mod__(self, values)

    def __reduce__(self) -> tuple:
        return _text_from_json, (self.as_json(),)

    def render(self, translate: Translate | None = None) -> str:
        """Return the words in the language `translate` looks them up in (English if None)."""
        if translate is None:
            return str(self)
        values = {name: value.render(translate) if isinstance(value, Text) else value
                  for name, value in self.params.items()}
        words = translate(self.template)
        return words % values if values else words

    def as_json(self) -> dict:
        """Return the template and values as JSON-ready data, for storing and rendering later."""
        return {"template": self.template,
                "params": {name: _value_json(value) for name, value in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping) -> "Text":
        """Return the Text `as_json` gave."""
        return _text_from_json(data)


def _(template: str, /, **params: object) -> Text:
    """Return words for people, to be rendered in the reader's language later."""
    return Text(template, **params)


def render(value: object, translate: Translate | None = None) -> str:
    """Return `value` for people: a Text in the language of `translate`, anything else as is."""
    return value.render(translate) if isinstance(value, Text) else str(value)


def _value_json(value: object) -> object:
    return value.as_json() if isinstance(value, Text) else value


def _text_from_json(data: Mapping) -> Text:
    params = {
        name: _text_from_json(value) if isinstance(value, Mapping) else value
        for name, value in (data.get("params") or {}).items()
    }
    return Text(data["template"], **params)
