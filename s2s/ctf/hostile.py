"""The hostile-XML guard: what no XML the hub reads may be, and the parser that never loads.

Every XML file the hub reads (CTFs, and the plain statutory returns it only carries) passes
three checks (issue 20; DESIGN.md, The CTF format: hostile XML is refused):

- its encoding, from its first bytes (XML 1.0, appendix F: a byte-order mark, the pattern of
  the first four bytes, then the XML declaration), must be UTF-8: a CTF is always written in
  UTF-8, and a file in UTF-16 or UTF-32 is refused before it is parsed;
- it has no document type declaration: no internal subset, no external DTD, no entity
  declaration. This is decided from what the parser itself reports (its `docinfo`), so it holds
  whatever the encoding and however the DOCTYPE is hidden, and the parser is set never to load
  a DTD, resolve an entity or touch the network or the file system while it gets that far;
- libxml2's own depth and text limits (`huge_tree` off), reported as hostile, not as bad XML.
"""

import io
import re
from typing import BinaryIO

from lxml import etree

from s2s.ctf.errors import CTFError, EncodingError, HostileXMLError, NotXMLError
from s2s.ctf.words import Text, _

# What a file should be, for the messages; a caller names other documents.
A_CTF = _("a CTF")

# Both ways of reading (the whole-file parse and iterparse) take these options, so both refuse
# the same things: no DTD loaded, no entity resolved, no network, libxml2's limits on.
PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False,
)


class NeverLoad(etree.Resolver):
    """A resolver that hands libxml2 nothing for any DTD or entity it would fetch.

    libxml2 asks for an external subset or parameter entity named in a DOCTYPE even with
    `load_dtd` off; left to itself it would read that file (`file:///dev/zero` never ends).
    The document is refused for its DOCTYPE anyway: this makes sure nothing is read first.
    """

    def resolve(self, url, pubid, context):  # noqa: D102 - lxml's interface
        return self.resolve_string("", context)


def xml_parser() -> etree.XMLParser:
    """Return a parser with the guard's options that never loads anything."""
    parser = etree.XMLParser(**PARSER_OPTIONS)
    parser.resolvers.add(NeverLoad())
    return parser


def xml_events(
    source: BinaryIO, *, events: tuple[str, ...] = ("end",), tags: tuple[str, ...] | None = None
) -> etree.iterparse:
    """Return an iterparse over `source` with the guard's options that never loads anything.

    `tags` limits the events to elements of those names (libxml2 still builds every element;
    only the named ones reach Python).
    """
    parsing = etree.iterparse(source, events=events, tag=tags, **PARSER_OPTIONS)
    parsing.resolvers.add(NeverLoad())
    return parsing


# --- the encoding ---------------------------------------------------------------------------

