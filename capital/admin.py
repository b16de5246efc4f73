from django.contrib import admin

from fii.admin import InheritOrganizationMixin

from .models import (
    Disbursement,
    Flag,
    Loan,
    Program,
    ProgramCost,
    ReadinessRule,
    Repayment,
    Review,
)


class ReadinessRuleInline(admin.TabularInline):
    model = ReadinessRule
    extra = 0
    exclude = ["organization"]


@admin.register(Program)
class ProgramAdmin(InheritOrganizationMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "subject", "budget", "currency", "active"]
    list_filter = ["organization", "kind", "subject", "active"]
    inlines = [ReadinessRuleInline]


@admin.register(ReadinessRule)
class ReadinessRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "organization", "metric", "operator", "threshold", "position"]
    list_filter = ["organization"]
    list_select_related = ["program", "organization"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    exclude = ["organization"]
    raw_id_fields = ["reviewer"]


@admin.register(Flag)
class FlagAdmin(InheritOrganizationMixin, admin.ModelAdmin):
    list_display = ["program", "organization", "family", "group", "status", "score", "opened_at"]
    list_filter = ["organization", "status", "program"]
    raw_id_fields = ["family", "group"]
    list_select_related = ["program", "organization", "family", "group"]
    inlines = [ReviewInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["flag", "organization", "decision", "reviewer", "amount", "decided_at"]
    list_filter = ["organization", "decision"]
    raw_id_fields = ["flag", "reviewer"]


@admin.register(Disbursement)
class DisbursementAdmin(admin.ModelAdmin):
    list_display = ["program", "organization", "family", "group", "amount", "due_on", "status"]
    list_filter = ["organization", "status", "program"]
    raw_id_fields = ["flag", "family", "group"]
    date_hierarchy = "due_on"


class RepaymentInline(admin.TabularInline):
    model = Repayment
    extra = 0
    exclude = ["organization"]


@admin.register(Loan)
class LoanAdmin(InheritOrganizationMixin, admin.ModelAdmin):
    list_display = ["family", "organization", "program", "principal", "term_months", "status"]
    list_filter = ["organization", "status"]
    raw_id_fields = ["family", "flag"]
    inlines = [RepaymentInline]


@admin.register(Repayment)
class RepaymentAdmin(admin.ModelAdmin):
    list_display = ["loan", "organization", "amount", "paid_on"]
    list_filter = ["organization"]
    raw_id_fields = ["loan"]


@admin.register(ProgramCost)
class ProgramCostAdmin(admin.ModelAdmin):
    list_display = ["month", "organization", "program", "category", "amount"]
    list_filter = ["organization", "category"]
