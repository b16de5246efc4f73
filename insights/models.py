"""Nightly aggregation: one run per organization and date, and the snapshots it writes.

A snapshot row holds one column per feature of ``insights.features.FAMILY_COLUMNS`` (or
``GROUP_COLUMNS``) and, for families, of ``insights.deviance.DEVIANCE_COLUMNS``, named exactly
like them: the pure modules define the features, these tables store them, and a new feature
needs a migration like any other column (tests/insights/test_models.py checks the names).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fii.tenancy import TenantModel, TenantQuerySet


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AggregationRunQuerySet(TenantQuerySet["AggregationRun"]):
    def succeeded(self) -> AggregationRunQuerySet:
        return self.filter(status=RunStatus.SUCCEEDED)


class AggregationRun(TenantModel):
    """The nightly aggregation of one organization as of one date; idempotent for that pair."""

    as_of = models.DateField(_("as of"))
    last_period = models.DateField(
        _("last month included"), null=True, blank=True, help_text=_("First day of the month.")
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text=_("Times the run was claimed, by a worker or by run_nightly.")
    )
    claimed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who holds, or last held, the run: a Celery task id, or run_nightly."),
    )
    timings = models.JSONField(default=dict, blank=True, help_text=_("Seconds per stage."))
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AggregationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "as_of"], name="run_one_per_org_day"),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.RUNNING) | Q(started_at__isnull=False),
                name="run_running_has_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-as_of"], name="run_org_status_as_of")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.as_of} {self.status}"

    @property
    def seconds(self) -> float | None:
        """Return the wall time of the last attempt, or None while it has not finished."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class FamilySnapshot(TenantModel):
    """One family's features and positive-deviance result in one run."""

    # The unique constraint starts with organization: no separate index for it.
    organization = models.ForeignKey(
        "fii.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    run = models.ForeignKey(
        AggregationRun, on_delete=models.CASCADE, related_name="family_snapshots"
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="snapshots"
    )
    group = models.ForeignKey(
        "families.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    months_reported = models.PositiveIntegerField()
    consecutive_months = models.PositiveIntegerField()
    income_3m = models.FloatField(null=True, blank=True)
    income_12m = models.FloatField(null=True, blank=True)
    savings_3m = models.FloatField(null=True, blank=True)
    savings_12m = models.FloatField(null=True, blank=True)
    debt_3m = models.FloatField(null=True, blank=True)
    debt_12m = models.FloatField(null=True, blank=True)
    income_slope_12m = models.FloatField(null=True, blank=True)
    savings_rate = models.FloatField(null=True, blank=True)
    debt_to_income = models.FloatField(null=True, blank=True)
    income_change = models.FloatField(null=True, blank=True)
    income_change_pct = models.FloatField(null=True, blank=True)
    savings_change = models.FloatField(null=True, blank=True)
    debt_change = models.FloatField(null=True, blank=True)
    goals_active = models.PositiveIntegerField()
    goals_achieved = models.PositiveIntegerField()
    help_given_hours = models.FloatField(null=True, blank=True)
    help_given_count = models.PositiveIntegerField()
    help_received_hours = models.FloatField(null=True, blank=True)
    help_received_count = models.PositiveIntegerField()
    help_given_value = models.FloatField(null=True, blank=True)
    help_received_value = models.FloatField(null=True, blank=True)
    last_period_reported = models.BooleanField()
    n_absurd = models.PositiveIntegerField()
    single_month = models.BooleanField()
    peer_group = models.CharField(max_length=16)
    peer_size = models.PositiveIntegerField()
    growth = models.FloatField(null=True, blank=True)
    growth_percentile = models.FloatField(null=True, blank=True)
    peer_median_growth = models.FloatField(null=True, blank=True)
    peer_spread = models.FloatField(null=True, blank=True)
    margin = models.FloatField(null=True, blank=True)
    is_positive_deviant = models.BooleanField()
    peer_too_small = models.BooleanField()

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "run", "family"], name="familysnapshot_one_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"family {self.family_id} in run {self.run_id}"


class GroupSnapshot(TenantModel):
    """One group's features in one run."""

    organization = models.ForeignKey(
        "fii.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    run = models.ForeignKey(
        AggregationRun, on_delete=models.CASCADE, related_name="group_snapshots"
    )
    group = models.ForeignKey("families.Group", on_delete=models.CASCADE, related_name="snapshots")
    families = models.PositiveIntegerField()
    share_reporting = models.FloatField(null=True, blank=True)
    median_income_3m = models.FloatField(null=True, blank=True)
    median_savings_3m = models.FloatField(null=True, blank=True)
    median_debt_3m = models.FloatField(null=True, blank=True)
    median_income_change_pct = models.FloatField(null=True, blank=True)
    help_hours_within_group = models.FloatField(null=True, blank=True)
    help_count_within_group = models.PositiveIntegerField()

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "run", "group"], name="groupsnapshot_one_per_run"
            ),
        ]

    def __str__(self) -> str:
        return f"group {self.group_id} in run {self.run_id}"


class StoryAudience(models.TextChoices):
    NONE = "none", _("Nobody yet: keep it to ourselves")
    GROUP = "group", _("The families of our group")
    ORGANIZATION = "organization", _("All families of the organization")


class StoryQuerySet(TenantQuerySet["Story"]):
    def published(self) -> StoryQuerySet:
        """Stories whose family chose readers and has not withdrawn them."""
        return self.filter(published_at__isnull=False, withdrawn_at__isnull=True).exclude(
            audience=StoryAudience.NONE
        )


class Story(TenantModel):
    """A positive deviant's story, in its own words, read only by the people it chose."""

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="stories")
    invited_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField()
    body = models.TextField(_("our story"), max_length=5000, blank=True)
    audience = models.CharField(
        _("who may read it"),
        max_length=16,
        choices=StoryAudience.choices,
        default=StoryAudience.NONE,
    )
    show_name = models.BooleanField(_("show our family's name"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-invited_at"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(fields=["organization", "family"], name="story_one_per_family"),
            # Nothing is shown without the family's choice: a published story names its readers.
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(audience=StoryAudience.NONE),
                name="story_published_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return f"story of family {self.family_id}"

    @property
    def is_published(self) -> bool:
        return (
            self.published_at is not None
            and self.withdrawn_at is None
            and self.audience != StoryAudience.NONE
        )

    @property
    def status(self) -> str:
        """Return "published", "withdrawn", "written" or "invited"."""
        if self.is_published:
            return "published"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "written" if self.body else "invited"
