"""A report as a streamed CSV download: UTF-8, a header row of column keys, formulas neutralised."""

from django.http import StreamingHttpResponse
from django.utils import timezone

from s2s.core.csvsafe import csv_lines
from s2s.reports.registry import Params, Report


def csv_response(report: Report, params: Params) -> StreamingHttpResponse:
    """Stream the report's rows as CSV; the rows come from the database a chunk at a time."""
    header = [column.key for column in report.columns]
    response = StreamingHttpResponse(csv_lines(header, report.csv_rows(params)),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="s2s-{report.name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
