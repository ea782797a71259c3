"""Pages of the user's message templates: list, add, update, copy and delete (seed 003, 6.7)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.forms import form_page, form_submit
from s2s.messaging import selectors, services
from s2s.messaging.forms import ConfirmForm, TemplateForm


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
