"""Pages of the user's message templates and groups, and the LA message report (seed 003, 7.7)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action, scope
from s2s.core.downloads import csv_download
from s2s.core.forms import form_page, form_submit
from s2s.directory.models import LocalAuthority
from s2s.messaging import selectors, services
from s2s.messaging.forms import (
    ConfirmForm,
    GroupForm,
    ReportForm,
    TemplateForm,
    group_initial,
)


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
    if template := form_submit(request, form, lambda data: services.template_create(
            user=request.user, request=request, **data)):
        return _template_saved(request, template)
    return form_page(request, form, title=_("Add a message template"),
                     back_url=reverse("messaging:templates"))


@requires(Action.MESSAGES)
def template_edit(request, pk):
    """Update one of the user's templates."""
    template = selectors.template_get(user=request.user, pk=pk)
    initial = {"name": template.name, "subject": template.subject, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial, submit=_("Update template"))
    if saved := form_submit(request, form, lambda data: services.template_update(
            user=request.user, template=template, request=request, **data)):
        return _template_saved(request, saved)
    return form_page(request, form, title=_("Update %(name)s") % {"name": template.name},
                     back_url=reverse("messaging:templates"))


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
    return form_page(request, ConfirmForm(submit=_("Delete template")),
                     title=_("Delete %(name)s?") % {"name": template.name},
                     warning=_("Once a template is deleted, it cannot be restored."),
                     back_url=reverse("messaging:template-detail", args=[template.pk]))


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
    if group := form_submit(request, form, lambda data: services.group_create(
            user=request.user, name=data["name"], members=form.members(), request=request)):
        return _group_saved(request, group)
    return form_page(request, form, title=_("Add a message group"),
                     back_url=reverse("messaging:groups"))


@requires(Action.MESSAGES)
def group_edit(request, pk):
    """Change one of the user's groups."""
    group = selectors.group_get(user=request.user, pk=pk)
    form = GroupForm(request.POST or None, initial=group_initial(group))
    if saved := form_submit(request, form, lambda data: services.group_update(
            user=request.user, group=group, name=data["name"], members=form.members(),
            request=request)):
        return _group_saved(request, saved)
    return form_page(request, form, title=_("Change %(name)s") % {"name": group.name},
                     back_url=reverse("messaging:groups"))


@requires(Action.MESSAGES)
def group_delete(request, pk):
    """Delete one of the user's groups, after asking."""
    group = selectors.group_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.group_delete(user=request.user, group=group, request=request)
        messages.success(request, _("Group %(name)s deleted.") % {"name": group.name})
        return redirect("messaging:groups")
    return form_page(request, ConfirmForm(submit=_("Delete group")),
                     title=_("Delete %(name)s?") % {"name": group.name},
                     warning=_("The group goes; messages already sent to it stay."),
                     back_url=reverse("messaging:groups"))


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
