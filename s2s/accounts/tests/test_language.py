"""The header's "Cymraeg / English" switch and the language each person reads (issue 17)."""

import lxml.html
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from s2s.accounts.models import User

SIGN_IN = reverse("accounts:sign-in")
START = reverse("core:start")


@pytest.fixture(autouse=True)
def _english_after(db):
    # A Welsh request leaves Welsh active in this thread; the next test must start in English.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _tree(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def _switch(tree) -> list[tuple[str, str, str]]:
    """Return the switch's entries as (text, lang, link or '' for the current language)."""
    items = tree.xpath("//header//*[contains(@class, 's2s-language-switch')]//li/*")
    return [(item.text_content().strip(), item.get("lang"), item.get("href") or "")
            for item in items]


def _choose(client, language: str, page: str):
    return client.get(reverse("accounts:language", args=[language]), {"next": page})


def test_a_visitor_who_has_not_chosen_gets_the_language_the_browser_asks_for(db):
    welsh = _tree(Client().get(SIGN_IN, headers={"accept-language": "cy,en;q=0.5"}))
    english = _tree(Client().get(SIGN_IN, headers={"accept-language": "en-GB,en;q=0.8"}))

    assert welsh.get("lang") == "cy"
    assert welsh.xpath("string(//h1)") == "Mewngofnodi"
    assert english.get("lang") == "en-gb"
    assert english.xpath("string(//h1)") == "Sign in"


def test_the_switch_offers_the_other_language_named_in_itself(db):
    english = _switch(_tree(Client().get(SIGN_IN)))
    welsh = _switch(_tree(Client().get(SIGN_IN, headers={"accept-language": "cy"})))

    assert english == [("English", "en-gb", ""),
                       ("Cymraeg", "cy", "/account/language/cy?next=/account/sign-in")]
    assert welsh == [("English", "en-gb", "/account/language/en-gb?next=/account/sign-in"),
                     ("Cymraeg", "cy", "")]


def test_a_signed_out_visitors_choice_is_remembered_over_the_browsers_language(db):
    visitor = Client()
    response = _choose(visitor, "cy", SIGN_IN)

    assert response.status_code == 302
    assert response.url == SIGN_IN
    page = _tree(visitor.get(SIGN_IN, headers={"accept-language": "en-GB"}))
    assert page.xpath("string(//h1)") == "Mewngofnodi"
    assert "Mae eich enw defnyddiwr a'ch cyfrinair" in page.text_content()


def test_a_signed_in_users_choice_follows_them_to_another_browser(client, sending_school_user):
    client.force_login(sending_school_user)
    _choose(client, "cy", START)
    sending_school_user.refresh_from_db()
    assert sending_school_user.language == "cy"

    elsewhere = type(client)()
    elsewhere.force_login(sending_school_user)
    page = _tree(elsewhere.get(START, headers={"accept-language": "en-GB"}))
    assert page.get("lang") == "cy"
    assert page.xpath("string(//title)") == "Dechrau – s2s"


def test_choosing_english_again_is_remembered_too(client, sending_school_user):
    client.force_login(sending_school_user)
    _choose(client, "cy", START)
    _choose(client, "en-gb", START)

    assert User.objects.get(pk=sending_school_user.pk).language == "en-gb"
    page = _tree(client.get(START, headers={"accept-language": "cy"}))
    assert page.xpath("string(//title)") == "Start – s2s"


def test_the_switch_never_sends_anyone_to_another_site(db):
    response = _choose(Client(), "cy", "https://evil.example/phish")
    assert response.status_code == 302
    assert response.url == "/"


def test_a_language_the_service_does_not_have_is_not_found(db):
    assert _choose(Client(), "fr", SIGN_IN).status_code == 404


def test_the_start_page_reads_in_welsh(client, la_dba):
    client.force_login(la_dba)
    _choose(client, "cy", START)
    page = _tree(client.get(START))
    text = page.text_content()

    menu = [a.text_content().strip() for a in page.xpath("//nav[@aria-label='Dewislen']//a")]
    assert menu[0] == "Dechrau"
    assert "Negeseuon" in menu
    assert "Adroddiadau" in menu
    assert page.xpath("string(//button[@type='submit'])").strip() == "Allgofnodi"
    for words in ["Trosglwyddo diogel o ysgol i ysgol", "Wedi mewngofnodi fel",
                  "Gweinyddwr cronfa ddata ALl", "Beth allwch chi ei wneud", "Gweinyddu",
                  "Mae data disgyblion yn gyfrinachol", "Neidio i'r prif gynnwys"]:
        assert words in text, words


def test_the_page_not_found_reads_in_welsh(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/", headers={"accept-language": "cy"})
    assert response.status_code == 404
    page = lxml.html.fromstring(response.content)
    assert page.xpath("string(//h1)") == "Tudalen heb ei chanfod"
    assert page.xpath("string(//main//a)") == "Mynd i'r dudalen gychwyn"


EMAIL_LANGUAGE = reverse("accounts:email-language")


def _checked(client) -> str:
    page = _tree(client.get(EMAIL_LANGUAGE))
    return "".join(page.xpath("//input[@name='email_language'][@checked]/@value"))


def test_a_welsh_school_user_chooses_english_only_emails(client, outsider_school_user):
    client.force_login(outsider_school_user)
    assert _checked(client) == "cy+en-gb"

    response = client.post(EMAIL_LANGUAGE, {"email_language": "en-gb"})

    assert response.status_code == 302
    assert User.objects.get(pk=outsider_school_user.pk).email_language == "en-gb"
    assert _checked(client) == "en-gb"


def test_an_english_user_may_choose_both_languages(client, sending_school_user):
    client.force_login(sending_school_user)
    assert _checked(client) == "en-gb"

    client.post(EMAIL_LANGUAGE, {"email_language": "cy+en-gb"})

    assert User.objects.get(pk=sending_school_user.pk).email_language == "cy+en-gb"


def test_a_language_not_offered_is_refused_on_the_page(client, sending_school_user):
    client.force_login(sending_school_user)
    page = _tree(client.post(EMAIL_LANGUAGE, {"email_language": "fr"}))

    assert page.xpath("//div[contains(@class, 'govuk-error-summary')]")
    assert User.objects.get(pk=sending_school_user.pk).email_language == ""
