"""Pages of secure messaging: inbox, reading, sent items, compose, preview and send."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from s2s.accounts.decorators import requires
from s2s.accounts.policy import Action
from s2s.core.errors import ServiceError
from s2s.core.forms import add_service_error
from s2s.messaging import compose, selectors, services
from s2s.messaging.forms import (
    ConfirmForm,
    GroupPickForm,
    LaPickForm,
    MessageForm,
    SchoolListForm,
    SchoolNumberForm,
)
from s2s.messaging.recipients import BLANKET_GUIDANCE
from s2s.messaging.words import label_words

PER_PAGE = 50
INBOX_COLUMNS = [("from", _l("From")), ("subject", _l("Subject")),
                 ("received", _l("Received")), ("status", _l("Status"))]
SENT_COLUMNS = [("subject", _l("Subject")), ("sent", _l("Sent")),
                ("total", _l("Recipients")), ("unread", _l("Not yet read"))]


def sort_headers(columns, sort: str) -> list[dict]:
    """Return a table's headers: each links to sort by it, the other way if it is the sort."""
    headers = []
    for name, label in columns:
        current = sort.removeprefix("-") == name
        descending = sort.startswith("-")
        headers.append({
            "label": label, "sort": f"-{name}" if current and not descending else name,
            "aria": ("descending" if descending else "ascending") if current else "none",
        })
    return headers


@requires(Action.MESSAGES)
def inbox(request):
    """List the user's messages, unread ones marked, sortable by any column (seed 003, 6.1).

    `?unread=1` lists only the messages not read yet (the start page's link).
    """
    unread_only = request.GET.get("unread") == "1"
    copies, sort = selectors.inbox_sorted(user=request.user, sort=request.GET.get("sort"),
                                          unread_only=unread_only)
    page = Paginator(copies, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "messaging/inbox.html", {
        "page": page, "headers": sort_headers(INBOX_COLUMNS, sort), "unread_only": unread_only,
        "unread_days": settings.S2S_MESSAGE_UNREAD_DAYS,
        "read_days": settings.S2S_MESSAGE_READ_DAYS})


@requires(Action.MESSAGES)
def read(request, pk):
    """Show one of the user's messages, marking it read; print, reply or delete from here."""
    copy = selectors.copy_get(user=request.user, message_id=pk)
    copy = services.message_read(user=request.user, copy=copy, request=request)
    return render(request, "messaging/read.html", {"copy": copy, "message": copy.message})


@requires(Action.MESSAGES)
def delete(request, pk):
    """Delete the user's copy of a message, after asking."""
    copy = selectors.copy_get(user=request.user, message_id=pk)
    form = ConfirmForm(request.POST or None, submit=_("Delete message"))
    if request.method == "POST":
        services.message_delete(user=request.user, copy=copy, request=request)
        messages.success(request, _("Message deleted."))
        return redirect("messaging:inbox")
    return render(request, "messaging/delete.html", {"form": form, "message": copy.message})


@requires(Action.MESSAGES)
def sent(request):
    """List the messages the user sent, with how many recipients have not read each."""
    sent_messages, sort = selectors.sent_sorted(user=request.user, sort=request.GET.get("sort"))
    page = Paginator(sent_messages, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "messaging/sent.html", {
        "page": page, "headers": sort_headers(SENT_COLUMNS, sort)})


@requires(Action.MESSAGES)
def sent_detail(request, pk):
    """Show a message the user sent and which recipients have not read it yet."""
    message = selectors.sent_get(user=request.user, message_id=pk)
    services.message_view_sent(user=request.user, message=message, request=request)
    return render(request, "messaging/sent_detail.html", {
        "message": message, "copies": selectors.sent_recipients(message=message),
    })


