"""pydantic's request validation errors worded for people, in the request's language (issue 17).

A request that does not fit its endpoint's schema (a field missing, a number that is text, a
string too long, a date that is no date, a field the schema does not know) is refused by
pydantic before our code runs, with an English `msg`. `problem_words` words each error from its
`type` code and `ctx` values through the catalogue instead, so `Accept-Language: cy` gets Welsh
and English gets the same plain sentences; a type with no sentence here keeps pydantic's own
English `msg`. The codes and where the error is (`loc`) never change: they are for programs.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy, ngettext_lazy

# One whole sentence per error type; `ctx`'s values fill the placeholders.
WORDS = {
    "missing": gettext_lazy("is required"),
    "extra_forbidden": gettext_lazy("is not a field this request takes"),
    "string_type": gettext_lazy("must be text"),
    "string_unicode": gettext_lazy("must be text in UTF-8"),
    "string_pattern_mismatch": gettext_lazy("is not in the right form"),
    "string_not_ascii": gettext_lazy("must hold only ASCII characters"),
    "int_type": gettext_lazy("must be a whole number"),
    "int_parsing": gettext_lazy("must be a whole number"),
    "int_parsing_size": gettext_lazy("is too big a number"),
    "int_from_float": gettext_lazy("must be a whole number, not a fraction"),
    "float_type": gettext_lazy("must be a number"),
    "float_parsing": gettext_lazy("must be a number"),
    "finite_number": gettext_lazy("must be a finite number"),
    "decimal_parsing": gettext_lazy("must be a number"),
    "bool_type": gettext_lazy("must be true or false"),
    "bool_parsing": gettext_lazy("must be true or false"),
    "greater_than": gettext_lazy("must be greater than %(gt)s"),
    "greater_than_equal": gettext_lazy("must be %(ge)s or more"),
    "less_than": gettext_lazy("must be less than %(lt)s"),
    "less_than_equal": gettext_lazy("must be %(le)s or less"),
    "multiple_of": gettext_lazy("must be a multiple of %(multiple_of)s"),
    "enum": gettext_lazy("must be one of %(expected)s"),
    "literal_error": gettext_lazy("must be one of %(expected)s"),
    "none_required": gettext_lazy("must be empty (null)"),
    "date_type": gettext_lazy("must be a date, YYYY-MM-DD"),
    "date_parsing": gettext_lazy("must be a real date, YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("must be a real date, YYYY-MM-DD"),
    "date_from_datetime_inexact": gettext_lazy("must be a date with no time of day"),
    "date_past": gettext_lazy("must be a date in the past"),
    "date_future": gettext_lazy("must be a date in the future"),
    "datetime_type": gettext_lazy("must be a date and time, YYYY-MM-DDTHH:MM:SS"),
    "datetime_parsing": gettext_lazy("must be a real date and time, YYYY-MM-DDTHH:MM:SS"),
    "datetime_from_date_parsing": gettext_lazy(
        "must be a real date and time, YYYY-MM-DDTHH:MM:SS"),
    "datetime_past": gettext_lazy("must be in the past"),
    "datetime_future": gettext_lazy("must be in the future"),
    "timezone_naive": gettext_lazy("must have no time zone"),
    "timezone_aware": gettext_lazy("must have a time zone"),
    "time_type": gettext_lazy("must be a time of day, HH:MM:SS"),
    "time_parsing": gettext_lazy("must be a real time of day, HH:MM:SS"),
    "list_type": gettext_lazy("must be a list"),
    "tuple_type": gettext_lazy("must be a list"),
    "set_type": gettext_lazy("must be a list"),
    "dict_type": gettext_lazy("must be an object"),
    "model_type": gettext_lazy("must be an object"),
    "model_attributes_type": gettext_lazy("must be an object"),
    "json_invalid": gettext_lazy("is not valid JSON"),
    "json_type": gettext_lazy("must be JSON"),
    "uuid_type": gettext_lazy("must be a UUID"),
    "uuid_parsing": gettext_lazy("must be a UUID"),
    "url_type": gettext_lazy("must be a web address"),
    "url_parsing": gettext_lazy("must be a web address"),
    "bytes_type": gettext_lazy("must be a file or bytes"),
}
# Those that count something: the count decides the plural.
COUNTED = {
    "string_too_short": (ngettext_lazy("must be at least %(min_length)s character long",
                                       "must be at least %(min_length)s characters long",
                                       "min_length"), "min_length"),
    "string_too_long": (ngettext_lazy("must be at most %(max_length)s character long",
                                      "must be at most %(max_length)s characters long",
                                      "max_length"), "max_length"),
    "too_short": (ngettext_lazy("must have at least %(min_length)s item",
                                "must have at least %(min_length)s items", "min_length"),
                  "min_length"),
    "too_long": (ngettext_lazy("must have at most %(max_length)s item",
                               "must have at most %(max_length)s items", "max_length"),
                 "max_length"),
}


def problem_words(error: Mapping) -> str:
    """Return what is wrong with one field, in the active language (pydantic's `msg` if unknown)."""
    kind, ctx = error.get("type", ""), dict(error.get("ctx") or {})
    if kind in COUNTED:
        words, number = COUNTED[kind]
        if isinstance(ctx.get(number), int):
            return words % ctx
    elif kind in WORDS:
        if kind in ("enum", "literal_error") and "expected" in ctx:
            # pydantic joins the choices with an English "or": a list reads in any language.
            ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
        try:
            return str(WORDS[kind]) % {name: str(value) for name, value in ctx.items()}
        except (KeyError, ValueError, TypeError):
            pass  # a ctx without the value the sentence names: pydantic's words will do
    return str(error.get("msg") or "invalid")
