"""Forms of the roster: groups, families, members, invitations, consent and people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fii.models import Organization, Role, User

from .models import (
    CONSENT_TEXT_VERSION,
    ConsentKind,
    Family,
    FamilyMember,
    Group,
    household_key,
)

# Self-reported baselines above this are almost surely a typing slip (an extra zero or two).
MAX_BASELINE_AMOUNT = 100_000_000


class OrgFormMixin:
    """Take the organization, so that every choice of a related object stays inside it."""

    organization: Organization
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        # A callable model default adds a hidden "initial" input, and without it every such
        # field counts as changed: the audit log names only the fields that really changed.
        for form_field in self.fields.values():
            form_field.show_hidden_initial = False


class GroupForm(OrgFormMixin, forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "started_on"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"})}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Group.objects.for_org(self.organization).filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Another group is already called that."))
        return name

    def clean_started_on(self) -> Any:
        started_on = self.cleaned_data["started_on"]
        if started_on > self.organization.today():
            raise ValidationError(_("A group cannot start in the future."))
        return started_on


def scope_group_field(form_field: forms.Field, organization: Organization) -> None:
    """Offer only the organization's active groups, changing the field in place."""
    assert isinstance(form_field, forms.ModelChoiceField)
    form_field.queryset = Group.objects.for_org(organization).active()
    form_field.required = False
    form_field.empty_label = _("Not in a group yet")


class FamilyForm(OrgFormMixin, forms.ModelForm):
    """The household's facts as staff record them when it joins."""

    class Meta:
        model = Family
        fields = [
            "name",
            "group",
            "joined_on",
            "household_size",
            "baseline_monthly_income",
            "baseline_savings",
            "baseline_debt",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}),
            "household_size": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "baseline_monthly_income": forms.NumberInput(attrs={"min": 0, "step": "any"}),
            "baseline_savings": forms.NumberInput(attrs={"min": 0, "step": "any"}),
            "baseline_debt": forms.NumberInput(attrs={"min": 0, "step": "any"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_group_field(self.fields["group"], self.organization)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_joined_on(self) -> Any:
        joined_on = self.cleaned_data["joined_on"]
        if joined_on > self.organization.today():
            raise ValidationError(_("The joining date cannot be in the future."))
        return joined_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("baseline_monthly_income", "baseline_savings", "baseline_debt"):
            value = cleaned.get(name)
            if value is not None and value > MAX_BASELINE_AMOUNT:
                self.add_error(name, _("That amount looks too large; please check it."))
        return cleaned


class FamilyMoveForm(OrgFormMixin, forms.Form):
    group = forms.ModelChoiceField(
        label=_("Move to group"), queryset=Group.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_group_field(self.fields["group"], self.organization)


class FamilyMemberForm(OrgFormMixin, forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = ["first_name", "is_adult", "birth_year", "school"]
        widgets = {"birth_year": forms.NumberInput(attrs={"min": 1900, "inputmode": "numeric"})}

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > self.organization.today().year:
            raise ValidationError(_("The birth year cannot be in the future."))
        return year


class InvitationForm(OrgFormMixin, forms.Form):
    """Staff invite a family member; org admins may also invite staff and admins."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    family = forms.ModelChoiceField(
        queryset=Family.objects.none(),
        required=False,
        label=_("Family"),
        help_text=_("For a family member: the household the account belongs to."),
    )

    def __init__(self, *args: Any, can_invite_staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.can_invite_staff = can_invite_staff
        family_field = self.fields["family"]
        assert isinstance(family_field, forms.ModelChoiceField)
        family_field.queryset = Family.objects.for_org(self.organization).active()
        if not can_invite_staff:
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [(Role.FAMILY.value, Role.FAMILY.label)]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, family = cleaned.get("role"), cleaned.get("family")
        if role == Role.FAMILY and family is None and "family" not in self.errors:
            self.add_error("family", _("Choose the family this person belongs to."))
        if role and role != Role.FAMILY and family is not None:
            self.add_error("family", _("Only a family member is bound to a family."))
        return cleaned


class AcceptInvitationForm(forms.Form):
    """A new account's name and password, for the address that was invited."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = _(
            "At least 8 characters; not only numbers, and not too close to your e-mail address."
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Please tell us your name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ConsentForm(OrgFormMixin, forms.Form):
    """A consent the family gave, recorded by staff (for example from a signed paper form)."""

    kind = forms.ChoiceField(label=_("What the family agreed to"), choices=ConsentKind.choices)
    agreed_by = forms.CharField(
        label=_("Who in the family agreed"),
        max_length=120,
        required=False,
        help_text=_("The adult who signed or said yes; optional."),
    )
    agreed_on = forms.DateField(
        label=_("Agreed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text_version = forms.CharField(
        label=_("Version of the text agreed to"),
        max_length=20,
        initial=CONSENT_TEXT_VERSION,
        help_text=_("As printed on the form the family read, e.g. 2026-01."),
    )

    def clean_agreed_on(self) -> Any:
        agreed_on = self.cleaned_data["agreed_on"]
        if agreed_on > self.organization.today():
            raise ValidationError(_("The date of agreement cannot be in the future."))
        return agreed_on

    def clean_text_version(self) -> str:
        version = self.cleaned_data["text_version"].strip()
        if not version:
            raise ValidationError(_("Give the version of the text the family read."))
        return version


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.STAFF.value, Role.STAFF.label),
            (Role.ORG_ADMIN.value, Role.ORG_ADMIN.label),
        ],
    )


# Erasure -----------------------------------------------------------------------------------


class ErasureRequestForm(forms.Form):
    """The family's (or staff's, on its behalf) confirmation of a request to be forgotten."""

    understood = forms.BooleanField(
        label=_("We understand that this cannot be undone."),
        error_messages={"required": _("Tick this box to confirm.")},
    )


class ErasureApproveForm(forms.Form):
    """An admin types the family's name: approving erases it for good."""

    confirm_name = forms.CharField(
        label=_("Type the family's name to confirm"),
        max_length=120,
        help_text=_("This deletes the family's information for good. It cannot be undone."),
    )

    def __init__(self, *args: Any, family_name: str, **kwargs: Any) -> None:
        self.family_name = family_name
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if household_key(typed) != household_key(self.family_name):
            raise ValidationError(_("This is not the family's name. Nothing was deleted."))
        return typed


class ErasureDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the request declined?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The family reads this. Say what they can do next."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write a reason for the family."))
        return reason
