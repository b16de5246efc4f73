"""The staff capital console over REST: the readiness queue, decisions, the ledger; and the
family's checklist.

Every read goes through the selectors and every decision through `flag_decide`, after the page's
forms have parsed it: the API adds no rule of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import MAX_ID, OrgScoped, StaffAPIView, StaffViewSet, validated
from fii.api.exceptions import Conflict, form_errors
from fii.api.fields import IdField
from fii.api.schema import ErrorSerializer, responses
from fii.audit import audit_record
from fii.models import Role

from .forms import (
    DECISION_FORMS,
    SORT_CHOICES,
    STATUS_CHOICES,
    ApproveForm,
    DecisionForm,
    LedgerFilterForm,
    QueueFilterForm,
)
from .models import (
    LIVE_STATUSES,
    Decision,
    Disbursement,
    DisbursementStatus,
    Flag,
    FlagStatus,
    LoanStatus,
    Program,
    ProgramKind,
    Review,
)
from .selectors import (
    LoanLine,
    checklist_for,
    flag_for_review,
    flag_review,
    is_loan_program,
    ledger_disbursements,
    loan_line,
    loans_with_repaid,
    program_budgets,
    queue_filter_options,
    queue_flags,
    review_log,
)
from .services import FlagConflict, Terms, flag_decide
from .services.decisions import ALLOWED_FROM

LEDGER_PAGE_SIZE = 50
# Years past 2999 would overflow the payment dates computed from a first payment.
LAST_YEAR = 2999

# --- shared pieces -------------------------------------------------------------------------------


class DayField(serializers.DateField):
    """A day as "YYYY-MM-DD", no later than the year 2999."""

    default_error_messages = {"too_late": _("Give a day before the year 3000.")}

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if day.year > LAST_YEAR:
            self.fail("too_late")
        return day


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class ProgramRefOut(serializers.ModelSerializer):
    # Not an enum in the schema: a second choice set named "kind" (help has one) would need an
    # ENUM_NAME_OVERRIDES entry in the settings.
    kind = serializers.CharField(read_only=True, help_text=", ".join(ProgramKind.values))

    class Meta:
        model = Program
        fields = ["id", "name", "kind", "subject", "currency"]
        read_only_fields = fields


class SubjectOut(serializers.Serializer):
    """The family or the group that money or a flag is about."""

    type = serializers.ChoiceField(["family", "group"])
    id = serializers.IntegerField()
    name = serializers.CharField()


def _subject(family: Any, group: Any) -> dict[str, Any] | None:
    if family is not None:
        return {"type": "family", "id": family.pk, "name": family.name}
    if group is not None:
        return {"type": "group", "id": group.pk, "name": group.name}
    return None


class BudgetOut(serializers.Serializer):
    budget = _money(source="program.budget")
    committed = _money(help_text="Every payment and loan not cancelled.")
    paid = _money(help_text="Payments paid and loans whose money went out.")
    remaining = _money(help_text="What approvals may still commit; negative when overspent.")
    percent_committed = serializers.IntegerField()


# --- flags ---------------------------------------------------------------------------------------


class FlagOut(serializers.ModelSerializer):
    program = ProgramRefOut(read_only=True)
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "program",
            "subject",
            "score",
            "status",
            "opened_at",
            "refreshed_at",
            "closed_at",
            "deferred_until",
        ]
        read_only_fields = fields

    @extend_schema_field(SubjectOut)
    def get_subject(self, flag: Flag) -> dict[str, Any] | None:
        return _subject(flag.family, flag.group)


class EvidenceOut(serializers.Serializer):
    # The metaclass takes declared fields off the class; the stubs see Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    threshold_text = serializers.CharField(help_text="What the criterion asks for.")
    value_text = serializers.CharField(help_text="What the nightly run saw.")
    met = serializers.BooleanField()


class ReviewOut(serializers.ModelSerializer):
    """A person's decision on a flag; for a question, the family's answer."""

    flag_id = serializers.IntegerField(read_only=True)
    program = ProgramRefOut(source="flag.program", read_only=True)
    reviewer = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "flag_id",
            "program",
            "decision",
            "note",
            "amount",
            "decided_at",
            "reviewer",
            "answer",
            "answered_at",
        ]
        read_only_fields = fields

    def get_reviewer(self, review: Review) -> str | None:
        reviewer = review.reviewer
        return None if reviewer is None else reviewer.name or reviewer.email


class DecisionLogOut(ReviewOut):
    flag = FlagOut(read_only=True)

    class Meta(ReviewOut.Meta):
        fields = [*ReviewOut.Meta.fields, "flag"]
        read_only_fields = fields


class FlagDetailOut(serializers.Serializer):
    flag = FlagOut()
    evidence = EvidenceOut(many=True, help_text="Each criterion as the nightly run saw it.")
    reviews = ReviewOut(
        source="history",
        many=True,
        help_text="Every decision on this subject's flags, in any program, newest first.",
    )
    open_question = ReviewOut(
        allow_null=True, help_text="The question waiting for the family's answer, if any."
    )
    budget = BudgetOut(help_text="The program's money as it stands.")
    is_loan = serializers.BooleanField(help_text="An approval lends the money (with interest).")
    decisions = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text="The decisions the flag's status allows: approve, decline, defer, ask_info.",
        )
    )
    def get_decisions(self, review: Any) -> list[str]:
        status = review.flag.status
        return [decision for decision, sources in ALLOWED_FROM.items() if status in sources]


class FlagFilterIn(serializers.Serializer):
    program = IdField(required=False, help_text="Only the flags of this program.")
    group = IdField(required=False, help_text="Only the flags of this group or its families.")
    status = serializers.ChoiceField(
        [value for value, _label in STATUS_CHOICES],
        required=False,
        help_text="`live` (the default) for flags waiting for a decision, `any` for all.",
    )
    min_score = serializers.FloatField(required=False, help_text="From 0 to 100.")
    within_days = serializers.IntegerField(
        required=False, help_text="Only flags opened in the last days."
    )
    sort = serializers.ChoiceField(
        [value for value, _label in SORT_CHOICES], required=False, help_text="By default -score."
    )


class FlagDecideIn(serializers.Serializer):
    """A decision with what it needs: the same fields as the flag page's forms."""

    decision = serializers.ChoiceField(Decision.choices)
    # Only a live flag can be decided; a flag seen decided already has nothing to decide.
    expected_status = serializers.ChoiceField(
        [(status.value, status.label) for status in LIVE_STATUSES],
        help_text="The flag's status when you looked at it: if it changed since, nothing is done.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Approve, defer: optional. Decline: the reason. Ask: the question.",
    )
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Approve: the amount to commit, within the program's remaining budget.",
    )
    instalments = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Approve: monthly payments (1 pays it all at once), or a loan's months.",
    )
    start_on = DayField(
        required=False,
        allow_null=True,
        help_text="Approve: the first payment's day, or the day a loan's money is lent.",
    )
    annual_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Approve a loan: yearly interest in percent; other programs carry none.",
    )
    defer_until = DayField(
        required=False, allow_null=True, help_text="Defer: the day to look again."
    )


