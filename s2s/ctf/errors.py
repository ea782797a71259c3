"""The errors the CTF library raises: one type per kind of failure, each with a clear message."""

from s2s.ctf.words import Text, Translate


class CTFError(Exception):
    """A refusal with a message for people, a stable code for programs and the part at fault."""

    code = "ctf_invalid"

    def __init__(self, message: str, *, field: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message if isinstance(message, Text) else Text(message)
        self.field = field
        self.line = line

    def words(self, translate: Translate | None = None) -> str:
        """Return the message in the language `translate` looks it up in (English if None)."""
        return self.message.render(translate)

    def as_dict(self) -> dict:
        """Return the error as the `{"message", "code", "field"}` shape the API uses."""
        return {"message": self.message, "code": self.code, "field": self.field}


class FileNameError(CTFError):
    """A file name that does not follow the naming table (seed 003, appendix 2)."""

    code = "file_name"


class NotXMLError(CTFError):
    """The file is not well-formed XML."""

    code = "not_xml"


class HostileXMLError(CTFError):
    """The XML uses a DTD or entities, or is too deep or too large to read safely."""

    code = "hostile_xml"


class EncodingError(CTFError):
    """The file is not written in UTF-8, the only encoding a CTF is written in."""

    code = "encoding"


class WrongRootError(CTFError):
    """The XML root is not `<CTfile>` (or the admissions `<ATfile>`)."""

    code = "wrong_root"


class HeaderError(CTFError):
    """A header field the hub needs to deliver the file is missing or unusable."""

    code = "header"


class NoPupilsError(CTFError):
    """The file holds no `<Pupil>`."""

    code = "no_pupils"


class NameMismatchError(CTFError):
    """The header's source or destination disagrees with the file name."""

    code = "name_mismatch"


class LostPupilCountError(CTFError):
    """A file for the Lost Pupil Database holds more than one pupil (DESIGN.md, File names)."""

    code = "lost_pupil_count"


class WriteError(CTFError):
    """A CTF could not be re-addressed, split or written."""

    code = "write"