def _compose_forms(request, draft, step="", error=None) -> dict:
    """Return the compose page's forms, the one of the failed step bound and showing the error."""
    data = request.POST if error else None
    school_la = request.GET.get("school_la") or (data or {}).get("school_la")
    forms = {
        "message": MessageForm(data if step == "preview" else None, initial=draft),
        "add_la": LaPickForm(data if step == "add_la" else None),
        "add_school": SchoolNumberForm(data if step == "add_school" else None),
        "populate": SchoolListForm(data if step in ("populate", "add_schools") else None,
                                   schools=compose.schools_of(school_la) if school_la else (),
                                   initial={"school_la": school_la}),
        "add_group": GroupPickForm(data if step == "add_group" else None,
                                   groups=selectors.groups(user=request.user)),
    }
    forms["preview"] = forms["message"]
    forms["add_schools"] = forms["populate"]
    if error is not None:
        form = forms.get(step, forms["message"])
        form.is_valid()
        add_service_error(form, error)
    return forms


def _compose_page(request, draft, step="", error=None):
    forms = _compose_forms(request, draft, step, error)
    return render(request, "messaging/compose.html", {
        "forms": forms, "draft": draft,
        "recipients": compose.draft_describe(user=request.user, draft=draft),
        "reply_to": compose.draft_reply_to(user=request.user, draft=draft),
        "error_forms": list({id(f): f for f in forms.values()}.values()),
    })


@requires(Action.MESSAGES)
def compose_page(request):
    """Write a message: from a template or blank, to LAs, schools and groups (seed 003, 6.3)."""
    draft = compose.draft_load(request.session)
    if request.method == "GET":
        started = compose.draft_start(user=request.user, draft=draft, params=request.GET)
        compose.draft_save(request.session, draft)
        return redirect("messaging:compose") if started else _compose_page(request, draft)
    step = compose.step_of(request.POST)
    try:
        outcome = compose.draft_step(user=request.user, draft=draft, data=request.POST, step=step)
    except ServiceError as error:
        compose.draft_save(request.session, draft)
        return _compose_page(request, draft, step, error)
    compose.draft_save(request.session, draft)
    if outcome == "preview":
        return redirect("messaging:preview")
    if outcome == "populate":
        return redirect(f"{request.path}?school_la={request.POST['school_la']}#schools")
    return redirect("messaging:compose")


def _send(request, draft):
    return services.message_send(
        user=request.user, to=compose.draft_recipients(draft), subject=draft["subject"],
        body=draft["body"], template=compose.draft_template(user=request.user, draft=draft),
        reply_to=compose.draft_reply_to(user=request.user, draft=draft),
        confirm_blanket=request.POST.get("confirm_blanket") == "yes", request=request)


@requires(Action.MESSAGES)
def preview(request):
    """Show the message as recipients will see it; send it, or ask to confirm a blanket one."""
    draft = compose.draft_load(request.session)
    if not draft["subject"] or not draft["body"]:
        return redirect("messaging:compose")
    try:
        if request.method == "POST":
            return _sent(request, _send(request, draft))
        reach = compose.draft_reach(user=request.user, draft=draft)
    except ServiceError as error:
        if error.code == "blanket_confirmation_needed":
            return render(request, "messaging/blanket.html", {
                "error": error, "guidance": BLANKET_GUIDANCE, "draft": draft})
        messages.error(request, error.message)
        return redirect("messaging:compose")
    return render(request, "messaging/preview.html", {
        "draft": draft, "reach": reach, "recipients": compose.draft_describe(
            user=request.user, draft=draft),
        "unreached": [label_words(place) for place in reach.unreached],
        "reply_to": compose.draft_reply_to(user=request.user, draft=draft),
    })


def _sent(request, result):
    compose.draft_clear(request.session)
    messages.success(request, ngettext("Message sent to %(count)s person.",
                                       "Message sent to %(count)s people.",
                                       result.recipients) % {"count": result.recipients})
    if result.unreached:
        places = "; ".join(label_words(place) for place in result.unreached)
        messages.info(request, _("Nobody received it at: %(places)s (no account there reads "
                                 "messages).") % {"places": places})
    return redirect("messaging:sent-detail", pk=result.message.pk)