CONFLICT_409 = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="Someone else decided the flag first; nothing was changed.",
        examples=[
            OpenApiExample(
                "Decided already", value={"detail": "Someone else decided this flag a moment ago."}
            )
        ],
    )
}
PROGRAM_EXAMPLE = {
    "id": 3,
    "name": "Small business loans",
    "kind": "business_loan",
    "subject": "family",
    "currency": "USD",
}
FLAG_EXAMPLE = {
    "id": 41,
    "program": PROGRAM_EXAMPLE,
    "subject": {"type": "family", "id": 12, "name": "Family García"},
    "score": 82.5,
    "status": "open",
    "opened_at": "2024-07-02T03:10:00Z",
    "refreshed_at": "2024-07-09T03:10:00Z",
    "closed_at": None,
    "deferred_until": None,
}
REVIEW_EXAMPLE = {
    "id": 77,
    "flag_id": 41,
    "program": PROGRAM_EXAMPLE,
    "decision": "approve",
    "note": "Twelve months, first instalment in September.",
    "amount": "1500.00",
    "decided_at": "2024-07-10T15:02:00Z",
    "reviewer": "Marta Ruiz",
    "answer": "",
    "answered_at": None,
}


def _decision_form(flag: Flag, data: dict[str, Any]) -> DecisionForm:
    """Return the page's form for the decision, bound to the request's fields, or raise a 400."""
    form_class = DECISION_FORMS[data["decision"]]
    fields = {name: value for name, value in data.items() if value is not None}
    # The page prefixes each decision's fields (several forms share it); here there is one.
    if form_class is ApproveForm:
        form: DecisionForm = ApproveForm(fields, prefix=None, is_loan=is_loan_program(flag.program))
    else:
        form = form_class(fields, prefix=None)
    if not form.is_valid():
        raise form_errors(form)
    return form


