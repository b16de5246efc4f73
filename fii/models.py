"""Platform core: people, organizations (the tenants), memberships, funders and the audit log."""

from __future__ import annotations

import hashlib
import zoneinfo
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantQuerySet

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. USD."))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address.

    `is_staff` means Django-admin access (platform operators), not an organization's staff:
    that is a Membership role.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Empty: use the browser's language.")
    )
    is_active = models.BooleanField(default=True)  # type: ignore[misc]
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class UserSession(AbstractBaseSession):
    """A session, as Django keeps it, with the signed-in person's id in a column of its own.

    The store (fii.sessions) writes that id on every save, so a person's sessions are found
    without decoding every session (erasure ends them).
    """

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "fii_session"
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from .sessions import SessionStore

        return SessionStore


class Organization(models.Model):
    """The tenant: one community organization and the families it walks beside."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="USD", validators=[CURRENCY_VALIDATOR])
    journal_due_day = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the following month by which a month's journal is due."),
    )
    stipend_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Earned for each journal submitted by the due day; zero turns stipends off."),
    )
    journal_edit_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("Days after submitting during which a family may correct its journal."),
    )
    min_cell_size = models.PositiveSmallIntegerField(
        default=11,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("Funders never see a figure built on fewer families than this."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    catalog_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_(
            "Moves on whenever the organization's indicators change, so that a web process "
            "may keep its copy of them until then."
        ),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(journal_due_day__gte=1, journal_due_day__lte=28),
                name="organization_due_day_1_28",
            ),
            models.CheckConstraint(
                condition=Q(stipend_amount__gte=0), name="organization_stipend_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(min_cell_size__gte=2), name="organization_min_cell_gte_2"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The catalog version only moves forward, by one UPDATE where indicators change: an
        # organization read before that change (a settings form) must not write it back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "catalog_version"
            ]
        super().save(*args, **kwargs)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self):  # type: ignore[no-untyped-def]
        """Return today's date in the organization's time zone."""
        return timezone.localdate(timezone=self.tz)


class Role(models.TextChoices):
    FAMILY = "family", _("Family")
    STAFF = "staff", _("Staff")
    ORG_ADMIN = "org_admin", _("Organization admin")


STAFF_ROLES = frozenset({Role.STAFF, Role.ORG_ADMIN})


class Membership(models.Model):
    """A person's role in one organization; a family membership names its family."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    # A string reference: fii imports nothing from families; the link is data only.
    family = models.ForeignKey(
        "families.Family",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_one_per_org"),
            models.CheckConstraint(
                condition=(Q(role=Role.FAMILY) & Q(family__isnull=False))
                | (~Q(role=Role.FAMILY) & Q(family__isnull=True)),
                name="membership_family_iff_family_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    @property
    def is_family(self) -> bool:
        return self.role == Role.FAMILY

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN

    def clean(self) -> None:
        if self.family is not None and self.family.organization_id != self.organization_id:
            raise ValidationError({"family": _("The family belongs to another organization.")})


class Funder(models.Model):
    """A foundation or public body that funds organizations and sees only aggregates."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(User, related_name="funders", blank=True)
    organizations = models.ManyToManyField(Organization, through="Funding", related_name="funders")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Funding(models.Model):
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    since = models.DateField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "funder"], name="funding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.organization}"


class AuditEvent(models.Model):
    """Who did what to which object, and when; never a copy of the sensitive values."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organization", "-at"], name="audit_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 hash is kept, so it can be shown just once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Whether the session that minted it had passed the second factor: a privileged account's
    # tokens work only if so (fii.security.token_may_act).
    with_second_factor = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def hash_key(key: str) -> str:
        """Return the SHA-256 hex digest under which a token is stored and looked up."""
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
