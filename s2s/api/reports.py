"""Reports: every report the caller may run, as the same CSV its page offers (issue 7)."""

from django.http import HttpRequest
from ninja import Path, Router

from s2s.api.errors import ERRORS
from s2s.core.errors import ServiceError
from s2s.reports.exports import csv_response
from s2s.reports.registry import REPORTS, report_for

router = Router(tags=["reports"])

CSV_DOC = {
    "parameters": [
        {"in": "query", "name": "from", "required": False,
         "schema": {"type": "string", "format": "date"},
         "description": "First day of uploads (YYYY-MM-DD); blank: from the beginning."},
        {"in": "query", "name": "to", "required": False,
         "schema": {"type": "string", "format": "date"},
         "description": "Last day of uploads, included; blank: today."},
    ],
    "responses": {200: {
        "description": "UTF-8 CSV with a header row of column names; cells that a "
                       "spreadsheet would run as a formula start with an apostrophe. Each "
                       "report's own filters (la, school, las, nation, file_type) are the "
                       "same as on its page.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }},
}


@router.get("/{name}.csv", response={**ERRORS}, openapi_extra=CSV_DOC,
            summary="Download a report as CSV",
            description="Reports: " + ", ".join(REPORTS) + ".")
def report_download(request: HttpRequest, name: Path[str]):
    """Download one report as CSV, scoped to the token's user as its page is."""
    report = report_for(request.auth, name)
    form, params = report.parse(request.auth, request.GET)
    if params is None:
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(str(errors[0]), code="invalid", field=field)
    return csv_response(report, params)
