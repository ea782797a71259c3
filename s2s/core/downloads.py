"""Every file and CSV the service hands over is built here: an attachment no cache may keep."""

from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from s2s.core.csvsafe import csv_lines

CSV = "text/csv; charset=utf-8"


def download_response(content: Iterable, *, filename: str,
                      content_type: str) -> StreamingHttpResponse:
    """Return `content` streamed as an attachment named `filename`, marked `no-store`.

    Downloads hold pupil data or who-did-what: no browser, proxy or shared cache may keep a
    copy. Callers may add headers (length, digest) to the response before returning it.
    """
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def csv_download(*, filename: str, header: Iterable,
                 rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Return rows as a streamed CSV attachment: UTF-8, a header row, formulas neutralised."""
    return download_response(csv_lines(header, rows), filename=filename, content_type=CSV)
