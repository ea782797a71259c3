"""Plain words for a refused upload: the first sentence a person reads, chosen by its code.

The upload service's message (the detail: which part of the file, what the parser found)
follows this sentence on the page; the API gives the service's message alone (issue 19).
"""

from django.utils.translation import gettext_lazy as _

from s2s.ctf.errors import CTFError
from s2s.ctf.names import parse_name

# Sentences about a file that must be a CTF; a statutory XML return is only checked as XML.
_CTF = {
    "not_xml": _("This is not a CTF: it is not XML."),
    "wrong_root": _("This is not a CTF: it is XML, but not a Common Transfer File."),
    "header": _("This CTF's header is missing something s2s needs to deliver it."),
    "no_pupils": _("This CTF holds no pupils."),
}
_ANY = {
    "not_xml": _("This file is not XML."),
    "hostile_xml": _("This file uses XML features that s2s refuses, to keep everyone safe."),
    "file_name": _("The file's name does not follow the s2s naming rules."),
    "wrong_source": _("The file's name does not start with the place you send from."),
    "no_mailbox": _("Your account cannot send files."),
    "type_not_allowed": _("Your role cannot send this kind of file."),
    "unknown_destination": _("The file is addressed to a place s2s does not know."),
    "closed_destination": _("The file is addressed to a school that has closed."),
    "inactive_destination": _("The file is addressed to a school that does not use s2s."),
    "duplicate": _("This file was sent before and is still waiting to be downloaded."),
    "name_mismatch": _("The file's name and its header disagree about where it goes."),
    "lost_pupil_count": _("A file for the Lost Pupil Database must hold exactly one pupil."),
    "zip_too_large": _("This zip file is too large."),
    "zip_empty": _("This zip file is empty."),
    "zip_too_many": _("This zip file holds too many files."),
    "zip_invalid": _("This is not a zip file, or it is damaged."),
    "zip_unsafe_path": _("This zip file holds a file that s2s refuses to pass on."),
}
_DEFAULT = _("The file was not sent.")


def _is_ctf(name: str) -> bool:
    try:
        return parse_name(name=name).file_type.code == "CTF"
    except CTFError:
        return name.upper().endswith(".XML")


def refusal_headline(*, code: str, name: str) -> str:
    """Return the plain first sentence for an upload refused with this code."""
    if code in _CTF and _is_ctf(name):
        return str(_CTF[code])
    return str(_ANY.get(code, _DEFAULT))
