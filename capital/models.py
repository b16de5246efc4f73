"""Capital programs, their readiness rules, the flags the nightly run raises, and the ledger."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from fii.models import CURRENCY_VALIDATOR
from fii.tenancy import TenantModel, TenantQuerySet

from .metrics import METRIC_CHOICES, METRICS, Subject, metrics_for, requirement_text
from .rules import RuleSpec


class ProgramKind(models.TextChoices):
    SCHOLARSHIP = "scholarship", _("Scholarship")
    BUSINESS_LOAN = "business_loan", _("Business loan")
    MATCHED_SAVINGS = "matched_savings", _("Matched savings")
    GRANT = "grant", _("Grant")
    GROUP_FUND = "group_fund", _("Group fund")


class SubjectChoice(models.TextChoices):
    FAMILY = Subject.FAMILY, _("Families")
    GROUP = Subject.GROUP, _("Groups")


class ProgramQuerySet(TenantQuerySet["Program"]):
    def active(self) -> ProgramQuerySet:
        return self.filter(active=True)


class Program(TenantModel):
    """A way the organization puts capital behind families or groups, with a budget."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices)
    subject = models.CharField(
        _("for"), max_length=8, choices=SubjectChoice.choices, default=Subject.FAMILY
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[CURRENCY_VALIDATOR],
        help_text=_("Empty: the organization's currency."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="program_name_unique_in_org"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="program_budget_gte_0"),
            models.CheckConstraint(
                condition=Q(kind__in=ProgramKind.values), name="program_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(subject__in=SubjectChoice.values), name="program_subject_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ProgramKind.GROUP_FUND) | Q(subject=Subject.GROUP),
                name="program_group_fund_is_for_groups",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.currency and self.organization_id:
            self.currency = self.organization.currency
        super().save(*args, **kwargs)

    def rule_specs(self) -> list[RuleSpec]:
        """Return the program's rules as pure criteria, in their order (uses prefetched rules)."""
        return [rule.spec() for rule in self.rules.all()]


class Operator(models.TextChoices):
    GTE = ">=", _("at least")
    GT = ">", _("more than")
    LTE = "<=", _("at most")
    LT = "<", _("less than")
    EQ = "==", _("exactly")
    NE = "!=", _("anything but")


class ReadinessRule(TenantModel):
    """One criterion of a program: a snapshot metric compared with a threshold."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")
    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    threshold = models.FloatField(_("threshold"))
    label_en = models.CharField(_("plain-language label (English)"), max_length=160, blank=True)
    label_es = models.CharField(_("plain-language label (Spanish)"), max_length=160, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "program", "metric", "operator"],
                name="rule_one_per_metric_and_operator",
            ),
            models.CheckConstraint(
                condition=Q(operator__in=Operator.values), name="rule_operator_valid"
            ),
            models.CheckConstraint(condition=Q(metric__in=list(METRICS)), name="rule_metric_known"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.operator} {self.threshold:g}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        program = self.program if self.program_id else None
        if program and self.organization_id and program.organization_id != self.organization_id:
            errors["program"] = _("The program belongs to another organization.")
        if program and self.metric in METRICS:
            allowed = {m.name for m in metrics_for(program.subject)}
            if self.metric not in allowed:
                errors["metric"] = _("This metric does not describe the program's subject.")
        if isinstance(self.threshold, float) and not math.isfinite(self.threshold):
            errors["threshold"] = _("Enter a finite number.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A wrong metric is silent until the nightly run; refuse it at the door.
        self.full_clean()
        super().save(*args, **kwargs)

    def plain_text(self, currency: str = "") -> str:
        """Return the criterion in plain language, in the active language."""
        es = (get_language() or "en")[:2] == "es"
        own = self.label_es if es else self.label_en
        if own:
            return own
        return requirement_text(METRICS[self.metric], self.operator, self.threshold, currency)

    def spec(self) -> RuleSpec:
        """Return this rule as a pure criterion for ``capital.rules.evaluate``."""
        metric = METRICS[self.metric]
        # The evidence is stored once and read by staff: write its label in English.
        with override("en"):
            label = self.label_en or requirement_text(
                metric, self.operator, self.threshold, self.program.currency
            )
        return RuleSpec(
            metric=self.metric,
            operator=self.operator,
            threshold=float(self.threshold),
            label=label,
            scale=metric.scale,
        )


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    DEFERRED = "deferred", _("Deferred")
    EXPIRED = "expired", _("Expired")
    ASKED = "asked", _("Waiting for the family")


# Flags a person may still act on; at most one per subject and program.
LIVE_STATUSES = (FlagStatus.OPEN, FlagStatus.IN_REVIEW, FlagStatus.ASKED)


class FlagQuerySet(TenantQuerySet["Flag"]):
    def live(self) -> FlagQuerySet:
        return self.filter(status__in=LIVE_STATUSES)

    def with_subject(self) -> FlagQuerySet:
        """Select the program and the family (with its group) or the group a flag is about."""
        return self.select_related("program", "family__group", "group")

    def in_group(self, group_id: int) -> FlagQuerySet:
        """Keep a group's own flags and its families' flags."""
        return self.filter(Q(group_id=group_id) | Q(family__group_id=group_id))


def _one_subject() -> Q:
    return Q(family__isnull=False, group__isnull=True) | Q(family__isnull=True, group__isnull=False)


class Flag(TenantModel):
    """A family or group that meets every criterion of a program, with the evidence why."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="flags")
    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "families.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # SET_NULL: a flag and its evidence outlive the run that raised it.
    run = models.ForeignKey(
        "insights.AggregationRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The nightly run that last saw every criterion hold."),
    )
    score = models.FloatField(default=0)
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    deferred_until = models.DateField(
        null=True, blank=True, help_text=_("A deferred subject is not flagged again before this.")
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "opened_at"]
        constraints = [
            models.CheckConstraint(condition=_one_subject(), name="flag_exactly_one_subject"),
            models.CheckConstraint(
                condition=Q(status__in=FlagStatus.values), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="flag_score_0_100"
            ),
            models.CheckConstraint(
                condition=(Q(status__in=LIVE_STATUSES) & Q(closed_at__isnull=True))
                | (~Q(status__in=LIVE_STATUSES) & Q(closed_at__isnull=False)),
                name="flag_closed_iff_decided",
            ),
            models.CheckConstraint(
                condition=(Q(status=FlagStatus.DEFERRED) & Q(deferred_until__isnull=False))
                | (~Q(status=FlagStatus.DEFERRED) & Q(deferred_until__isnull=True)),
                name="flag_deferred_iff_until",
            ),
            models.UniqueConstraint(
                fields=["organization", "program", "family"],
                condition=Q(status__in=LIVE_STATUSES, family__isnull=False),
                name="flag_one_live_per_family_program",
            ),
            models.UniqueConstraint(
                fields=["organization", "program", "group"],
                condition=Q(status__in=LIVE_STATUSES, group__isnull=False),
                name="flag_one_live_per_group_program",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="flag_org_status")]

    def __str__(self) -> str:
        return f"{self.program}: {self.family or self.group} ({self.status})"

    @property
    def subject_id(self) -> int | None:
        return self.family_id if self.family_id is not None else self.group_id

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def subject(self) -> Any:
        """Return the family or the group the flag is about (select it with the flag)."""
        return self.family if self.family_id is not None else self.group

    def clean(self) -> None:
        super().clean()
        if self.program_id and (self.family_id is not None) != (
            self.program.subject == Subject.FAMILY
        ):
            raise ValidationError(_("The flag's subject does not match the program's."))


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    DECLINE = "decline", _("Decline")
    DEFER = "defer", _("Defer")
    ASK_INFO = "ask_info", _("Ask for information")


