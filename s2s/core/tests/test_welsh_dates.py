"""Dates, month names and numbers read the Welsh way in Welsh (issue 17): "6 Rhagfyr 2026"."""

import io
from datetime import date, datetime

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, timezone, translation

from s2s.lostpupils.emails import date_format_lazy
from s2s.transfers.models import Transfer
from s2s.transfers.services import transfer_upload
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)
from s2s.transfers.tests.ctfs import ctf

DAY = date(2026, 12, 6)
MOMENT = datetime(2026, 12, 6, 14, 5, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def _english_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _render(text: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(text).render(Context(context))


@pytest.mark.parametrize(("language", "expected"), [
    ("cy", "6 Rhagfyr 2026 | 6 Rhagfyr 2026 14:05 | Rhagfyr 2026 | Dydd Sul 6 Rhagfyr 2026"),
    ("en-gb", "6 December 2026 | 6 December 2026 14:05 | December 2026 | Sunday 6 December 2026"),
])
def test_the_date_filter_words_dates_in_the_active_language(language, expected):
    text = ('{{ day|date:"j F Y" }} | {{ moment|date:"j F Y H:i" }} | {{ day|date:"F Y" }} | '
            '{{ day|date:"l j F Y" }}')
    assert _render(text, language, day=DAY, moment=MOMENT) == expected


def test_a_date_shown_plainly_takes_the_welsh_format():
    assert _render("{{ day }}", "cy", day=DAY) == "6 Rhagfyr 2026"


def test_numbers_keep_their_separators_in_welsh():
    with translation.override("cy"):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == "1,234,567.5"


def test_a_month_for_an_email_is_worded_when_the_email_is_rendered():
    month = date_format_lazy(DAY, "F Y")  # made in the sender's language...
    with translation.override("cy"):
        assert str(month) == "Rhagfyr 2026"  # ...read in the recipient's
    assert str(month) == "December 2026"


def test_a_page_shows_its_dates_the_welsh_way(client, sending_school_user, receiving_school):
    transfer = transfer_upload(user=sending_school_user, name="8383321_CTF_8384512_001.XML",
                               content=io.BytesIO(ctf("8383321", "8384512"))).transfer
    Transfer.objects.filter(pk=transfer.pk).update(uploaded_at=MOMENT)  # a winter afternoon
    sending_school_user.language = "cy"
    sending_school_user.save()
    client.force_login(sending_school_user)

    page = client.get(f"/files/{transfer.pk}").content.decode()

    assert "6 Rhagfyr 2026 14:05" in page
    assert "December" not in page
