"""Pages of the user's message groups: LAs (with roles) and schools to send to at once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.forms import form_page, form_submit
from s2s.messaging import selectors, services
from s2s.messaging.forms import ConfirmForm, GroupForm, group_initial


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
