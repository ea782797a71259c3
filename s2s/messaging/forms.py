"""Forms of the messaging pages, laid out with the GOV.UK Design System."""

import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Fluid, Layout, Size
from django import forms
from django.utils.translation import gettext_lazy as _

from s2s.accounts.roles import Role
from s2s.directory.models import LocalAuthority
from s2s.messaging.models import BODY_MAX, NAME_MAX, SUBJECT_MAX
from s2s.messaging.recipients import DEFAULT_LA_ROLES, LA_MESSAGE_ROLES, LaTarget, Recipients

ROLE_CHOICES = [(role, Role(role).label) for role in LA_MESSAGE_ROLES]



def _helper(*fields, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    helper.form_tag = form_tag
    helper.layout = Layout(*fields)
    return helper


def la_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a local authority"))] + [
        (la.number, f"{la.number} {la.name}") for la in LocalAuthority.objects.all()]


def numbers_in(text: str) -> list[str]:
    """Return the numbers written in a box, separated by spaces, commas or new lines."""
    return [n for n in re.split(r"[\s,;]+", text or "") if n]


# The compose page: one <form>, one small form per step, each with its own button.

class MessageForm(forms.Form):
    # The browser's maxlength only: the draft keeps what was typed and the send service
    # (`services.message_text`) refuses an empty or over-long subject or text in its words.
    subject = forms.CharField(label=_("Subject"), required=False,
                              widget=forms.TextInput(attrs={"maxlength": SUBJECT_MAX}))
    body = forms.CharField(label=_("Message"), required=False,
                           widget=forms.Textarea(attrs={"rows": 12, "maxlength": BODY_MAX}),
                           help_text=_("Plain text. No attachments: send files as transfers."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("subject"), Field.textarea("body"),
                              Button("preview", _("Preview message")), form_tag=False)


class LaPickForm(forms.Form):
    la = forms.ChoiceField(label=_("Local authority"), choices=(), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Who at the local authority"), choices=ROLE_CHOICES, required=False,
        initial=DEFAULT_LA_ROLES, widget=forms.CheckboxSelectMultiple,
        help_text=_("Local arrangements differ, so choosing both the LA user and the lost "
                    "pupil officers is advisable."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].choices = la_choices()
        self.helper = _helper(Field.select("la"), Field.checkboxes("roles", small=True,
                                                                   legend_size=Size.SMALL),
                              Button.secondary("add_la", _("Add local authority")),
                              form_tag=False)


class SchoolNumberForm(forms.Form):
    school = forms.CharField(
        label=_("Establishment number"), required=False, max_length=7,
        help_text=_("7 digits: the LA number then the school number, for example 8384512"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("school", field_width=Fixed.TEN),
                              Button.secondary("add_school", _("Add school")), form_tag=False)


class SchoolListForm(forms.Form):
    school_la = forms.ChoiceField(label=_("Local authority"), choices=(), required=False)
    schools = forms.MultipleChoiceField(label=_("Schools"), choices=(), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_la"].choices = la_choices()
        self.fields["schools"].choices = [(s.code, f"{s.code} {s.name}") for s in schools]
        fields = [Field.select("school_la"),
                  Button.secondary("populate", _("Show the LA's schools"))]
        if schools:
            fields += [Field.checkboxes("schools", small=True, legend_size=Size.SMALL),
                       Button.secondary("add_schools", _("Add chosen schools"))]
        self.helper = _helper(*fields, form_tag=False)


class GroupPickForm(forms.Form):
    group = forms.ChoiceField(label=_("Your message groups"), choices=(), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Choose a group"))] + [
            (str(g.pk), g.name) for g in groups]
        self.helper = _helper(Field.select("group"),
                              Button.secondary("add_group", _("Add group")), form_tag=False)


# Templates and groups.

class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=_("Text"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("The text you use each time, for example a request for "
                                       "a CTF."))

    def __init__(self, *args, submit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("name", field_width=Fluid.TWO_THIRDS),
                              Field.text("subject"), Field.textarea("body"),
                              Button("save", submit or _("Save template")))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    las = forms.CharField(
        label=_("Local authorities"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("3-digit LA numbers, separated by spaces, commas or new lines"))
    roles = forms.MultipleChoiceField(
        label=_("Who at each local authority"), choices=ROLE_CHOICES, required=False,
        initial=DEFAULT_LA_ROLES, widget=forms.CheckboxSelectMultiple)
    schools = forms.CharField(
        label=_("Schools"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("7-digit establishment numbers, separated by spaces, commas or new lines"))

    def __init__(self, *args, submit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("name", field_width=Fluid.TWO_THIRDS),
                              Field.textarea("las"),
                              Field.checkboxes("roles", small=True, legend_size=Size.SMALL),
                              Field.textarea("schools"),
                              Button("save", submit or _("Save group")))

    def members(self) -> Recipients:
        roles = tuple(self.cleaned_data["roles"])
        return Recipients(
            las=tuple(LaTarget(number, roles) for number in numbers_in(self.cleaned_data["las"])),
            schools=tuple(numbers_in(self.cleaned_data["schools"])))


def group_initial(group) -> dict:
    """Return a group's members as the group form shows them."""
    members = list(group.members.select_related("la", "establishment"))
    las = dict.fromkeys(m.la.number for m in members if m.la_id)
    roles = list(dict.fromkeys(m.role for m in members if m.la_id)) or DEFAULT_LA_ROLES
    schools = [m.establishment.code for m in members if m.establishment_id]
    return {"name": group.name, "las": " ".join(las), "roles": roles,
            "schools": " ".join(schools)}


class ConfirmForm(forms.Form):
    """A button that confirms a step that cannot be undone."""

    def __init__(self, *args, submit, warning: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        button = Button.warning if warning else Button.primary
        self.helper = _helper(button("confirm", submit))


class ReportForm(forms.Form):
    la = forms.ChoiceField(label=_("Local authority"), choices=())

    def __init__(self, *args, las=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].choices = [(la.number, f"{la.number} {la.name}") for la in las]
        self.helper = _helper(Field.select("la"), Button.secondary("show", _("Show")))
        self.helper.form_method = "get"