class ReviewQuerySet(TenantQuerySet["Review"]):
    def unanswered_questions(self) -> ReviewQuerySet:
        """Keep the questions asked of a family that it has not answered."""
        return self.filter(decision=Decision.ASK_INFO, answered_at__isnull=True)


class Review(TenantModel):
    """A person's decision on a flag, with a note and, when approving, an amount."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decided_at = models.DateTimeField(default=timezone.now)
    # A question to the family (decision "ask_info") and the family's answer.
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="review_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="review_amount_gt_0"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(decision=Decision.ASK_INFO),
                name="review_only_questions_answered",
            ),
        ]
        indexes = [models.Index(fields=["organization", "-decided_at"], name="review_org_at")]

    def __str__(self) -> str:
        return f"{self.flag}: {self.decision}"


class DisbursementStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class DisbursementQuerySet(TenantQuerySet["Disbursement"]):
    def committed(self) -> DisbursementQuerySet:
        """Keep the payments the organization owes or paid: all but the cancelled ones."""
        return self.exclude(status=DisbursementStatus.CANCELLED)

    def paid(self) -> DisbursementQuerySet:
        return self.filter(status=DisbursementStatus.PAID)


class Disbursement(TenantModel):
    """One scheduled payment of a commitment to a family or group; a schedule is several."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="disbursements")
    flag = models.ForeignKey(
        Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="disbursements"
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "families.Group", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    due_on = models.DateField()
    # Payment `instalment` of `instalments` of one commitment (an approved flag).
    instalment = models.PositiveSmallIntegerField(default=1)
    instalments = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=DisbursementStatus.choices, default=DisbursementStatus.SCHEDULED
    )
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_gt_0"),
            models.CheckConstraint(condition=_one_subject(), name="disbursement_one_recipient"),
            models.CheckConstraint(
                condition=Q(status__in=DisbursementStatus.values), name="disbursement_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=DisbursementStatus.PAID) & Q(paid_on__isnull=False))
                | (~Q(status=DisbursementStatus.PAID) & Q(paid_on__isnull=True)),
                name="disbursement_paid_iff_paid_on",
            ),
            models.CheckConstraint(
                condition=Q(instalment__gte=1, instalment__lte=models.F("instalments")),
                name="disbursement_instalment_in_schedule",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "program", "due_on"], name="disb_org_prog_due")
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.amount} due {self.due_on}"


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Instalment:
    """One monthly repayment a loan's schedule asks for."""

    number: int
    due_on: date
    amount: Decimal
    principal: Decimal
    interest: Decimal


