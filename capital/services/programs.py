"""Changes an organization makes to its programs, their readiness rules and its costs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fii.audit import audit_event
from fii.models import Organization

from ..models import Flag, Program, ProgramCost, ReadinessRule
from ..selectors import program_budget


def _check_change(*, organization: Organization, program: Program) -> None:
    """Refuse a budget below what is committed, and a new subject once rules or flags exist."""
    # Locked like an approval, so no approval slips in between the check and the save.
    saved = Program.objects.for_org(organization).select_for_update().get(pk=program.pk)
    errors = {}
    committed = program_budget(organization=organization, program_id=program.pk).committed
    if program.budget < committed:
        errors["budget"] = _(
            "The program has already committed %(committed)s: the budget cannot be less."
        ) % {"committed": f"{committed:,.2f}"}
    if program.subject != saved.subject and (
        saved.rules.exists() or Flag.objects.for_org(organization).filter(program=saved).exists()
    ):
        errors["subject"] = _("A program with rules or flags cannot change who it is for.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_save(
    *,
    organization: Organization,
    actor: Any,
    program: Program,
    changed: list[str],
    request: HttpRequest | None = None,
) -> Program:
    """Create or update a program (validated by ProgramForm) and audit which fields changed."""
    created = program.pk is None
    program.organization = organization
    if not created:
        _check_change(organization=organization, program=program)
    program.save()
    action = "program.created" if created else "program.updated"
    audit_event(
        action, organization=organization, actor=actor, obj=program, fields=changed, request=request
    )
    return program


@transaction.atomic
def rule_save(
    *,
    organization: Organization,
    actor: Any,
    rule: ReadinessRule,
    request: HttpRequest | None = None,
) -> ReadinessRule:
    """Create or update a readiness rule (validated by RuleForm) and audit it."""
    created = rule.pk is None
    rule.organization = organization
    rule.save()
    action = "rule.created" if created else "rule.updated"
    audit_event(
        action,
        organization=organization,
        actor=actor,
        obj=rule,
        program_id=rule.program_id,
        request=request,
    )
    return rule


@transaction.atomic
def rule_delete(
    *,
    organization: Organization,
    actor: Any,
    rule: ReadinessRule,
    request: HttpRequest | None = None,
) -> None:
    """Delete a readiness rule; the flags it helped raise keep their evidence."""
    audit_event(
        "rule.deleted",
        organization=organization,
        actor=actor,
        obj=rule,
        program_id=rule.program_id,
        request=request,
    )
    ReadinessRule.objects.for_org(organization).filter(pk=rule.pk).delete()


@transaction.atomic
def cost_create(
    *,
    organization: Organization,
    actor: Any,
    cost: ProgramCost,
    request: HttpRequest | None = None,
) -> ProgramCost:
    """Record what running a program, or the organization, cost in a month."""
    program = cost.program if cost.program_id is not None else None
    if program is not None and program.organization_id != organization.pk:
        raise ValidationError({"program": _("Choose one of your organization's programs.")})
    cost.organization = organization
    cost.save()
    audit_event("cost.created", organization=organization, actor=actor, obj=cost, request=request)
    return cost


@transaction.atomic
def cost_delete(
    *,
    organization: Organization,
    actor: Any,
    cost_id: int,
    request: HttpRequest | None = None,
) -> None:
    """Delete a recorded cost."""
    cost = ProgramCost.objects.for_org(organization).get(pk=cost_id)
    audit_event("cost.deleted", organization=organization, actor=actor, obj=cost, request=request)
    cost.delete()
