"""The one required-text rule: trimmed, never blank, never too long, with its field and code."""

import pytest

from s2s.core.errors import ServiceError
from s2s.core.text import text_required


def test_text_is_trimmed():
    assert text_required("  Poole High \n", field="name", blank="Enter the name") == "Poole High"


def test_collapsed_text_has_single_spaces_inside():
    assert text_required(" Poole \t  High\n School ", field="name", blank="Enter the name",
                         collapse=True) == "Poole High School"


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t "])
def test_blank_text_is_refused_on_its_field_with_the_callers_words(value):
    with pytest.raises(ServiceError) as refused:
        text_required(value, field="reason", blank="Give the reason", code="reason")
    assert refused.value.as_dict() == {"message": "Give the reason", "code": "reason_required",
                                       "field": "reason"}


def test_text_over_the_limit_is_refused_but_the_limit_itself_is_kept():
    assert text_required("x" * 10, field="name", blank="Enter it", limit=10) == "x" * 10
    with pytest.raises(ServiceError) as refused:
        text_required(" " + "x" * 11 + " ", field="name", blank="Enter it", limit=10,
                      label="name")
    assert refused.value.as_dict() == {
        "message": "The name must be 10 characters or fewer", "code": "too_long",
        "field": "name"}
