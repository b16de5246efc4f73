"""Erasure: a family asks to be forgotten, an org admin decides, and its personal data goes.

What is erased and what is kept, and why, is written down in docs/erasure.md. In short: names,
people, free text and accounts go; numbers, dates, group membership and the ledger stay,
without names, so every total the organization and its funders see stays the same.

Each app erases its own rows: this module the families and accounts; journals, insights and
capital theirs, by receiving ``families.signals.family_erased`` inside the same transaction.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fii.audit import audit_event
from fii.models import ApiToken, AuditEvent, Membership, Organization, Role, User, UserSession
from fii.sessions import SessionStore

from .models import (
    Consent,
    ErasureRequest,
    ErasureStatus,
    Family,
    FamilyMember,
    ImportJob,
    Invitation,
    household_key,
)
from .signals import family_erased

ERASED = "[erased]"
# Shorter values (a two-letter first name) would match inside unrelated words.
MIN_SCRUB_LENGTH = 3


class ErasureError(Exception):
    """A request or decision about erasure is refused, for a reason people should read."""


def erased_family_name(family: Family) -> str:
    """Return the neutral name an erased family keeps, so ledgers still have a label."""
    return f"Erased family {family.pk}"


def erased_email(user: User) -> str:
    """Return a unique address that can never receive mail (RFC 2606 reserves .invalid)."""
    return f"erased-{user.pk}@invalid"


# Requests and decisions --------------------------------------------------------------------


def _audit(
    action: str,
    organization: Organization,
    actor: Any,
    erasure: ErasureRequest,
    request: HttpRequest | None,
    **detail: Any,
) -> None:
    """Record a step of a request: ids and counts only, never an erased value or a reason."""
    audit_event(
        action,
        organization=organization,
        actor=actor,
        obj=erasure,
        request=request,
        family=erasure.family_id,
        **detail,
    )


def _locked_pending(organization: Organization, erasure: ErasureRequest) -> ErasureRequest:
    locked = (
        ErasureRequest.objects.for_org(organization)
        .select_for_update()
        .filter(pk=erasure.pk, status=ErasureStatus.PENDING)
        .first()
    )
    if locked is None:
        raise ErasureError(_("This request was already decided or cancelled."))
    return locked


@transaction.atomic
def erasure_request(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    on_behalf: bool = False,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Record a family's request to be forgotten; at most one waits per family."""
    if family.organization_id != organization.pk or family.is_erased:
        raise ErasureError(_("This family's information was already deleted."))
    if ErasureRequest.objects.for_org(organization).pending().filter(family=family).exists():
        raise ErasureError(_("A request is already waiting for an admin."))
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(
                organization=organization,
                family=family,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                on_behalf=on_behalf,
            )
    except IntegrityError as exc:  # a request sent twice at once: the first one stands
        raise ErasureError(_("A request is already waiting for an admin.")) from exc
    _audit("erasure.requested", organization, actor, erasure, request, on_behalf=on_behalf)
    return erasure


