"""Hostile XML as an attacker writes it (issue 20), in every encoding XML allows, for all tests.

The transfer and API tests take these too, so each attack is tried through every surface.
"""

import codecs

# (id, Python codec, name in the declaration, byte-order mark or b"")
ENCODINGS = [
    ("utf8", "utf-8", "UTF-8", b""),
    ("utf8-bom", "utf-8", "UTF-8", codecs.BOM_UTF8),
    ("utf16le", "utf-16-le", "UTF-16", b""),
    ("utf16le-bom", "utf-16-le", "UTF-16", codecs.BOM_UTF16_LE),
    ("utf16be", "utf-16-be", "UTF-16", b""),
    ("utf16be-bom", "utf-16-be", "UTF-16", codecs.BOM_UTF16_BE),
    ("utf32le", "utf-32-le", "UTF-32", b""),
    ("utf32le-bom", "utf-32-le", "UTF-32", codecs.BOM_UTF32_LE),
    ("utf32be", "utf-32-be", "UTF-32", b""),
    ("utf32be-bom", "utf-32-be", "UTF-32", codecs.BOM_UTF32_BE),
]
ENCODING_IDS = [e[0] for e in ENCODINGS]

EXTERNAL_ENTITY_DTD = '<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def encoded(text: str, *, codec: str, name: str, bom: bytes) -> bytes:
    """Return `text`, an XML document without a declaration, declared and written in `codec`."""
    return bom + (f'<?xml version="1.0" encoding="{name}"?>\n' + text).encode(codec)


def without_declaration(content: bytes) -> str:
    """Return a UTF-8 document's text without its XML declaration."""
    text = content.decode("utf-8")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2:].lstrip()
    return text


def with_external_entity(content: bytes, *, root: str = "CTfile", use_in: str | None = "Surname"
                         ) -> str:
    """Return a UTF-8 document's text with a DOCTYPE declaring an external entity.

    With `use_in`, the first element of that name holds the entity instead of its text: the
    attack of issue 20, item 1.
    """
    text = without_declaration(content)
    if use_in is not None:
        start = text.index(f"<{use_in}>") + len(use_in) + 2
        end = text.index(f"</{use_in}>", start)
        text = text[:start] + "&secret;" + text[end:]
    return EXTERNAL_ENTITY_DTD.format(root=root) + "\n" + text


def expected_refusal(codec: str) -> tuple[str, str]:
    """Return the error code and the words of the refusal an attack in `codec` gets."""
    if codec == "utf-8":
        return "hostile_xml", "document type declaration (DOCTYPE)"
    return "encoding", "is always written in UTF-8"
