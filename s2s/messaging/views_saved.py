"""Pages of the user's message templates and groups, and the LA message report (seed 003, 7.7)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, scope
from s2s.core.downloads import csv_download
from s2s.core.errors import ServiceError
from s2s.core.forms import add_service_error
from s2s.directory.models import LocalAuthority
from s2s.messaging import selectors, services
from s2s.messaging.forms import (
    ConfirmForm,
    GroupForm,
    ReportForm,
    TemplateForm,
    group_initial,
)


def _form_page(request, form, *, save, title, back):
    """Show a form page; on a valid post, return `save(form)` (its redirect).

    A service's refusal is shown on the form, in the page's error summary.
    """
    if request.method == "POST" and form.is_valid():
        try:
            return save(form)
        except ServiceError as error:
            add_service_error(form, error)
    return render(request, "messaging/form_page.html", {"form": form, "title": title,
                                                        "back_url": back})


@requires(Action.MESSAGES)
def templates(request):
    """List the user's templates (seed 003, 6.7)."""
    return render(request, "messaging/templates.html",
                  {"templates": selectors.templates(user=request.user)})


@requires(Action.MESSAGES)
def template_detail(request, pk):
    """Show one template, to use, update, copy or delete."""
    template = selectors.template_get(user=request.user, pk=pk)
    return render(request, "messaging/template_detail.html", {"template": template})


def _template_saved(request, template):
    messages.success(request, _("Template %(name)s saved.") % {"name": template.name})
    return redirect("messaging:template-detail", pk=template.pk)


@requires(Action.MESSAGES)
def template_add(request):
    """Add a template."""
    form = TemplateForm(request.POST or None, submit=_("Add template"))

    def save(form):
        return _template_saved(request, services.template_create(
            user=request.user, request=request, **form.cleaned_data))

    return _form_page(request, form, save=save, title=_("Add a message template"),
                      back="messaging:templates")


@requires(Action.MESSAGES)
def template_edit(request, pk):
    """Update one of the user's templates."""
    template = selectors.template_get(user=request.user, pk=pk)
    initial = {"name": template.name, "subject": template.subject, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial, submit=_("Update template"))

    def save(form):
        return _template_saved(request, services.template_update(
            user=request.user, template=template, request=request, **form.cleaned_data))

    return _form_page(request, form, save=save, back="messaging:templates",
                      title=_("Update %(name)s") % {"name": template.name})


@require_POST
@requires(Action.MESSAGES)
def template_copy(request, pk):
    """Copy one of the user's templates, then open the copy to change it."""
    template = selectors.template_get(user=request.user, pk=pk)
    copy = services.template_copy(user=request.user, template=template, request=request)
    messages.success(request, _("Copied to %(name)s.") % {"name": copy.name})
    return redirect("messaging:template-edit", pk=copy.pk)


@requires(Action.MESSAGES)
def template_delete(request, pk):
    """Delete one of the user's templates, after a warning that it cannot be restored."""
    template = selectors.template_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.template_delete(user=request.user, template=template, request=request)
        messages.success(request, _("Template %(name)s deleted.") % {"name": template.name})
        return redirect("messaging:templates")
    return render(request, "messaging/confirm_delete.html", {
        "form": ConfirmForm(submit=_("Delete template")), "name": template.name,
        "warning": _("Once a template is deleted, it cannot be restored."),
        "back": "messaging:template-detail", "pk": template.pk})


@requires(Action.MESSAGES)
def groups(request):
    """List the user's message groups, to use, edit or delete."""
    return render(request, "messaging/groups.html", {"groups": selectors.groups(user=request.user)})


def _group_saved(request, group):
    messages.success(request, _("Group %(name)s saved.") % {"name": group.name})
    return redirect("messaging:groups")


@requires(Action.MESSAGES)
def group_add(request):
    """Create a group of LAs (with roles) and schools."""
    form = GroupForm(request.POST or None, submit=_("Add group"))

    def save(form):
        return _group_saved(request, services.group_create(
            user=request.user, name=form.cleaned_data["name"], members=form.members(),
            request=request))

    return _form_page(request, form, save=save, title=_("Add a message group"),
                      back="messaging:groups")


@requires(Action.MESSAGES)
def group_edit(request, pk):
    """Change one of the user's groups."""
    group = selectors.group_get(user=request.user, pk=pk)
    form = GroupForm(request.POST or None, initial=group_initial(group))

    def save(form):
        return _group_saved(request, services.group_update(
            user=request.user, group=group, name=form.cleaned_data["name"],
            members=form.members(), request=request))

    return _form_page(request, form, save=save, back="messaging:groups",
                      title=_("Change %(name)s") % {"name": group.name})


@requires(Action.MESSAGES)
def group_delete(request, pk):
    """Delete one of the user's groups, after asking."""
    group = selectors.group_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.group_delete(user=request.user, group=group, request=request)
        messages.success(request, _("Group %(name)s deleted.") % {"name": group.name})
        return redirect("messaging:groups")
    return render(request, "messaging/confirm_delete.html", {
        "form": ConfirmForm(submit=_("Delete group")), "name": group.name,
        "warning": _("The group goes; messages already sent to it stay."),
        "back": "messaging:groups", "pk": None})


def _report_la(request):
    """Return the LAs the user may report on, and the one asked for (the first by default).

    An LA asked for that is unknown or outside the user's scope answers 404, as elsewhere.
    """
    las = list(scope(request.user, LocalAuthority.objects.all(), Action.MESSAGE_REPORT))
    wanted = request.GET.get("la")
    if not wanted:
        return las, las[0] if las else None
    chosen = next((la for la in las if la.number == wanted), None)
    if chosen is None:
        raise Http404
    return las, chosen


@requires(Action.MESSAGE_REPORT)
def report(request):
    """Show which of an LA's schools have unread messages, and how many: no content, no sender."""
    las, la = _report_la(request)
    rows = selectors.unread_by_school(la=la) if la else []
    return render(request, "messaging/report.html", {
        "la": la, "rows": rows, "form": ReportForm(initial={"la": la and la.number}, las=las),
        "show_picker": len(las) > 1,
    })


@requires(Action.MESSAGE_REPORT)
def report_csv(request):
    """Download the message report as CSV."""
    las, la = _report_la(request)
    rows = selectors.unread_by_school(la=la) if la else []
    return csv_download(
        filename=f"s2s-messages-{la.number if la else 'none'}.csv",
        header=["establishment_number", "school", "unread_messages", "oldest_unread"],
        rows=([r["code"], r["name"], r["unread"],
               timezone.localtime(r["oldest"]).date().isoformat()] for r in rows))
