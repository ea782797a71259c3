"""The kinds of audit event in words: what the audit page shows (the CSV keeps the codes).

Each service names its event by a stable code (`audit_record(action="lpd_search")`); this is
the one place a code becomes words for a person. A code missing here is shown as itself, and
`audit/tests/test_event_words.py` fails for any code the services use that has no words.
"""

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from s2s.ctf.words import Text

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

EVENT_WORDS = {
    # Signing in and accounts
    "sign_in": _("Signed in"),
    "sign_in_failed": _("Failed to sign in"),
    "sign_out": _("Signed out"),
    "password_change": _("Changed password"),
    "account_activated": _("Activated the account"),
    "two_factor_added": _("Set up two-factor sign-in"),
    "two_factor_verified": _("Entered a two-factor code"),
    "two_factor_failed": _("Entered a wrong two-factor code"),
    "two_factor_removed": _("Removed two-factor sign-in"),
    "user.two_factor_reset": _("Reset a user's two-factor sign-in"),
    "user.created": _("Added a user"),
    "user.role_changed": _("Changed a user's role"),
    "user.deleted": _("Deleted a user"),
    "user.password_reset": _("Reset a user's password"),
    "user.confirmed": _("Confirmed a user still needs their account"),
    "user.enabled": _("Enabled a user"),
    "user.disabled": _("Disabled a user"),
    "user.review_warning": _("Warned that an account will be disabled"),
    "user.disabled_by_review": _("Disabled an account nobody confirmed"),
    "api_token.created": _("Issued an API token"),
    "api_token.revoked": _("Revoked an API token"),
    # Directory
    "directory.la.create": _("Added a local authority"),
    "directory.la.update": _("Changed a local authority"),
    "directory.establishment.update": _("Changed a school"),
    "directory.establishment.successor": _("Set a school's successor"),
    "directory.import": _("Imported the establishment register"),
    "directory.agency.create": _("Added an agency"),
    # Agencies (issue 16)
    "agency.agreement_made": _("Made an agency exchange agreement"),
    "agency.agreement_ended": _("Ended an agency exchange agreement"),
    "encompass.sent": _("Sent an Operation Encompass notification"),
    "encompass.read": _("Read an Operation Encompass notification"),
    "encompass.escalated": _("Escalated an unread Operation Encompass notification"),
    "encompass.purged": _("Deleted an Operation Encompass notification's details"),
    # Files
    "transfer_upload": _("Uploaded a file"),
    "transfer_download": _("Downloaded a file"),
    "transfer_re_download": _("Downloaded a file again"),
    "transfer_collect": _("Confirmed a file downloaded correctly"),
    "transfer_reject": _("Rejected a file"),
    "transfer_delete": _("Deleted a file"),
    "transfer_forward": _("Forwarded a file"),
    "transfer_phase_split": _("Split a file for phase transfer"),
    "transfer_pupils_view": _("Viewed the pupils in a file"),
    "la_not_collected_view": _("Viewed files not collected"),
    "copy_download": _("Downloaded a copy of a school's file"),
    # Lost Pupil Database
    "lpd_search": _("Searched the Lost Pupil Database"),
    "lpd_view": _("Viewed a lost pupil record"),
    "lpd_download": _("Downloaded a lost pupil file"),
    "lpd_downloaded": _("Confirmed a lost pupil file downloaded correctly"),
    "lpd_forward": _("Sent a lost pupil file to a school"),
    "lpd_remove": _("Removed a lost pupil record"),
    "lpd_purge": _("Purged a lost pupil record at leaving age"),
    "lpd_la_records_view": _("Viewed the LA's lost pupil records"),
    "lpd_report_details": _("Viewed the lost pupil details report"),
    "lpd_found": _("Marked a lost pupil found on a school's roll"),
    # Matching lost pupils against the rolls
    "match_pairs_view": _("Viewed the list of possible matches"),
    "match_pair_view": _("Viewed a possible match"),
    "match_pair_accept": _("Accepted a possible match"),
    "match_pair_reject": _("Rejected a possible match"),
    "match_run_start": _("Started a full match run"),
    "match_run_finished": _("Ran the matcher against the rolls"),
    "match_run_failed": _("A match run failed"),
    "match_model_train": _("Trained a new version of the match model"),
    # Messages
    "message_sent": _("Sent a message"),
    "message_read": _("Read a message"),
    "message_deleted": _("Deleted a message"),
    "messages_purged": _("Deleted old messages"),
    "message_template_created": _("Saved a message template"),
    "message_template_updated": _("Changed a message template"),
    "message_template_deleted": _("Deleted a message template"),
    "message_group_created": _("Saved a message group"),
    "message_group_updated": _("Changed a message group"),
    "message_group_deleted": _("Deleted a message group"),
    # Calendars and MIS feeds
    "calendar.set": _("Set a school or LA calendar"),
    "feed_receive": _("Received an MIS feed"),
    "feed_report_view": _("Viewed an MIS feed's report"),
    "feeds_purge": _("Deleted MIS feed data past retention"),
    # Children missing education
    "cme_signals_view": _("Viewed children-missing-education signals"),
    "cme_case_open": _("Opened a children-missing-education case"),
    "cme_case_action": _("Recorded an action on a children-missing-education case"),
    "cme_case_view": _("Viewed a children-missing-education case"),
    "cme_cases_view": _("Viewed a list of children-missing-education cases"),
    "cme_case_turned_up": _("Flagged a children-missing-education case: the child is on a "
                            "school's roll"),
    "cme_signal_view": _("Viewed a children-missing-education signal"),
    "cme_returns_view": _("Viewed the returns schools owe their LA"),
    "cme_return_received": _("Marked a school's return received"),
    "cme_csv_download": _("Downloaded a children-missing-education list"),
    # Partnerships
    "partnership.created": _("Created a partnership"),
    "partnership.signed": _("Signed a partnership's data sharing agreement"),
    "partnership.pupil_linked": _("Linked a pupil in a partnership"),
    "partnership.objection": _("Recorded an objection to sharing a pupil's data"),
    "partnership.records_sent": _("Sent records to a partnership"),
    "partnership.pupils_listed": _("Viewed a partnership's linked pupils"),
    "partnership.pupil_viewed": _("Viewed a pupil's shared records"),
    "partnership.pupil_exported": _("Downloaded a pupil's shared records"),
    "partnership.changes_read": _("Read a partnership's changed records"),
    "partnership.lapsed": _("A partnership's review date passed: sharing stopped"),
    "partnership.ended": _("Ended a partnership and deleted its shared records"),
    "partnership.records_purged": _("Deleted shared records past retention"),
    "partnership.renewed": _("Renewed a partnership's agreement to a new review date"),
}


def event_words(action: str) -> str:
    """Return what happened, in words, for an event's code (the code itself if unknown)."""
    words = EVENT_WORDS.get(action)
    return str(words) if words is not None else action


def event_details(summary: str, detail: dict | None) -> str:
    """Return an event's details in the active language (the stored English if no words).

    The words are those `audit_record` kept in `detail["words"]`; a row written without them,
    or with words that no longer render, shows its stored `summary`.
    """
    words = (detail or {}).get("words") if isinstance(detail, dict) else None
    if not isinstance(words, dict) or "template" not in words:
        return summary
    try:
        return _dates_shown(Text.from_json(words)).render(gettext)
    except (KeyError, TypeError, ValueError):
        return summary


def _dates_shown(words: Text) -> Text:
    """Return `words` with each value kept as an ISO date ("2027-03-31") as the reader writes it.

    The stored English keeps the ISO form (as the CSV does); the page says "31 March 2027" or
    "31 Mawrth 2027".
    """
    def shown(value):
        if isinstance(value, Text):
            return _dates_shown(value)
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return date_format(date.fromisoformat(value), "j F Y")
        return value
    return Text(words.template, **{name: shown(value) for name, value in words.params.items()})
