"""Groups of friends, their families and members, invitations and consent."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fii.models import Role
from fii.tenancy import TenantModel, TenantQuerySet


class GroupQuerySet(TenantQuerySet["Group"]):
    def active(self) -> GroupQuerySet:
        return self.filter(archived_at__isnull=True)


class Group(TenantModel):
    """A cohort of usually five to eight families who know each other."""

    name = models.CharField(_("name"), max_length=120)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="group_name_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def household_key(name: str) -> str:
    """Return a household's name as a key: spaces and case aside, two spellings are one."""
    return " ".join(name.split()).casefold()


class FamilyQuerySet(TenantQuerySet["Family"]):
    def active(self) -> FamilyQuerySet:
        """Families on the roster: neither archived nor erased."""
        return self.filter(archived_at__isnull=True, erased_at__isnull=True)

    def counted(self) -> FamilyQuerySet:
        """Families whose numbers count in figures: not archived, erased ones included (an
        erasure takes words away, never numbers, so no figure moves)."""
        return self.filter(archived_at__isnull=True)


class Family(TenantModel):
    """A household: the unit that journals, sets goals and receives capital."""

    name = models.CharField(_("household name"), max_length=120)
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    joined_on = models.DateField(_("joined on"))
    household_size = models.PositiveSmallIntegerField(
        _("people in the household"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    baseline_monthly_income = models.FloatField(
        _("monthly income when joining"), validators=[MinValueValidator(0)]
    )
    baseline_savings = models.FloatField(
        _("savings when joining"), default=0, validators=[MinValueValidator(0)]
    )
    baseline_debt = models.FloatField(
        _("debt when joining"), default=0, validators=[MinValueValidator(0)]
    )
    reminders_enabled = models.BooleanField(_("send journal reminders"), default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set when the family's personal data was erased. An erased family leaves the roster
    # (`active()`) but not the figures: its anonymous numbers keep counting unless staff
    # also archive it, so totals stay what they were (see docs/erasure.md).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "families"
        constraints = [
            models.CheckConstraint(
                condition=Q(household_size__gte=1, household_size__lte=30),
                name="family_household_size_range",
            ),
            models.CheckConstraint(
                condition=Q(baseline_monthly_income__gte=0), name="family_baseline_income_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(baseline_savings__gte=0), name="family_baseline_savings_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(baseline_debt__gte=0), name="family_baseline_debt_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["organization", "group"], name="family_org_group")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class FamilyMember(TenantModel):
    """A person of the household, adult or child."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(_("first name"), max_length=80)
    is_adult = models.BooleanField(_("adult"), default=True)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    school = models.CharField(_("school or training"), max_length=120, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-is_adult", "birth_year", "first_name"]

    def __str__(self) -> str:
        return self.first_name


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _in_two_weeks():  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=14)


class InvitationQuerySet(TenantQuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Invitations neither accepted nor cancelled (possibly expired)."""
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True)


class Invitation(TenantModel):
    """An invitation by e-mail to join the organization in a role."""

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(max_length=16, choices=Role.choices)
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_in_two_weeks)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.FAMILY) & Q(family__isnull=False))
                | (~Q(role=Role.FAMILY) & Q(family__isnull=True)),
                name="invitation_family_iff_family_role",
            ),
            # Inviting the same address again refreshes its open invitation instead.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def status(self) -> str:
        """Return "accepted", "cancelled", "expired" or "pending"."""
        if self.accepted_at is not None:
            return "accepted"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


# The version of the consent texts currently shown to families.
CONSENT_TEXT_VERSION = "2026-01"


class ConsentKind(models.TextChoices):
    PARTICIPATION = "participation", _("Take part and keep a monthly journal")
    AGGREGATE_REPORTING = "aggregate_reporting", _("Be counted, anonymously, in reports to funders")
    STORY_SHARING = "story_sharing", _("Share our story with the people we choose")
    CONTACT = "contact", _("Be contacted by e-mail about the program")


class ConsentQuerySet(TenantQuerySet["Consent"]):
    def in_force(self) -> ConsentQuerySet:
        return self.filter(revoked_at__isnull=True)


class Consent(TenantModel):
    """What a family agreed to, and when; revoking keeps the record and sets revoked_at."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    text_version = models.CharField(
        _("version of the text agreed to"), max_length=20, default=CONSENT_TEXT_VERSION
    )
    granted_at = models.DateTimeField(_("agreed on"), default=timezone.now)
    agreed_by = models.CharField(_("who in the family agreed"), max_length=120, blank=True)
    # Who recorded it in fii: a staff member for a paper form, or the family itself.
    granted_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "family", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="consent_one_in_force_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("granted_at")),
                name="consent_revoked_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family}: {self.get_kind_display()}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    CHECKING = "checking", _("Checking the rows")
    REJECTED = "rejected", _("Problems found: nothing was imported")
    WRITING = "writing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Stopped by an error: nothing was imported")


FINISHED_IMPORT_STATUSES = frozenset(
    {ImportStatus.REJECTED, ImportStatus.DONE, ImportStatus.FAILED}
)


class ImportJob(TenantModel):
    """One upload of families and past journals from CSV, checked and written by a task.

    The files are kept as text in the database (at most a few megabytes): no media storage
    to set up, and a rejected import can be retried with "skip the bad rows" without
    uploading again.
    """

    created_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    families_filename = models.CharField(max_length=200, blank=True)
    families_csv = models.TextField(blank=True)
    journals_filename = models.CharField(max_length=200, blank=True)
    journals_csv = models.TextField(blank=True)
    skip_bad_rows = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many times a worker took the job.")
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_rows__lte=models.F("total_rows")),
                name="importjob_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_IMPORT_STATUSES

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an admin")
    COMPLETED = "completed", _("Approved and done")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class ErasureRequestQuerySet(TenantQuerySet["ErasureRequest"]):
    def pending(self) -> ErasureRequestQuerySet:
        return self.filter(status=ErasureStatus.PENDING)


class ErasureRequest(TenantModel):
    """A family's request to be forgotten, and an org admin's decision on it."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Staff recorded a request the family made another way (by phone, in person).
    on_behalf = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "fii.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    # How many rows of each kind were erased, by app: counts only, never the values.
    erased_counts = models.JSONField(default=dict, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "family"],
                condition=Q(status=ErasureStatus.PENDING),
                name="erasure_one_pending_per_family",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ErasureStatus.values), name="erasure_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=ErasureStatus.PENDING) & Q(decided_at__isnull=True))
                | (~Q(status=ErasureStatus.PENDING) & Q(decided_at__isnull=False)),
                name="erasure_decided_iff_not_pending",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "status", "-requested_at"], name="erasure_org_status"
            )
        ]

    def __str__(self) -> str:
        return f"erasure {self.pk} of family {self.family_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == ErasureStatus.PENDING
