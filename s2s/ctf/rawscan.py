"""A watch over a CTF's raw bytes for anything that could make an empty leaf or a bad leaf date.

The leaf checks (`validate.PupilChecks.leaves`: empty elements, leaf *Date elements that are
not real CCYY-MM-DD dates) cost more than parsing when each pupil is serialised and scanned.
Most files hold neither, so the reader's file wrapper scans the bytes once as it reads them
(each piece with the tail of the one before, from its last but one `<`, so nothing is missed
at a piece's edge) and sets `suspect` on anything that could make either, or that the scan
cannot see through:

- a self-closed element (`/>`), or a start tag followed only by white space then an end tag
  (or by a character past ASCII, where the wide spaces are);
- a comment, CDATA section, DOCTYPE or processing instruction (`<!`, `<?`);
- a character or entity reference (`&`), or an attribute (`=`), as a `>` may hide in one;
- the text of an element named *Date that is not a real date once stripped.

The start-tag pass is done in C (`_leafscan.c`, built at install where a compiler is found;
otherwise `_START_THEN_BLANK`, which gives the same answers and which the tests compare it
with): the regex engine stops at every `<` of the file, a third of a bare parse's time. C also
looks at the *Date texts first and passes a piece whose texts are all blank or plainly real
dates; any other piece's texts go to `_dates_real`, which decides.

While nothing is suspect, every pupil read so far surely has neither (a pupil's bytes are all
read before the parser reports its end), and the leaf checks are skipped; once something is,
they run for every pupil from then on. Any doubt is suspect: a false alarm costs time only.
"""

import re
from datetime import date

try:
    from s2s.ctf._leafscan import dates_plain as _dates_plain_c
    from s2s.ctf._leafscan import start_then_blank as _start_then_blank_c
except ImportError:  # built by `make install` (setup.py) where a C compiler is found
    _start_then_blank_c = _dates_plain_c = None

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# The XML declaration and the root's start tag (no attributes), skipped: an attribute of the
# declaration is no pupil's. Anything else before the root is scanned, and is suspect.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?[\t\n\r ]*(?:<\?xml[^<>]*\?>[\t\n\r ]*)?"
                     rb"<[A-Za-z]+[\t\n\r ]*>")
# Anything that is suspect wherever it is, by its rarest byte first (one memchr each, in C):
# a comment, CDATA, DOCTYPE or processing instruction, a reference, an attribute.
_MARKERS = ((b"!", b"<!"), (b"?", b"<?"), (b"&", b"&"), (b"=", b"="))
# A start tag that closes itself ("/" in a start tag: "/>", or an attribute, which "=" finds),
# or is followed by white space (Python's str.isspace among ASCII) and then an end tag or a
# byte past ASCII: an element that may be empty. One pass for both (a pass stopping at each
# "<" costs as much as three stopping at none).
_START_THEN_BLANK = re.compile(rb"<[^/<>][^/<>]*+(?:/|>[\t-\r\x1c-\x20]*+(?:</|[\x80-\xff]))")


def start_then_blank_re(piece: bytes) -> bool:
    """Return whether `piece` holds a match of _START_THEN_BLANK."""
    return _START_THEN_BLANK.search(piece) is not None


# The same answer from C (_leafscan.c: the regex engine stopping at every "<" cost as much as
# parsing a third of the file), or from the regex where the C module was not built.
start_then_blank = _start_then_blank_c or start_then_blank_re
# The text that follows a tag named *Date up to the next tag (an end tag's when a leaf).
_DATE_TEXT = re.compile(rb"Date[\t\n\r ]*>([^<]*)</")


def _dates_plain_re(piece: bytes) -> bool:
    return False  # without the C module, every piece's date texts go to _dates_real


# True when every date text in a piece is surely blank or a real date (C, without a Python
# object per date); False leaves them to _dates_real, which decides.
dates_plain = _dates_plain_c or _dates_plain_re
# Texts seen to be real dates once stripped (bounded: a file may hold many).
_REAL: set[bytes] = set()
_REAL_HELD = 1 << 14
# A piece's tail kept for the next is from its last but one "<"; past this, the scan gives up.
_TAIL_HELD = 1 << 16
_PROLOG_HELD = 4096


def iso_date(text: str) -> date | None:
    """Return the date of a CCYY-MM-DD text, or None when it is not a real one."""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _dates_real(values: list[bytes]) -> bool:
    for value in set(values).difference(_REAL):
        if not value.strip(b"\t\n\r "):
            # White space after an end tag; after a start tag it is an empty leaf, which
            # _START_THEN_BLANK finds.
            continue
        if iso_date(value.decode("utf-8", "replace").strip()) is None:
            return False
        if len(_REAL) >= _REAL_HELD:
            _REAL.clear()
        _REAL.add(value)
    return True


class LeafWatch:
    """Scan each piece of a file as it is read; `suspect` once anything could be a bad leaf."""

    def __init__(self) -> None:
        self.suspect = False
        self._tail: bytes | None = None  # None until the prolog is passed
        self._prolog = b""

    def read(self, data: bytes) -> None:
        """Scan the next piece of the file."""
        if self.suspect or not data:
            return
        if self._tail is None:
            data = self._prolog + data
            match = _PROLOG.match(data)
            if match is None:
                # Wait for the declaration's ">" and the root's, then give up.
                if len(data) < _PROLOG_HELD and data.count(b">") < 2:
                    self._prolog = data
                else:
                    self.suspect = True
                return
            data, self._tail, self._prolog = data[match.end():], b"", b""
        piece = self._tail + data if self._tail else data
        if self.scan(piece):
            self.suspect = True
            return
        # Every pattern holds at most two "<": keep the piece from its last but one.
        cut = piece.rfind(b"<", 0, max(piece.rfind(b"<"), 0))
        self._tail = piece[cut:] if cut >= 0 else piece
        if len(self._tail) > _TAIL_HELD:
            self.suspect = True

    @staticmethod
    def scan(piece: bytes) -> bool:
        """Return True when `piece` holds anything that could make a bad leaf."""
        for byte, marker in _MARKERS:
            if byte in piece and marker in piece:
                return True
        return start_then_blank(piece) or not (
            dates_plain(piece) or _dates_real(_DATE_TEXT.findall(piece)))


def suspect_whole(content: bytes) -> bool:
    """Return True when a whole file could hold a bad leaf anywhere."""
    watch = LeafWatch()
    watch.read(content)
    return watch.suspect
