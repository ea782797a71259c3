"""A report as a streamed CSV download: UTF-8, a header row of column keys, formulas neutralised."""

from django.http import StreamingHttpResponse
from django.utils import timezone

from s2s.core.downloads import csv_download
from s2s.reports.registry import Params, Report


def csv_response(report: Report, params: Params) -> StreamingHttpResponse:
    """Stream the report's rows as CSV; the rows come from the database a chunk at a time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_download(filename=f"s2s-{report.name}-{stamp}.csv",
                        header=[column.key for column in report.columns],
                        rows=report.csv_rows(params))
