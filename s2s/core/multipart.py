"""Uploads read by python-multipart where Django's own parser would give the same answer.

Django's multipart parser steps through a body in Python: 0.3-0.4 ms of CPU for a 50 KB CTF,
a twentieth of what the whole upload costs on the busiest day (issue 18); python-multipart
reads it in an eighth of that. Only the plain case is read here: a body small enough that
Django's upload handlers would keep it in memory, whose parts are all files with plain field
and file names, no part header but its disposition and content type, and no boundary inside
their content. Anything else, and anything this cannot read, goes to Django's parser with the
same bytes, so its answers, limits and errors stay Django's (`test_multipart.py` compares).
"""

import io
import re
from functools import partial

from django.conf import global_settings, settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError

# Names that Django's parser would keep as they are (nothing to unescape, strip or decode).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}")
_PLAIN_FIELD = re.compile(r"[A-Za-z0-9_\-]{1,100}")
_HEADERS = {b"content-disposition", b"content-type"}


class _NotPlain(Exception):
    """The body is not one this module reads: Django's parser reads it instead."""


class MultipartMiddleware:
    """Give each small multipart request the quicker reader; the body is still read lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.content_type == "multipart/form-data"
                and settings.FILE_UPLOAD_HANDLERS == global_settings.FILE_UPLOAD_HANDLERS):
            # Django's request calls this when the view first asks for POST or FILES.
            request.parse_file_upload = partial(parse_file_upload, request)
        return self.get_response(request)


def parse_file_upload(request, meta, stream) -> tuple[QueryDict, MultiValueDict]:
    """Return the body's (POST, FILES) as Django's parser would, read by python-multipart."""
    length = _length(meta)
    if length is None or length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
        return type(request).parse_file_upload(request, meta, stream)
    body = stream.read(length)
    try:
        return _plain(meta, body, request.encoding or settings.DEFAULT_CHARSET)
    except _NotPlain:
        return type(request).parse_file_upload(request, meta, io.BytesIO(body))


def _length(meta) -> int | None:
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length > 0 else None


def _plain(meta, body: bytes, encoding: str) -> tuple[QueryDict, MultiValueDict]:
    content_type = meta.get("CONTENT_TYPE", "")
    boundary = parse_header_parameters(content_type)[1].get("boundary")
    if not (content_type.isascii() and boundary
            and MultiPartParser.boundary_re.fullmatch(boundary)):
        raise _NotPlain
    delimiter = boundary.encode("ascii")
    parts = _Parts.read(delimiter, body)
    most = settings.DATA_UPLOAD_MAX_NUMBER_FILES  # None: no limit
    if not parts or (most is not None and len(parts) > most):
        raise _NotPlain
    # A boundary inside a part's content: the two parsers may split it differently.
    if body.count(b"--" + delimiter) != len(parts) + 1:
        raise _NotPlain
    files = MultiValueDict()
    for headers, data in parts:
        field, upload = _file(headers, data)
        files.appendlist(field, upload)
    return QueryDict(encoding=encoding), files


class _Parts:
    """python-multipart's callbacks: each part's headers (by lower-case name) and content."""

    @classmethod
    def read(cls, boundary: bytes, body: bytes) -> list[tuple[dict[bytes, bytes], list[bytes]]]:
        collected = cls()
        parser = MultipartParser(boundary, {
            "on_part_begin": collected.part_begin, "on_header_field": collected.header_field,
            "on_header_value": collected.header_value, "on_header_end": collected.header_end,
            "on_part_data": collected.part_data, "on_end": collected.end,
        })
        try:
            parser.write(body)
            parser.finalize()
        except MultipartParseError:
            raise _NotPlain from None
        if not collected.ended:
            raise _NotPlain
        return collected.parts

    def __init__(self):
        self.parts: list[tuple[dict[bytes, bytes], list[bytes]]] = []
        self.ended = False
        self._name = self._value = b""

    def part_begin(self):
        self.parts.append(({}, []))

    def header_field(self, data, start, end):
        self._name += data[start:end]

    def header_value(self, data, start, end):
        self._value += data[start:end]

    def header_end(self):
        headers = self.parts[-1][0]
        name = self._name.strip().lower()
        if name not in _HEADERS or name in headers:
            raise _NotPlain
        headers[name] = self._value
        self._name = self._value = b""

    def part_data(self, data, start, end):
        self.parts[-1][1].append(data[start:end])

    def end(self):
        self.ended = True


def _file(headers: dict[bytes, bytes], data: list[bytes]) -> tuple[str, InMemoryUploadedFile]:
    try:
        disposition = headers[b"content-disposition"].decode("ascii")
        kind = headers.get(b"content-type", b"").decode("ascii")
    except (KeyError, UnicodeDecodeError):
        raise _NotPlain from None
    form_data, parameters = parse_header_parameters(disposition)
    field, name = parameters.get("name", ""), parameters.get("filename", "")
    if (form_data != "form-data" or set(parameters) != {"name", "filename"}
            or not _PLAIN_FIELD.fullmatch(field) or not _PLAIN_NAME.fullmatch(name)):
        raise _NotPlain
    content_type, extra = parse_header_parameters(kind) if kind else ("", {})
    extra = {key: value.encode() for key, value in extra.items()}  # as Django's parser has them
    content = b"".join(data)
    upload = InMemoryUploadedFile(
        file=io.BytesIO(content), field_name=field, name=name, content_type=content_type,
        size=len(content), charset=extra.get("charset"), content_type_extra=extra,
    )
    return field, upload
