"""Uploads read by python-multipart give what Django's parser gives, or go to it (issue 18)."""

import io
from functools import partial

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http.multipartparser import MultiPartParser
from hypothesis import given, settings
from hypothesis import strategies as st

from s2s.core import multipart

BOUNDARY = "BoUnDaRy-1234"


def _body(parts, *, boundary=BOUNDARY, line=b"\r\n", preamble=b"", epilogue=b"",
          closed=True) -> bytes:
    out = io.BytesIO()
    out.write(preamble)
    for headers, content in parts:
        out.write(b"--" + boundary.encode() + line)
        for header in headers:
            out.write(header + line)
        out.write(line + content + line)
    if closed:
        out.write(b"--" + boundary.encode() + b"--" + line)
    out.write(epilogue)
    return out.getvalue()


def _file_part(field="file", name="8383321_CTF_8384512_001.XML", content=b"<CTfile/>",
               kind=b"application/xml"):
    headers = [b'Content-Disposition: form-data; name="%s"; filename="%s"'
               % (field.encode(), name.encode())]
    if kind is not None:
        headers.append(b"Content-Type: " + kind)
    return headers, content


def _request(body: bytes, *, boundary=BOUNDARY, length=None) -> WSGIRequest:
    return WSGIRequest({
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/files", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(body) if length is None else length),
    })


def _outcome(request: WSGIRequest):
    """What a view would see: the fields and files, or the error Django's handler answers."""
    try:
        files = request.FILES
        post = request.POST
    except Exception as error:  # noqa: BLE001 - the error's kind is the outcome
        return type(error).__name__
    return (
        sorted(post.lists()),
        sorted((field, upload.name, upload.read(), upload.content_type, upload.charset,
                upload.content_type_extra, upload.size, type(upload).__name__)
               for field, uploads in files.lists() for upload in uploads),
    )


def _both(body: bytes, **options):
    django_request = _request(body, **options)
    ours = _request(body, **options)
    ours.parse_file_upload = partial(multipart.parse_file_upload, ours)
    return _outcome(django_request), _outcome(ours)


def _fast_only(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Django's parser was asked")
    monkeypatch.setattr(MultiPartParser, "parse", refuse)


def test_a_plain_upload_is_read_without_djangos_parser_and_as_it_would_read_it(monkeypatch):
    body = _body([_file_part(kind=b"application/xml; charset=utf-8"),
                  _file_part(name="second.zip", content=b"PK\x03\x04\r\n--x", kind=None)])
    expected = _outcome(_request(body))
    _fast_only(monkeypatch)
    ours = _request(body)
    ours.parse_file_upload = partial(multipart.parse_file_upload, ours)

    assert _outcome(ours) == expected
    assert [f.name for f in ours.FILES.getlist("file")] == ["8383321_CTF_8384512_001.XML",
                                                          "second.zip"]


@pytest.mark.parametrize("body", [
    _body([_file_part(), ([b'Content-Disposition: form-data; name="note"'], b"hello")]),
    _body([_file_part(name="../../etc/passwd")]),
    _body([_file_part(name="caf&eacute;.xml")]),
    _body([(_file_part()[0] + [b"Content-Transfer-Encoding: base64"], b"PENUZmlsZS8+")]),
    _body([_file_part()], line=b"\n"),
    _body([_file_part()], closed=False),
    _body([_file_part()], preamble=b"a preamble\r\n", epilogue=b"after"),
    _body([]),
    b"not multipart at all",
], ids=["a field", "a path", "an entity", "base64", "bare LF", "unclosed", "preamble",
        "no parts", "garbage"])
def test_anything_but_the_plain_case_gets_djangos_answer(body):
    django, ours = _both(body)
    assert ours == django


def test_a_body_past_the_memory_limit_goes_to_djangos_parser(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    body = _body([_file_part(content=b"x" * 200)])
    django, ours = _both(body)
    assert ours == django
    assert django[1][0][-1] == "TemporaryUploadedFile"


@pytest.mark.parametrize("most", [1, None])
def test_the_limit_on_files_is_djangos(settings, most):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = most
    django, ours = _both(_body([_file_part(), _file_part(name="b.xml")]))
    assert ours == django
    if most is None:
        assert [upload[1] for upload in ours[1]] == ["8383321_CTF_8384512_001.XML", "b.xml"]
    else:
        assert ours == "TooManyFilesSent"


def test_a_short_body_and_a_bad_boundary_get_djangos_answer():
    body = _body([_file_part()])
    django, ours = _both(body[:-20], length=len(body))
    assert ours == django
    django, ours = _both(body, boundary="")
    assert ours == django == "MultiPartParserError"
    django, ours = _both(body, boundary=BOUNDARY + '"; name="caf\u00e9')
    assert ours == django == "MultiPartParserError"


# Mostly the plain case, which takes the quicker path, with enough else to leave it.
_NAMES = st.one_of(st.sampled_from(["file", "files", "a-b_c", "F1"]), st.text(max_size=8))
_FILE_NAMES = st.one_of(
    st.sampled_from(["8383321_CTF_8384512_001.XML", "x.zip", "A-b_c.d", "7.xml"]),
    st.sampled_from([".", "..", "", "a b.xml", "a/b.xml", "&amp;.xml"]), st.text(max_size=12))
_KINDS = st.one_of(st.none(), st.sampled_from([b"application/xml", b"TEXT/XML; Charset=UTF-8",
                                               b"application/zip; name=x"]))
_CONTENT = st.one_of(st.binary(max_size=64), st.binary(max_size=64), st.binary(max_size=64),
                     st.sampled_from([b"--" + BOUNDARY.encode(), b"\r\n--" + BOUNDARY.encode()
                                      + b"--\r\n", b"\r\n\r\n", b"\r\n--" + BOUNDARY.encode()
                                      + b"\r\n"]))


_PLAIN_PART = st.tuples(st.sampled_from(["file", "files", "a-b_c"]),
                        st.sampled_from(["8383321_CTF_8384512_001.XML", "x.zip", "A-b_c.d"]),
                        _CONTENT, _KINDS)
_ANY_PART = st.tuples(_NAMES, _FILE_NAMES, _CONTENT, _KINDS)


@settings(max_examples=300)
@given(parts=st.one_of(st.lists(_PLAIN_PART, min_size=1, max_size=3),
                       st.lists(st.one_of(_PLAIN_PART, _ANY_PART), max_size=3)),
       line=st.sampled_from([b"\r\n"] * 7 + [b"\n"]),
       closed=st.sampled_from([True] * 7 + [False]),
       cut=st.sampled_from([0] * 12 + [1, 2, 8]))
def test_any_body_gets_the_answer_djangos_parser_gives(parts, line, closed, cut):
    built = []
    for field, name, content, kind in parts:
        headers = ['Content-Disposition: form-data; name="%s"; filename="%s"' % (field, name)]
        headers = [header.encode("utf-8", "surrogatepass") for header in headers]
        if kind is not None:
            headers.append(b"Content-Type: " + kind)
        built.append((headers, content))
    body = _body(built, line=line, closed=closed)
    body = body[:len(body) - cut]
    django, ours = _both(body)
    assert ours == django