def _close(locked: ErasureRequest, actor: Any, status: str, **fields: Any) -> ErasureRequest:
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def erasure_cancel(
    *,
    organization: Organization,
    actor: Any,
    erasure: ErasureRequest,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Withdraw a waiting request; nothing is erased."""
    erasure = _close(_locked_pending(organization, erasure), actor, ErasureStatus.CANCELLED)
    _audit("erasure.cancelled", organization, actor, erasure, request)
    return erasure


@transaction.atomic
def erasure_decline(
    *,
    organization: Organization,
    actor: Any,
    erasure: ErasureRequest,
    reason: str,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Decline a waiting request with a reason the family reads; nothing is erased."""
    locked = _locked_pending(organization, erasure)
    erasure = _close(locked, actor, ErasureStatus.DECLINED, decline_reason=reason.strip())
    # The reason is free text about the family: the log says that one was given, not what.
    _audit("erasure.declined", organization, actor, erasure, request)
    return erasure


@transaction.atomic
def erasure_approve(
    *,
    organization: Organization,
    actor: Any,
    erasure: ErasureRequest,
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Approve a waiting request and erase the family's personal data, in one transaction."""
    locked = _locked_pending(organization, erasure)
    counts = family_erase(organization=organization, family=locked.family)
    erasure = _close(locked, actor, ErasureStatus.COMPLETED, erased_counts=counts)
    _audit("erasure.completed", organization, actor, erasure, request, counts=counts)
    return erasure


# The erasure itself ------------------------------------------------------------------------


# What the counts of an erasure mean, for the admin who reads them (the approved request's
# page). families describes its own; each app erasing through family_erased describes its
# part from its ready().
COUNT_LABELS: dict[str, Any] = {
    "families": gettext_lazy("The family and its accounts"),
    "family": gettext_lazy("Family name replaced"),
    "household_members": gettext_lazy("Household members deleted"),
    "invitations": gettext_lazy("Invitations deleted"),
    "consent_names": gettext_lazy("Names removed from consent records"),
    "memberships_closed": gettext_lazy("Logins closed"),
    "accounts": gettext_lazy("Accounts erased"),
    "accounts_shared_kept": gettext_lazy("Accounts closed here but used elsewhere"),
    "email_addresses": gettext_lazy("E-mail addresses deleted"),
    "second_factors": gettext_lazy("Second factors deleted"),
    "api_tokens": gettext_lazy("API tokens deleted"),
    "sessions": gettext_lazy("Sessions ended"),
    "decline_reasons": gettext_lazy("Reasons of earlier declines removed"),
    "import_files": gettext_lazy("Import files the household's rows were taken out of"),
    "audit_details": gettext_lazy("Audit log details cleaned"),
    "audit_addresses": gettext_lazy("Audit log entries without their IP address now"),
    "admin_log": gettext_lazy("Admin log entries without names now"),
}


def describe_counts(labels: dict[str, Any]) -> None:
    """Add an app's labels of the counts its family_erased receiver returns."""
    COUNT_LABELS.update(labels)


@transaction.atomic
def family_erase(*, organization: Organization, family: Family) -> dict[str, dict[str, int]]:
    """Erase a family's personal data and free text in every app; return counts by app.

    Safe to run twice: a second run finds nothing left to change and counts zeros.
    """
    family = Family.objects.for_org(organization).select_for_update().get(pk=family.pk)
    secrets = _personal_values(organization, family)
    users = _family_users(organization, family)
    # Before anything is deleted: the admin log names objects by id, deleted ones too.
    linked = _linked_objects(family, [u.pk for u in users["erase"]])
    counts: dict[str, int] = {}
    counts["family"] = _erase_family_row(family)
    counts["household_members"] = _delete_all(
        FamilyMember.objects.for_org(organization).filter(family=family)
    )
    counts["invitations"] = _delete_all(
        Invitation.objects.for_org(organization).filter(family=family)
    )
    counts["consent_names"] = (
        Consent.objects.for_org(organization)
        .filter(family=family)
        .exclude(agreed_by="")
        .update(agreed_by="")
    )
    counts["memberships_closed"] = (
        Membership.objects.for_org(organization)
        .filter(family=family, role=Role.FAMILY, is_active=True)
        .update(is_active=False)
    )
    counts.update(_erase_accounts(users))
    counts["decline_reasons"] = (
        ErasureRequest.objects.for_org(organization)
        .filter(family=family)
        .exclude(decline_reason="")
        .update(decline_reason="")
    )
    counts["import_files"] = _scrub_imports(organization, secrets.get("family_name", ""), family)
    counts["audit_details"] = _scrub_audit(organization, secrets["all"])
    counts["audit_addresses"] = (
        AuditEvent.objects.filter(actor__in=[u.pk for u in users["erase"]])
        .exclude(ip_address=None)
        .update(ip_address=None)
    )
    # An account used elsewhere keeps its address and name in the operator's log.
    shared = {v.strip() for u in users["shared"] for v in (u.email, u.name)}
    counts["admin_log"] = _scrub_admin_log(linked, [s for s in secrets["names"] if s not in shared])
    out: dict[str, dict[str, int]] = {"families": counts}
    for receiver, result in family_erased.send(
        sender=Family, family=family, organization=organization
    ):
        app_counts: dict[str, int] = result or {}  # type: ignore[assignment]
        out.setdefault(receiver.__module__.split(".")[0], {}).update(app_counts)
    return out


def _personal_values(organization: Organization, family: Family) -> dict[str, Any]:
    """Collect the values a copy (an audit detail, an import file, the admin log) might hold.

    "names" are the family's, its members' and its accounts' names and addresses; "all" adds
    the members' schools, which other families share.
    """
    members = list(FamilyMember.objects.for_org(organization).filter(family=family))
    names: set[str] = {m.first_name for m in members}
    accounts = User.objects.filter(
        memberships__organization=organization, memberships__family=family
    ).values_list("email", "name")
    for email, name in accounts:
        names |= {email, name}
    names |= set(
        Invitation.objects.for_org(organization)
        .filter(family=family)
        .values_list("email", flat=True)
    )
    names |= set(
        Consent.objects.for_org(organization)
        .filter(family=family)
        .values_list("agreed_by", flat=True)
    )
    out: dict[str, Any] = {}
    if not family.is_erased:
        names.add(family.name)
        out["family_name"] = family.name
    out["names"] = _usable(names)
    out["all"] = _usable(names | {m.school for m in members})
    return out


def _usable(values: set[str]) -> list[str]:
    return sorted({v.strip() for v in values if len(v.strip()) >= MIN_SCRUB_LENGTH})


def _family_users(organization: Organization, family: Family) -> dict[str, list[User]]:
    """Split the family's accounts: erased ones, and ones someone else still relies on.

    An account that also belongs to another organization, a funder or the platform is only
    closed here; its address is that other relationship's data, not this family's.
    """
    users = User.objects.filter(
        memberships__organization=organization,
        memberships__family=family,
        memberships__role=Role.FAMILY,
    ).distinct()
    out: dict[str, list[User]] = {"erase": [], "shared": []}
    for user in users:
        other = (
            Membership.objects.filter(user=user).exclude(organization=organization).exists()
            or user.funders.exists()
            or user.is_staff
            or user.is_superuser
        )
        out["shared" if other else "erase"].append(user)
    return out


def _delete_all(queryset: models.QuerySet[Any]) -> int:
    return queryset.delete()[0]


def _erase_family_row(family: Family) -> int:
    if family.is_erased and family.name == erased_family_name(family):
        return 0
    now = timezone.now()
    family.name = erased_family_name(family)
    family.reminders_enabled = False
    family.erased_at = family.erased_at or now
    family.save(update_fields=["name", "reminders_enabled", "erased_at"])
    return 1


def _erase_accounts(users: dict[str, list[User]]) -> dict[str, int]:
    """Close each account of the family for good: no address, name, password or way in."""
    erase = [u for u in users["erase"] if u.email != erased_email(u) or u.is_active]
    for user in erase:
        user.email = erased_email(user)
        user.name = ""
        user.language = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "name", "language", "is_active", "password"])
    ids = [u.pk for u in users["erase"]]
    return {
        "accounts": len(erase),
        "accounts_shared_kept": len(users["shared"]),
        "email_addresses": EmailAddress.objects.filter(user__in=ids).delete()[0],
        "second_factors": Authenticator.objects.filter(user__in=ids).delete()[0],
        "api_tokens": ApiToken.objects.filter(user__in=ids).delete()[0],
        "sessions": _delete_sessions(ids),
    }