CENT = Decimal("0.01")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REPAID = "repaid", _("Repaid")
    WRITTEN_OFF = "written_off", _("Written off")
    CANCELLED = "cancelled", _("Cancelled")


class LoanQuerySet(TenantQuerySet["Loan"]):
    def committed(self) -> LoanQuerySet:
        """Keep the loans the organization lent or will lend: all but the cancelled ones."""
        return self.exclude(status=LoanStatus.CANCELLED)

    def paid_out(self, today: date) -> LoanQuerySet:
        """Keep the committed loans whose money went out: those started by ``today``."""
        return self.committed().filter(start_on__lte=today)


class Loan(TenantModel):
    """Money lent to a family, repaid in monthly instalments."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="loans")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    flag = models.ForeignKey(
        Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="loans"
    )
    principal = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    annual_rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A fraction: 0.05 means 5% a year."),
    )
    term_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    start_on = models.DateField()
    status = models.CharField(max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_gt_0"),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0, annual_rate__lte=1), name="loan_rate_0_1"
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1, term_months__lte=360), name="loan_term_1_360"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LoanStatus.values), name="loan_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family}: {self.principal} over {self.term_months} months"

    @property
    def monthly_payment(self) -> Decimal:
        """Return the level monthly instalment that repays the loan over its term."""
        rate = self.annual_rate / 12
        if rate == 0:
            payment = self.principal / self.term_months
        else:
            payment = self.principal * rate / (1 - (1 + rate) ** -self.term_months)
        return payment.quantize(CENT)

    def schedule(self) -> list[Instalment]:
        """Return the level monthly instalments, the first a month after the loan starts.

        Interest is charged monthly on what is still owed; the last instalment settles the
        rounding, so the principal parts add up to the principal exactly.
        """
        rate, payment, balance = self.annual_rate / 12, self.monthly_payment, self.principal
        out = []
        for number in range(1, self.term_months + 1):
            interest = (balance * rate).quantize(CENT)
            principal = balance if number == self.term_months else min(payment - interest, balance)
            balance -= principal
            due_on = add_months(self.start_on, number)
            out.append(Instalment(number, due_on, principal + interest, principal, interest))
        return out


class Repayment(TenantModel):
    """Money a family paid back on a loan."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["organization", "loan"], name="repayment_org_loan")]

    def __str__(self) -> str:
        return f"{self.loan}: {self.amount} on {self.paid_on}"


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Staff")
    OVERHEAD = "overhead", _("Overhead")
    OTHER = "other", _("Other")


class ProgramCost(TenantModel):
    """What running a program (or the organization, with no program) cost in one month."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="costs"
    )
    month = models.DateField(help_text=_("The first day of the month."))
    category = models.CharField(max_length=10, choices=CostCategory.choices)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "category"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="programcost_amount_gt_0"),
            models.CheckConstraint(condition=Q(month__day=1), name="programcost_first_of_month"),
            models.CheckConstraint(
                condition=Q(category__in=CostCategory.values), name="programcost_category_valid"
            ),
        ]
        indexes = [models.Index(fields=["organization", "month"], name="programcost_org_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category}: {self.amount}"
