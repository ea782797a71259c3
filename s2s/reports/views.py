"""The report pages: the list of reports, one report on screen, and its CSV download."""

import re
from datetime import date, datetime
from itertools import islice

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.reports.exports import csv_response
from s2s.reports.registry import report_for, reports_for


@requires(Action.REPORTS)
def report_index(request):
    """List the reports this user may run."""
    return render(request, "reports/index.html", {"reports": reports_for(request.user)})


def _with_helper(form):
    form.helper = FormHelper()
    form.helper.form_method = "get"
    form.helper.add_input(Button.secondary("show", _("Show report"), type="submit"))
    return form


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def cell_shown(cell):
    """Return a cell as the page shows it: dates as "6 December 2026" (the CSV keeps ISO)."""
    if isinstance(cell, datetime):
        return formats.date_format(timezone.localtime(cell), "j F Y H:i")
    if isinstance(cell, str) and ISO_DAY.fullmatch(cell):
        cell = date.fromisoformat(cell)
    if isinstance(cell, date):
        return formats.date_format(cell, "j F Y")
    return cell


@requires(Action.REPORTS)
def report_page(request, name):
    """Show one report: its filters, its charts, and its rows (or a link to its CSV)."""
    report = report_for(request.user, name)
    form, params = report.parse(request.user, request.GET)
    context = {"report": report, "form": _with_helper(form), "params": params}
    if params is not None:
        shown = report.on_screen(params)
        rows = list(islice(report.csv_rows(params), report.screen_rows + 1)) if shown else []
        numeric = [column.numeric for column in report.columns]
        context.update(
            on_screen=shown,
            rows=[list(zip(map(cell_shown, row), numeric, strict=True))
                  for row in rows[:report.screen_rows]],
            more=len(rows) > report.screen_rows, charts=report.charts(params) if shown else [],
            csv_query=urlencode(params.query()),
        )
    return render(request, "reports/report.html", context, status=200 if params else 400)


@requires(Action.REPORTS)
def report_csv(request, name):
    """Download one report as CSV, with the same filters as its page."""
    report = report_for(request.user, name)
    form, params = report.parse(request.user, request.GET)
    if params is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    return csv_response(report, params)
