"""The indicator catalog, monthly journals, goals, help between families and stipends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from families.models import Family
from fii.tenancy import TenantModel, TenantQuerySet

from .catalog import BUILTIN_CODES, INCOME_COLUMNS, Domain, Kind

DOMAIN_CHOICES = [
    (Domain.INCOME, _("Income")),
    (Domain.SAVINGS, _("Savings")),
    (Domain.DEBT, _("Debt")),
    (Domain.ASSETS, _("Assets")),
    (Domain.WORK, _("Work")),
    (Domain.EDUCATION, _("Education")),
    (Domain.HEALTH, _("Health")),
    (Domain.HOUSING, _("Housing")),
    (Domain.NETWORK, _("Friends and network")),
    (Domain.LEADERSHIP, _("Leadership")),
]

KIND_CHOICES = [
    (Kind.MONEY, _("Amount of money")),
    (Kind.COUNT, _("Count")),
    (Kind.HOURS, _("Hours")),
    (Kind.YESNO, _("Yes or no")),
    (Kind.CHOICE, _("One of a list")),
    (Kind.SCALE, _("Scale of 1 to 5")),
]


def _localized(obj: Any, stem: str) -> str:
    lang = (get_language() or "en")[:2]
    return getattr(obj, f"{stem}_{lang}", "") or getattr(obj, f"{stem}_en")


class IndicatorQuerySet(TenantQuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        return self.filter(active=True)


class Indicator(TenantModel):
    """One thing a family may report each month; built-in ones name their column."""

    code = models.SlugField(max_length=60)
    column = models.CharField(
        max_length=60, blank=True, help_text=_("Built-in: the JournalEntry column. Custom: empty.")
    )
    domain = models.CharField(max_length=16, choices=DOMAIN_CHOICES)
    kind = models.CharField(max_length=8, choices=KIND_CHOICES)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_es = models.CharField(_("label (Spanish)"), max_length=120)
    help_en = models.CharField(_("help (English)"), max_length=240, blank=True)
    help_es = models.CharField(_("help (Spanish)"), max_length=240, blank=True)
    choices = models.JSONField(
        default=list, blank=True, help_text=_("For 'one of a list': the options.")
    )
    min_value = models.FloatField(default=0)
    max_value = models.FloatField(default=10_000_000)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="indicator_code_unique_in_org"
            ),
            models.CheckConstraint(
                condition=Q(max_value__gte=F("min_value")), name="indicator_bounds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _localized(self, "label")

    @property
    def help(self) -> str:
        return _localized(self, "help")

    @property
    def is_builtin(self) -> bool:
        return bool(self.column)


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class JournalEntryQuerySet(TenantQuerySet["JournalEntry"]):
    def submitted(self) -> Self:
        return self.filter(status=EntryStatus.SUBMITTED)

    def in_period(self, period: Any) -> Self:
        return self.filter(period=period)

    def before(self, period: Any) -> Self:
        """Keep the months before `period`."""
        return self.filter(period__lt=period)


class JournalEntry(TenantModel):
    """A family's report on one month. One float column per built-in indicator (see DESIGN.md)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="journal_entries")
    period = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    extra = models.JSONField(default=dict, blank=True, help_text=_("Values of custom indicators."))
    draft = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Exactly what was typed in fields that did not validate."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "family", "period"], name="journal_one_per_family_month"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="journal_period_first_of_month"
            ),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="journal_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "period", "status"], name="journal_org_period")
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.period:%Y-%m}"

    @property
    def is_submitted(self) -> bool:
        return self.status == EntryStatus.SUBMITTED

    @property
    def total_income(self) -> float | None:
        values = [v for c in INCOME_COLUMNS if (v := self.value(c)) is not None]
        return sum(values) if values else None

    def value(self, code: str) -> float | None:
        """Return one built-in indicator's value by its code."""
        return getattr(self, code)

    def values(self) -> dict[str, Any]:
        """Return every indicator value by code, built-in and custom."""
        out: dict[str, Any] = {code: getattr(self, code) for code in BUILTIN_CODES}
        out.update(self.extra or {})
        return out


# One nullable float column per built-in indicator, named by its code: the catalog is the
# single source of truth, and a new built-in needs a migration like any other column.
for _code in BUILTIN_CODES:
    JournalEntry.add_to_class(_code, models.FloatField(null=True, blank=True))