# Byte-order marks and, without one, the first four bytes of "<?xm" (XML 1.0, appendix F).
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"), (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"), (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_PATTERNS = (
    (b"\x00\x00\x00<", "UTF-32 (big-endian)"), (b"<\x00\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00<\x00?", "UTF-16 (big-endian)"), (b"<\x00?\x00", "UTF-16 (little-endian)"),
    (b"\x4c\x6f\xa7\x94", "EBCDIC"),
)
_DECLARATION = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# UTF-8 by any of its names; US-ASCII is UTF-8's first 128 characters.
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def detected_encoding(*, head: bytes) -> str:
    """Return the encoding a file's first bytes say it is in; "UTF-8" when they say nothing."""
    for mark, name in _BOMS:
        if head.startswith(mark):
            return name
    for pattern, name in _PATTERNS:
        if head.startswith(pattern):
            return name
    if b"\x00" in head[:4]:
        # Some other arrangement of UTF-16 or UTF-32 (XML 1.0 never has a NUL character).
        return "UTF-16 or UTF-32"
    declaration = _DECLARATION.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declaration is not None:
        name = (declaration.group(1) or declaration.group(2) or b"").decode("latin-1")
        return name.strip() or "UTF-8"
    return "UTF-8"


def check_encoding(*, head: bytes, document: str = A_CTF) -> None:
    """Refuse a file not written in UTF-8, naming the encoding it declares.

    `document` names what the file should be, for the message ("a CTF").
    """
    name = detected_encoding(head=head)
    if name.lower() not in _UTF8_NAMES:
        shown = name if len(name) <= 40 else name[:40] + "..."
        raise EncodingError(
            _("the file is in the encoding %(encoding)s, and %(document)s is always written "
              "in UTF-8: export it again as UTF-8", encoding=shown, document=document),
            field="encoding",
        )


# --- the DTD, from the parser's own report --------------------------------------------------

DTD_MESSAGE = _("the file contains a document type declaration (DOCTYPE), which %(document)s "
                "never has; it was refused for safety")


def has_dtd(docinfo: etree.DocInfo) -> bool:
    """Return whether the parser met a DOCTYPE: an internal subset or an external DTD."""
    return bool(
        docinfo.internalDTD is not None or docinfo.externalDTD is not None
        or docinfo.doctype or docinfo.system_url or docinfo.public_id
    )


def refuse_dtd(*, element: etree._Element, document: str = A_CTF) -> None:
    """Refuse the document `element` belongs to if the parser met a DOCTYPE in it."""
    if has_dtd(element.getroottree().docinfo):
        raise HostileXMLError(Text(DTD_MESSAGE.template, document=document), field="DOCTYPE")


def refuse_dtd_in_prolog(*, head: bytes, document: str = A_CTF) -> None:
    """Refuse a file whose parse failed if the parser met a DOCTYPE before its root element.

    Asked only once a parse has stopped on an error (an entity expanding too far, say), which
    may come before the reader's first check: the parser reads `head`, the file's first bytes,
    up to the root element's start tag and reports whether a DOCTYPE came before it.
    """
    parsing = xml_events(io.BytesIO(head), events=("start",))
    try:
        for _event, element in parsing:
            refuse_dtd(element=element, document=document)
            return
    except etree.XMLSyntaxError:
        return  # the DTD itself is broken or hostile: the first error says so


# --- what the parser says when it stops -----------------------------------------------------

_HOSTILE_PARSER_MESSAGES = (
    ("Excessive depth", _("the XML is nested deeper than 256 levels; a CTF needs fewer than 20")),
    ("huge text node", _("an element holds more than 10 MB of text")),
    ("Text node too long", _("an element holds more than 10 MB of text")),
    ("Huge input lookup", _("an element or attribute is larger than 10 MB")),
    ("Detected an entity reference loop", _("the XML's entities refer to each other in a loop")),
    ("Maximum entity amplification", _("the XML's entities expand too far")),
)


def parser_error(error: etree.XMLSyntaxError, log: etree._ListErrorLog) -> CTFError:
    """Return the refusal for a parser's error: hostile for its safety limits, else not XML."""
    last = log.last_error if len(log) else None
    message = last.message if last is not None else str(error.msg or error)
    line = last.line if last is not None else error.lineno
    for marker, text in _HOSTILE_PARSER_MESSAGES:
        if marker in message:
            return HostileXMLError(text, line=line)
    if last is not None and last.type_name == "ERR_RESOURCE_LIMIT":
        return HostileXMLError(_("the XML exceeds the parser's safety limits (%(problem)s)",
                                 problem=message),
                               line=line)
    if last is None and message == "no element found":
        return NotXMLError(_("the file is empty or holds no XML element"))
    return NotXMLError(_("the file is not well-formed XML: line %(line)s: %(problem)s",
                         line=line, problem=message), line=line)


# --- a whole document that the hub only carries ---------------------------------------------

PROLOG_BYTES = 64 * 1024


def check_safe_xml(*, source: BinaryIO, document: str) -> None:
    """Refuse an XML file the hub carries unread unless it is safe, well-formed UTF-8 XML.

    Streams `source` through the guarded parser in bounded memory; `document` names what the
    file should be ("a school census (PLASC) file"), for the messages.
    """
    head = source.read(PROLOG_BYTES)
    check_encoding(head=head, document=document)
    source.seek(0)
    parsing = xml_events(source)
    first = True
    try:
        for _event, element in parsing:
            if first:
                refuse_dtd(element=element, document=document)
                first = False
            element.clear(keep_tail=True)
            while element.getprevious() is not None:  # memory stays bounded
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        if first:
            refuse_dtd_in_prolog(head=head, document=document)
        raise parser_error(error, parsing.error_log) from None
    if first:
        raise NotXMLError(_("the file is empty or holds no XML element"))
