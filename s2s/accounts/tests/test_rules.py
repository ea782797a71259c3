import pytest

from s2s.accounts.rules import check_account_email
from s2s.core.errors import ServiceError


@pytest.mark.parametrize("email", [
    "jo.bloggs@hotmail.com",
    "jo.bloggs@GMAIL.com",
    "jo@yahoo.co.uk",
    "jo@mail.yahoo.co.uk",  # a subdomain of a webmail domain
    "jo@outlook.com.",
])
def test_an_account_email_at_a_personal_webmail_domain_is_refused(email):
    with pytest.raises(ServiceError) as refused:
        check_account_email(email)
    assert refused.value.field == "email"
    assert refused.value.code == "personal_email"
    assert "work email address" in refused.value.message


@pytest.mark.parametrize("email", [
    "office3321@school.example.sch.uk",
    "s2s@dorset.gov.uk",
    "jo@notgmail.com",  # ends with the same letters, but is not gmail.com
    "jo@gmail.com.example.org",
])
def test_a_work_email_is_accepted(email):
    assert check_account_email(email) is None


def test_the_list_of_webmail_domains_comes_from_the_settings(settings):
    settings.PERSONAL_EMAIL_DOMAINS = ["example-webmail.net"]
    with pytest.raises(ServiceError):
        check_account_email("jo@example-webmail.net")
    assert check_account_email("jo@gmail.com") is None