class JournalRevision(TenantModel):
    """The values of a submitted entry before one correction."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="revisions")
    values = models.JSONField()
    changed_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at"]


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    ACHIEVED = "achieved", _("Achieved")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped")


OPEN_GOAL_STATUSES = (GoalStatus.ACTIVE, GoalStatus.PAUSED)


class GoalQuerySet(TenantQuerySet["Goal"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_GOAL_STATUSES)


class Goal(TenantModel):
    """A goal in the family's own words."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("area of life"), max_length=16, choices=DOMAIN_CHOICES)
    title = models.CharField(_("our goal"), max_length=200)
    success_looks_like = models.TextField(_("what success looks like"), max_length=2000, blank=True)
    target_amount = models.FloatField(
        _("target amount"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    target_date = models.DateField(_("by when"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 matters most now, 5 can wait."),
    )
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    achieved_at = models.DateTimeField(null=True, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["status", "priority", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5), name="goal_priority_1_5"
            ),
            models.CheckConstraint(
                condition=Q(target_amount__isnull=True) | Q(target_amount__gte=0),
                name="goal_target_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES


class GoalUpdate(TenantModel):
    """A step of progress on a goal, told by the family."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    period = models.DateField(null=True, blank=True)
    note = models.TextField(_("what happened"), max_length=2000, blank=True)
    amount_so_far = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    percent_done = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_done__isnull=True) | Q(percent_done__lte=100),
                name="goalupdate_percent_le_100",
            ),
        ]


class HelpKind(models.TextChoices):
    CHILDCARE = "childcare", _("Childcare")
    TRANSPORT = "transport", _("Transport")
    FOOD = "food", _("Food")
    MONEY_LENT = "money_lent", _("Money lent")
    JOB_LEAD = "job_lead", _("Job lead")
    ADVICE = "advice", _("Advice")
    OTHER = "other", _("Other")


class HelpExchangeQuerySet(TenantQuerySet["HelpExchange"]):
    def involving(self, families: Iterable[Any]) -> Self:
        """Keep the help any of `families` (families, ids or a queryset of them) gave or got."""
        return self.filter(Q(giver__in=families) | Q(receiver__in=families))


class HelpExchange(TenantModel):
    """Help one family gave another (or someone outside the group: a null side)."""

    period = models.DateField()
    giver = models.ForeignKey(
        Family, on_delete=models.CASCADE, null=True, blank=True, related_name="help_given"
    )
    receiver = models.ForeignKey(
        Family, on_delete=models.CASCADE, null=True, blank=True, related_name="help_received"
    )
    recorded_by = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="help_recorded")
    kind = models.CharField(max_length=16, choices=HelpKind.choices)
    hours = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    amount = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=300, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = HelpExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(giver__isnull=False) | Q(receiver__isnull=False),
                name="help_has_a_family",
            ),
            models.CheckConstraint(
                condition=Q(giver__isnull=True)
                | Q(receiver__isnull=True)
                | ~Q(giver=F("receiver")),
                name="help_not_to_self",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=False) | Q(amount__isnull=False),
                name="help_has_hours_or_amount",
            ),
            models.CheckConstraint(
                condition=(Q(hours__isnull=True) | Q(hours__gte=0))
                & (Q(amount__isnull=True) | Q(amount__gte=0)),
                name="help_non_negative",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="help_period_first_of_month"),
        ]
        indexes = [models.Index(fields=["organization", "period"], name="help_org_period")]

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class StipendStatus(models.TextChoices):
    EARNED = "earned", _("Earned")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class StipendQuerySet(TenantQuerySet["Stipend"]):
    def earned(self) -> Self:
        """Keep the stipends earned and not paid yet."""
        return self.filter(status=StipendStatus.EARNED)


class Stipend(TenantModel):
    """What a family earned for a journal submitted on time."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="stipends")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="stipend")
    period = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    status = models.CharField(
        max_length=10, choices=StipendStatus.choices, default=StipendStatus.EARNED
    )
    earned_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = StipendQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "family", "period"], name="stipend_one_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="stipend_amount_gte_0"),
            models.CheckConstraint(
                condition=~Q(status=StipendStatus.PAID) | Q(paid_at__isnull=False),
                name="stipend_paid_has_time",
            ),
        ]


class Reminder(TenantModel):
    """A journal reminder sent to a family for one month; at most one per family and month."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="reminders")
    period = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "family", "period"], name="reminder_one_per_family_month"
            ),
        ]