def _terms(form: DecisionForm) -> Terms | None:
    if not isinstance(form, ApproveForm):
        return None
    return Terms(
        instalments=form.cleaned_data["instalments"],
        start_on=form.cleaned_data["start_on"],
        annual_rate=form.annual_rate_fraction(),
    )


@extend_schema(tags=["capital"])
class FlagViewSet(StaffViewSet[Flag]):
    """The readiness queue: families and groups the nightly run found ready for a program."""

    queryset = Flag.objects.all()
    serializer_class = FlagOut
    lookup_url_kwarg = "flag_id"

    @extend_schema(
        parameters=[FlagFilterIn],
        responses=responses(FlagOut(many=True), bad_input=True),
        examples=[OpenApiExample("A flag", response_only=True, value=FLAG_EXAMPLE)],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the flags the filters ask for; by default those waiting for a decision."""
        validated(FlagFilterIn, request.query_params)
        org = self.organization
        form = QueueFilterForm(request.query_params, **queue_filter_options(organization=org))
        if not form.is_valid():
            raise form_errors(form)
        page = self.paginate_queryset(queue_flags(organization=org, filters=form.filters()))
        return self.get_paginated_response(FlagOut(page, many=True).data)

    @extend_schema(
        responses=responses(FlagDetailOut),
        examples=[
            OpenApiExample(
                "An open flag",
                response_only=True,
                value={
                    "flag": FLAG_EXAMPLE,
                    "evidence": [
                        {
                            "label": "Months reported: at least 6",
                            "threshold_text": "at least 6",
                            "value_text": "9",
                            "met": True,
                        }
                    ],
                    "reviews": [],
                    "open_question": None,
                    "budget": {
                        "budget": "50000.00",
                        "committed": "12000.00",
                        "paid": "8000.00",
                        "remaining": "38000.00",
                        "percent_committed": 24,
                    },
                    "is_loan": True,
                    "decisions": ["approve", "decline", "defer", "ask_info"],
                },
            )
        ],
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show a flag with its evidence, the subject's decisions and the program's budget."""
        flag = self.get_object()
        if flag.family_id is not None:
            # As on the page: staff looking at a family's flag is audited.
            audit_record(
                action="flag.viewed",
                actor=request.user,
                organization=self.organization,
                obj=flag,
                request=request._request,
                detail={"family_id": flag.family_id, "via": "api"},
            )
        return Response(FlagDetailOut(flag_review(organization=self.organization, flag=flag)).data)

    @extend_schema(
        request=FlagDecideIn,
        responses={**responses(DecisionLogOut, 201, body=True), **CONFLICT_409},
        examples=[
            OpenApiExample(
                "Approve a loan",
                request_only=True,
                value={
                    "decision": "approve",
                    "expected_status": "open",
                    "amount": "1500.00",
                    "instalments": 12,
                    "start_on": "2024-08-01",
                    "annual_rate": "5.00",
                    "note": "Twelve months, first instalment in September.",
                },
            ),
            OpenApiExample(
                "Decline",
                request_only=True,
                value={
                    "decision": "decline",
                    "expected_status": "in_review",
                    "note": "The business plan needs another month.",
                },
            ),
            OpenApiExample(
                "Defer",
                request_only=True,
                value={"decision": "defer", "expected_status": "open", "defer_until": "2024-10-01"},
            ),
            OpenApiExample(
                "Ask the family",
                request_only=True,
                value={
                    "decision": "ask_info",
                    "expected_status": "open",
                    "note": "Which school is the scholarship for?",
                },
            ),
            OpenApiExample(
                "Decided",
                response_only=True,
                status_codes=["201"],
                value={**REVIEW_EXAMPLE, "flag": {**FLAG_EXAMPLE, "status": "approved"}},
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Approve, decline, defer or ask: one decision, all of it saved or none of it."""
        flag = self.get_object()
        form = _decision_form(flag, validated(FlagDecideIn, request.data))
        try:
            review = flag_decide(
                organization=self.organization,
                actor=request.user,
                flag_id=flag.pk,
                decision=form.decision,
                note=form.cleaned_data.get("note", ""),
                amount=form.cleaned_data.get("amount"),
                terms=_terms(form),
                defer_until=form.cleaned_data.get("defer_until"),
                expected_status=form.cleaned_data["expected_status"],
                request=request._request,
            )
        except FlagConflict as conflict:
            raise Conflict(str(conflict)) from conflict
        decided = review_log(organization=self.organization).get(pk=review.pk)
        return Response(DecisionLogOut(decided).data, status=201)

    def get_object(self) -> Flag:
        flag_id = int(self.kwargs["flag_id"])
        if flag_id > MAX_ID:
            raise Http404
        try:
            return flag_for_review(organization=self.organization, flag_id=flag_id)
        except Flag.DoesNotExist as exc:
            raise Http404 from exc


# --- the decisions log ---------------------------------------------------------------------------


@extend_schema(tags=["capital"])
class DecisionViewSet(StaffViewSet[Review]):
    """Every decision on every flag, who took it and why."""

    queryset = Review.objects.all()
    serializer_class = DecisionLogOut

    def get_queryset(self) -> QuerySet[Review]:
        return review_log(organization=self.organization)

    @extend_schema(
        responses=responses(DecisionLogOut(many=True)),
        examples=[
            OpenApiExample(
                "A decision",
                response_only=True,
                value={**REVIEW_EXAMPLE, "flag": {**FLAG_EXAMPLE, "status": "approved"}},
            )
        ],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List every decision, newest first."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DecisionLogOut(page, many=True).data)


# --- the ledger ----------------------------------------------------------------------------------


class ProgramBudgetOut(BudgetOut):
    program = ProgramRefOut()
    active = serializers.BooleanField(source="program.active")


class DisbursementOut(serializers.ModelSerializer):
    program = ProgramRefOut(read_only=True)
    recipient = serializers.SerializerMethodField()

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "program",
            "flag_id",
            "recipient",
            "amount",
            "due_on",
            "instalment",
            "instalments",
            "status",
            "paid_on",
        ]
        read_only_fields = fields

    @extend_schema_field(SubjectOut)
    def get_recipient(self, payment: Disbursement) -> dict[str, Any] | None:
        return _subject(payment.family, payment.group)


class LoanOut(serializers.Serializer):
    """A loan with what was repaid, what is still owed and what is late."""

    id = serializers.IntegerField(source="loan.pk")
    program = ProgramRefOut(source="loan.program")
    family = serializers.SerializerMethodField()
    flag_id = serializers.IntegerField(source="loan.flag_id", allow_null=True)
    principal = _money(source="loan.principal")
    annual_rate = serializers.DecimalField(
        source="loan.annual_rate",
        max_digits=6,
        decimal_places=4,
        help_text="A fraction: 0.05 is 5% a year.",
    )
    term_months = serializers.IntegerField(source="loan.term_months")
    start_on = serializers.DateField(source="loan.start_on")
    status = serializers.ChoiceField(LoanStatus.choices, source="loan.status")
    monthly_payment = _money(source="loan.monthly_payment")
    repaid = _money()
    outstanding = _money(help_text="What the schedule asks for and was not repaid yet.")
    due_to_date = _money(help_text="What the schedule asked for by today.")
    arrears = _money(help_text="What was due by today and not repaid (0 unless active).")
    next_due_on = serializers.DateField(
        source="next_instalment.due_on", allow_null=True, default=None
    )

    @extend_schema_field(SubjectOut)
    def get_family(self, line: LoanLine) -> dict[str, Any] | None:
        return _subject(line.loan.family, None)


class PageOut(serializers.Serializer):
    count = serializers.IntegerField(source="paginator.count")
    page = serializers.IntegerField(source="number")
    pages = serializers.IntegerField(source="paginator.num_pages")


class DisbursementPageOut(PageOut):
    results = DisbursementOut(source="object_list", many=True)


class LoanPageOut(PageOut):
    results = LoanOut(many=True)


class LedgerOut(serializers.Serializer):
    programs = ProgramBudgetOut(many=True, help_text="Every program with its money.")
    disbursements = DisbursementPageOut(help_text="Scheduled payments, by due day, 50 a page.")
    loans = LoanPageOut(help_text="Loans, newest first, 50 a page.")


class LedgerFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(
        DisbursementStatus.choices, required=False, help_text="Only payments in this status."
    )
    program = IdField(required=False, help_text="Only this program's payments and loans.")
    due_from = DayField(required=False, help_text="Only payments due from this day.")
    due_to = DayField(required=False, help_text="Only payments due until this day.")
    page = serializers.IntegerField(required=False, min_value=1, help_text="The page of payments.")
    loans_page = serializers.IntegerField(
        required=False, min_value=1, help_text="The page of loans."
    )


def _page(rows: Any, number: int | None) -> Page:  # type: ignore[type-arg]
    """Return a page of the rows; past the last page, the last (as on the ledger page)."""
    return Paginator(rows, LEDGER_PAGE_SIZE).get_page(number)


LEDGER_EXAMPLE = {
    "programs": [
        {
            "program": PROGRAM_EXAMPLE,
            "active": True,
            "budget": "50000.00",
            "committed": "12000.00",
            "paid": "8000.00",
            "remaining": "38000.00",
            "percent_committed": 24,
        }
    ],
    "disbursements": {
        "count": 1,
        "page": 1,
        "pages": 1,
        "results": [
            {
                "id": 9,
                "program": {**PROGRAM_EXAMPLE, "id": 4, "name": "Scholarships", "kind": "grant"},
                "flag_id": 40,
                "recipient": {"type": "family", "id": 12, "name": "Family García"},
                "amount": "250.00",
                "due_on": "2024-09-01",
                "instalment": 1,
                "instalments": 4,
                "status": "scheduled",
                "paid_on": None,
            }
        ],
    },
    "loans": {
        "count": 1,
        "page": 1,
        "pages": 1,
        "results": [
            {
                "id": 5,
                "program": PROGRAM_EXAMPLE,
                "family": {"type": "family", "id": 12, "name": "Family García"},
                "flag_id": 41,
                "principal": "1200.00",
                "annual_rate": "0.0500",
                "term_months": 12,
                "start_on": "2024-06-01",
                "status": "active",
                "monthly_payment": "102.73",
                "repaid": "102.73",
                "outstanding": "1130.03",
                "due_to_date": "205.46",
                "arrears": "102.73",
                "next_due_on": "2024-08-01",
            }
        ],
    },
}


@extend_schema(tags=["capital"])
class LedgerView(StaffAPIView):
    """Budgets, scheduled payments and loans with their arrears."""

    @extend_schema(
        parameters=[LedgerFilterIn],
        responses=responses(LedgerOut, bad_input=True),
        examples=[OpenApiExample("The ledger", response_only=True, value=LEDGER_EXAMPLE)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show every program's budget, the payments and the loans, in a fixed number of queries."""
        params = validated(LedgerFilterIn, request.query_params)
        org = self.organization
        budgets = program_budgets(organization=org)
        form = LedgerFilterForm(request.query_params, programs=[b.program for b in budgets])
        if not form.is_valid():
            raise form_errors(form)
        data = form.cleaned_data
        payments = ledger_disbursements(
            organization=org,
            status=data.get("status") or "",
            program_id=data.get("program") or None,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        )
        loans = loans_with_repaid(organization=org).order_by("-start_on", "pk")
        if program_id := data.get("program"):
            loans = loans.filter(program_id=program_id)
        loans_page = _page(loans, params.get("loans_page"))
        today = org.today()
        ledger = {
            "programs": budgets,
            "disbursements": _page(payments, params.get("page")),
            "loans": {
                "paginator": loans_page.paginator,
                "number": loans_page.number,
                "results": [loan_line(loan, today) for loan in loans_page],
            },
        }
        return Response(LedgerOut(ledger).data)


# --- the family's checklist ----------------------------------------------------------------------


class ChecklistFlagOut(serializers.Serializer):
    """The family's live flag for a program: staff will be in touch."""

    id = serializers.IntegerField()
    # As the family reads it; only a flag waiting for a decision shows here.
    status = serializers.ChoiceField(
        [
            (FlagStatus.OPEN, _("Your family is ready: staff will be in touch")),
            (FlagStatus.IN_REVIEW, _("Staff are reviewing your family for this program")),
            (FlagStatus.ASKED, FlagStatus.ASKED.label),
        ]
    )


class CriterionOut(serializers.Serializer):
    text = serializers.CharField(help_text="What the program asks for, in plain language.")
    value = serializers.FloatField(
        allow_null=True, help_text="The family's value; null if unknown."
    )
    value_text = serializers.CharField()
    seen_text = serializers.CharField(help_text="What the nightly review saw, as a sentence.")
    met = serializers.BooleanField()


class ProgramChecklistOut(serializers.Serializer):
    program = ProgramRefOut()
    description = serializers.CharField(source="program.description")
    criteria = CriterionOut(many=True)
    met_count = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    flag = ChecklistFlagOut(allow_null=True)


class ChecklistOut(serializers.Serializer):
    as_of = serializers.DateField(
        allow_null=True, help_text="The day of the nightly review the figures come from."
    )
    has_snapshot = serializers.BooleanField(help_text="False before the first nightly review.")
    programs = ProgramChecklistOut(many=True)


@extend_schema(tags=["capital"])
class FamilyChecklistView(OrgScoped):
    """How close the family is to each open program, criterion by criterion."""

    allowed_roles = frozenset({Role.FAMILY})

    @extend_schema(
        responses=responses(ChecklistOut),
        examples=[
            OpenApiExample(
                "A checklist",
                response_only=True,
                value={
                    "as_of": "2024-07-09",
                    "has_snapshot": True,
                    "programs": [
                        {
                            "program": PROGRAM_EXAMPLE,
                            "description": "Up to 2,000 dollars for a family business.",
                            "criteria": [
                                {
                                    "text": "Months reported: at least 6",
                                    "value": 9.0,
                                    "value_text": "9",
                                    "seen_text": "you have 9",
                                    "met": True,
                                }
                            ],
                            "met_count": 1,
                            "total": 1,
                            "percent": 100,
                            "flag": {"id": 41, "status": "open"},
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show the family every open program and how close it is to each."""
        checklist = checklist_for(organization=self.organization, family=self.family)
        return Response(ChecklistOut(checklist).data)


__all__ = [
    "DecisionViewSet",
    "FamilyChecklistView",
    "FlagViewSet",
    "LedgerView",
]
