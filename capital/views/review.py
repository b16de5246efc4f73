"""One flag under review: the evidence, the subject's trajectory, and the decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fii.access import OrgRequest, staff_view
from fii.audit import audit_record

from ..forms import DECISION_FORMS, ApproveForm, DecisionForm, attach_errors
from ..models import Decision, Flag, FlagStatus
from ..selectors import flag_for_review, flag_review, is_loan_program
from ..services import FlagConflict, Terms, flag_decide

ASKABLE = (FlagStatus.OPEN, FlagStatus.IN_REVIEW)


def _get_flag(request: OrgRequest, flag_id: int) -> Flag:
    try:
        return flag_for_review(organization=request.organization, flag_id=flag_id)
    except Flag.DoesNotExist as exc:
        raise Http404 from exc


def _decision_form(flag: Flag, form_class: type[DecisionForm], data: Any = None) -> DecisionForm:
    """Return the decision's form, bound to ``data`` when given, for the flag as it stands."""
    initial = {"expected_status": flag.status}
    if form_class is ApproveForm:
        return ApproveForm(data, initial=initial, is_loan=is_loan_program(flag.program))
    return form_class(data, initial=initial)


def _forms(flag: Flag, bound: DecisionForm | None) -> dict[str, DecisionForm]:
    """Return a form for each decision the flag's status allows, the one just posted bound."""
    if not flag.is_live:
        return {}
    forms: dict[str, DecisionForm] = {}
    for decision, form_class in DECISION_FORMS.items():
        if decision == Decision.ASK_INFO and flag.status not in ASKABLE:
            continue
        if bound is not None and bound.decision == decision:
            forms[decision] = bound
        else:
            forms[decision] = _decision_form(flag, form_class)
    return forms


def _render(
    request: OrgRequest, flag: Flag, bound: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "review": flag_review(organization=request.organization, flag=flag),
        "forms": _forms(flag, bound),
    }
    return render(request, "capital/flag_review.html", context, status=status)


def _bind(request: OrgRequest, flag: Flag) -> DecisionForm | None:
    form_class = DECISION_FORMS.get(request.POST.get("decision", ""))
    if form_class is None:
        return None
    return _decision_form(flag, form_class, request.POST)


def _decide(request: OrgRequest, flag: Flag, form: DecisionForm) -> None:
    """Call the service with what the form parsed; errors and conflicts propagate."""
    data: dict[str, Any] = form.cleaned_data
    terms = None
    if isinstance(form, ApproveForm):
        terms = Terms(
            instalments=data["instalments"],
            start_on=data["start_on"],
            annual_rate=form.annual_rate_fraction(),
        )
    flag_decide(
        organization=request.organization,
        actor=request.user,
        flag_id=flag.pk,
        decision=form.decision,
        note=data.get("note", ""),
        amount=data.get("amount"),
        terms=terms,
        defer_until=data.get("defer_until"),
        expected_status=data["expected_status"],
        request=request,
    )


# Lazy: read in the language of the request that decided.
DONE: dict[str, Any] = {
    Decision.APPROVE: gettext_lazy("Approved. The commitment is in the ledger."),
    Decision.DECLINE: gettext_lazy("Declined. The reason is kept with the flag."),
    Decision.DEFER: gettext_lazy(
        "Deferred. The flag will not come back before the date you chose."
    ),
    Decision.ASK_INFO: gettext_lazy("Your question is on the family's capital page."),
}


@staff_view
@require_http_methods(["GET", "POST"])
def flag_detail(request: OrgRequest, flag_id: int) -> HttpResponse:
    """Show a flag with its evidence; take one decision on it (audited when about a family)."""
    flag = _get_flag(request, flag_id)
    if request.method == "GET":
        if flag.family_id is not None:
            audit_record(
                action="flag.viewed",
                actor=request.user,
                organization=request.organization,
                obj=flag,
                request=request,
                detail={"family_id": flag.family_id},
            )
        return _render(request, flag)
    form = _bind(request, flag)
    if form is None:
        messages.error(request, _("Choose approve, decline, defer or ask."))
        return _render(request, flag, status=400)
    if not form.is_valid():
        return _render(request, flag, form, status=400)
    try:
        _decide(request, flag, form)
    except ValidationError as error:
        attach_errors(form, error)
        return _render(request, flag, form, status=400)
    except FlagConflict:
        messages.error(
            request,
            _("Someone else decided this flag a moment ago. Here is where it stands now."),
        )
        return _render(request, _get_flag(request, flag_id), status=409)
    messages.success(request, DONE[form.decision])
    return redirect("flag_detail", org_slug=request.organization.slug, flag_id=flag.pk)