def _delete_sessions(user_ids: list[int]) -> int:
    """End the accounts' sessions through the session store: their rows and cached copies."""
    sessions = UserSession.objects.filter(user_id__in=user_ids)
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        SessionStore().delete(key)
    return len(keys)


# Copies elsewhere --------------------------------------------------------------------------


def _json_forms(value: str) -> set[str]:
    """Return the value as typed and as JSON text escapes it (SQLite stores it escaped)."""
    return {value, json.dumps(value)[1:-1]}


def _mentions(fields: Iterable[str], secrets: Iterable[str]) -> Q:
    """Match rows whose fields may hold a secret however it is spaced: its longest word."""
    match = Q()
    for secret in secrets:
        for form in _json_forms(max(secret.split(), key=len)):
            for field in fields:
                match |= Q(**{f"{field}__icontains": form})
    return match


def _words(secrets: Iterable[str]) -> re.Pattern[str]:
    """Match any of the secrets as whole words, in any case and spacing.

    "Ana" is not in "banana"; "BRENNAN  FAMILY" and "brennan_family.csv" hold "Brennan Family".
    """
    spaced = (r"[\s_-]+".join(map(re.escape, s.split())) for s in secrets)
    alternatives = "|".join(sorted(spaced, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub_value(value: Any, words: re.Pattern[str], replace: Callable[[str], str]) -> Any:
    """Return the JSON value with `replace` applied to each string (keys too) a word matches."""
    if isinstance(value, str):
        return replace(value) if words.search(value) else value
    if isinstance(value, list):
        return [_scrub_value(v, words, replace) for v in value]
    if isinstance(value, dict):
        return {
            _scrub_value(k, words, replace): _scrub_value(v, words, replace)
            for k, v in value.items()
        }
    return value


def _scrub_audit(organization: Organization, secrets: list[str]) -> int:
    """Blank any string of an audit detail that copied an erased value (none should).

    Only the organization's own events: the operator's (sign-in, account) hold none by design.
    """
    if not secrets:
        return 0
    words = _words(secrets)
    changed = 0
    events = AuditEvent.objects.for_org(organization).filter(_mentions(["detail"], secrets))
    for event in events.only("pk", "detail"):
        detail = _scrub_value(event.detail, words, lambda _text: ERASED)
        if detail != event.detail:
            AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
            changed += 1
    return changed


# Kept import files -------------------------------------------------------------------------


def _drop_household_rows(text: str, key: str, words: re.Pattern[str]) -> str:
    """Return the CSV text with each row naming the household blank, by the import's key.

    A blank row keeps the rows after it at the numbers the job's report gives them. A file
    the csv module cannot read has no rows to take out: it goes whole if it names the
    household anywhere.
    """
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return "" if words.search(text) else text
    body = [[] if any(household_key(cell) == key for cell in row) else row for row in rows[1:]]
    if body == rows[1:]:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([*rows[:1], *body])
    return out.getvalue()


def _scrub_imports(organization: Organization, name: str, family: Family) -> int:
    """Take the household's rows out of kept import files, and its name out of the rest.

    Rows are matched by the household key the import itself uses, so that a file spelling the
    name otherwise ("BRENNAN  FAMILY") cannot bring the family back when a rejected import is
    retried skipping its bad rows. Reports and file names get the erased name instead.
    """
    name = name.strip()
    if len(name) < MIN_SCRUB_LENGTH:
        return 0
    key, words = household_key(name), _words([name])

    def rename(text: str) -> str:
        return words.sub(erased_family_name(family), text)

    kept = ~Q(families_csv="") | ~Q(journals_csv="")
    named = _mentions(["report", "families_filename", "journals_filename"], [name])
    changed = 0
    for job in ImportJob.objects.for_org(organization).filter(kept | named):
        scrubbed = {
            "families_csv": _drop_household_rows(job.families_csv, key, words),
            "journals_csv": _drop_household_rows(job.journals_csv, key, words),
            "families_filename": rename(job.families_filename)[:200],
            "journals_filename": rename(job.journals_filename)[:200],
            "report": _scrub_value(job.report, words, rename),
        }
        fields = [field for field, value in scrubbed.items() if value != getattr(job, field)]
        if fields:
            for field in fields:
                setattr(job, field, scrubbed[field])
            job.save(update_fields=fields)
            changed += 1
    return changed


# Django's admin log ------------------------------------------------------------------------

# How far a row may be from the family or an account to be theirs: a repayment is one
# through its loan (two foreign keys).
MAX_HOPS = 3


def _lookups_to(
    model: type[models.Model], targets: set[type[models.Model]], hops: int
) -> list[tuple[str, type[models.Model]]]:
    """Return each lookup from the model to one of the targets along foreign keys."""
    found: list[tuple[str, type[models.Model]]] = []
    for field in model._meta.concrete_fields:
        target = field.related_model
        if not field.is_relation or not isinstance(target, type):
            continue
        if target in targets:
            found.append((field.name, target))
        elif hops > 1:
            found += [
                (f"{field.name}__{lookup}", end)
                for lookup, end in _lookups_to(target, targets, hops - 1)
            ]
    return found


def _linked_objects(family: Family, user_ids: list[int]) -> dict[type[models.Model], list[str]]:
    """Return the ids, as the admin log writes them, of the family's and its accounts' rows.

    Every model of every app whose foreign keys lead to the family or one of the accounts:
    members, memberships, journals, flags, loans and their repayments, e-mail addresses...
    Only models the log has entries of are read.
    """
    roots: dict[type[models.Model], list[Any]] = {Family: [family.pk], User: user_ids}
    linked = {model: [str(pk) for pk in pks] for model, pks in roots.items()}
    logged = set(LogEntry.objects.values_list("content_type", flat=True).distinct())
    for model in apps.get_models():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        if model in roots or content_type.pk not in logged:
            continue
        match = Q()
        for lookup, target in _lookups_to(model, set(roots), MAX_HOPS):
            match |= Q(**{f"{lookup}__in": roots[target]})
        if match:
            pks = model._base_manager.filter(match).values_list("pk", flat=True)
            linked[model] = [str(pk) for pk in pks]
    return linked


def _without_object_names(message: str) -> str:
    """Return an admin change message with the names of the objects it lists erased."""
    if not message:
        return message
    try:
        actions = json.loads(message)
    except ValueError:
        return ""  # a message written as text may say anything about the object
    if not isinstance(actions, list):
        return ""
    erased = _scrub_object_key(actions)
    return message if erased == actions else json.dumps(erased)


def _scrub_object_key(value: Any) -> Any:
    if isinstance(value, list):
        return [_scrub_object_key(v) for v in value]
    if isinstance(value, dict):
        return {k: ERASED if k == "object" else _scrub_object_key(v) for k, v in value.items()}
    return value


def _without_words(message: str, words: re.Pattern[str]) -> str:
    """Return an admin change message with the erased values in it replaced."""
    try:
        actions = json.loads(message)
    except ValueError:
        return words.sub(ERASED, message)
    scrubbed = _scrub_value(actions, words, lambda text: words.sub(ERASED, text))
    return message if scrubbed == actions else json.dumps(scrubbed)


def _scrub_admin_log(linked: dict[type[models.Model], list[str]], secrets: list[str]) -> int:
    """Take the family's names out of Django's admin log; return how many entries changed.

    An entry about a row of the family or its accounts loses the row's name and the names of
    the inline rows its message lists. Any other entry holding an erased value as whole words
    gets `[erased]` in its place: the log is the operator's, across organizations, and a name
    there is only a copy.
    """
    ours, keys = Q(), set()
    for model, ids in linked.items():
        if ids:
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            ours |= Q(content_type=content_type, object_id__in=ids)
            keys |= {(content_type.pk, pk) for pk in ids}
    words = _words(secrets) if secrets else None
    entries = LogEntry.objects.filter(ours | _mentions(["object_repr", "change_message"], secrets))
    changed = 0
    for entry in entries.only(
        "pk", "content_type_id", "object_id", "object_repr", "change_message"
    ):
        name, message = entry.object_repr, entry.change_message
        if (entry.content_type_id, entry.object_id) in keys:
            name, message = ERASED, _without_object_names(message)
        if words is not None:
            name, message = words.sub(ERASED, name), _without_words(message, words)
        if (name, message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=name, change_message=message)
            changed += 1
    return changed
