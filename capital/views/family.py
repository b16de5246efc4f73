"""A family's own capital page: how close it is to each program, its money, its questions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fii.access import OrgRequest, family_view

from ..forms import AnswerForm, attach_errors
from ..models import Flag
from ..selectors import checklist_for, family_ledger, open_questions_for
from ..services import FlagConflict, flag_answer


def _render(request: OrgRequest, answer_forms: dict[int, AnswerForm], status: int) -> HttpResponse:
    org, family = request.organization, request.family
    questions = open_questions_for(organization=org, family=family)
    context = {
        "family": family,
        "checklist": checklist_for(organization=org, family=family),
        "ledger": family_ledger(organization=org, family=family),
        "questions": [
            (q, answer_forms.get(q.flag_id) or AnswerForm(prefix=f"answer-{q.flag_id}"))
            for q in questions
        ],
    }
    return render(request, "capital/family_capital.html", context, status=status)


@family_view
def family_capital(request: OrgRequest) -> HttpResponse:
    """Show a family the programs, how close it is to each, its money and staff's questions."""
    return _render(request, {}, 200)


@family_view
@require_POST
def family_answer(request: OrgRequest, flag_id: int) -> HttpResponse:
    """Take the family's answer to a question staff asked about one of its flags."""
    org, family = request.organization, request.family
    if not Flag.objects.for_org(org).filter(pk=flag_id, family=family).exists():
        raise Http404
    form = AnswerForm(request.POST, prefix=f"answer-{flag_id}")
    if form.is_valid():
        try:
            flag_answer(
                organization=org,
                actor=request.user,
                family=family,
                flag_id=flag_id,
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except ValidationError as error:
            attach_errors(form, error)
        except FlagConflict:
            messages.info(request, _("This question was already answered or closed."))
            return redirect("family_capital", org_slug=org.slug)
        else:
            messages.success(request, _("Thank you: your answer went to the staff."))
            return redirect("family_capital", org_slug=org.slug)
    return _render(request, {flag_id: form}, 400)
