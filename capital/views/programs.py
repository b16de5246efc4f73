"""Programs and their readiness rules: staff read them, organization admins change them."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fii.access import OrgRequest, admin_view, staff_view

from ..forms import ProgramForm, RuleForm, attach_errors
from ..models import Program, ReadinessRule
from ..rules import RuleSpec
from ..selectors import program_budgets, rule_preview
from ..services import program_save, rule_delete, rule_save


@staff_view
def program_list(request: OrgRequest) -> HttpResponse:
    """List the programs with their budgets and rules (organization admins may edit them)."""
    org = request.organization
    budgets = program_budgets(organization=org)
    rules: dict[int, list[ReadinessRule]] = {}
    for rule in ReadinessRule.objects.for_org(org).select_related("program"):
        rules.setdefault(rule.program_id, []).append(rule)
    context = {"rows": [(b, rules.get(b.program.pk, [])) for b in budgets]}
    return render(request, "capital/program_list.html", context)


def _program(request: OrgRequest, program_id: int) -> Program:
    return Program.objects.get_for_org_or_404(request.organization, pk=program_id)


def _save_program(request: OrgRequest, form: ProgramForm) -> HttpResponse | None:
    """Save a valid form through the service; return a redirect, or None with the errors set."""
    if not form.is_valid():
        return None
    try:
        program = program_save(
            organization=request.organization,
            actor=request.user,
            program=form.save(commit=False),
            changed=form.changed_data,
            request=request,
        )
    except ValidationError as error:
        attach_errors(form, error)
        return None
    messages.success(request, _("The program is saved."))
    return redirect("program_edit", org_slug=request.organization.slug, program_id=program.pk)


@admin_view
@require_http_methods(["GET", "POST"])
def program_create(request: OrgRequest) -> HttpResponse:
    org = request.organization
    form = ProgramForm(request.POST or None, organization=org, initial={"currency": org.currency})
    if request.method == "POST" and (done := _save_program(request, form)):
        return done
    status = 400 if request.method == "POST" else 200
    return render(request, "capital/program_form.html", {"form": form}, status=status)


@admin_view
@require_http_methods(["GET", "POST"])
def program_edit(request: OrgRequest, program_id: int) -> HttpResponse:
    program = _program(request, program_id)
    data = request.POST if request.method == "POST" else None
    # A copy: validating writes what was typed into the instance, the page shows what is saved.
    form = ProgramForm(data, instance=copy.copy(program), organization=request.organization)
    if request.method == "POST" and (done := _save_program(request, form)):
        return done
    rules = list(ReadinessRule.objects.for_org(request.organization).filter(program=program))
    context = {"form": form, "program": program, "rules": rules}
    status = 400 if request.method == "POST" else 200
    return render(request, "capital/program_form.html", context, status=status)


def _candidate_specs(program: Program, form: RuleForm) -> list[RuleSpec]:
    """Return the program's rules as they would be with the form's rule saved."""
    rule = form.save(commit=False)
    others = [r for r in program.rules.all() if r.pk != rule.pk]
    return [r.spec() for r in others] + [rule.spec()]


def _rule_page(request: OrgRequest, program: Program, rule: ReadinessRule | None) -> HttpResponse:
    form = RuleForm(request.POST or None, instance=rule, program=program)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and request.POST.get("action") == "save":
            rule_save(
                organization=request.organization,
                actor=request.user,
                rule=form.save(commit=False),
                request=request,
            )
            messages.success(request, _("The rule is saved."))
            return redirect(
                "program_edit", org_slug=request.organization.slug, program_id=program.pk
            )
        if form.is_valid():
            specs = _candidate_specs(program, form)
            preview = rule_preview(organization=request.organization, program=program, specs=specs)
        else:
            status = 400
    context = {"form": form, "program": program, "rule": rule, "preview": preview}
    return render(request, "capital/rule_form.html", context, status=status)


@admin_view
@require_http_methods(["GET", "POST"])
def rule_create(request: OrgRequest, program_id: int) -> HttpResponse:
    """Add a rule: Preview counts who would qualify on the last run; Save keeps it."""
    return _rule_page(request, _program(request, program_id), None)


@admin_view
@require_http_methods(["GET", "POST"])
def rule_edit(request: OrgRequest, program_id: int, rule_id: int) -> HttpResponse:
    program = _program(request, program_id)
    rule = ReadinessRule.objects.filter(program=program).get_for_org_or_404(
        request.organization, pk=rule_id
    )
    return _rule_page(request, program, rule)


@admin_view
@require_POST
def rule_remove(request: OrgRequest, program_id: int, rule_id: int) -> HttpResponse:
    program = _program(request, program_id)
    rule = ReadinessRule.objects.filter(program=program).get_for_org_or_404(
        request.organization, pk=rule_id
    )
    rule_delete(organization=request.organization, actor=request.user, rule=rule, request=request)
    messages.success(request, _("The rule is deleted."))
    return redirect("program_edit", org_slug=request.organization.slug, program_id=program.pk)
