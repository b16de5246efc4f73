from django.contrib import admin

from fii.admin import InheritOrganizationMixin

from .models import (
    Goal,
    GoalUpdate,
    HelpExchange,
    Indicator,
    JournalEntry,
    JournalRevision,
    Stipend,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "organization", "domain", "kind", "label_en", "active"]
    list_filter = ["organization", "domain", "kind", "active"]


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["family", "organization", "period", "status", "submitted_at"]
    list_filter = ["organization", "status"]
    date_hierarchy = "period"
    raw_id_fields = ["family", "submitted_by"]
    list_select_related = ["family", "organization"]


@admin.register(JournalRevision)
class JournalRevisionAdmin(admin.ModelAdmin):
    list_display = ["entry", "organization", "changed_at", "changed_by"]
    raw_id_fields = ["entry", "changed_by"]


class GoalUpdateInline(admin.TabularInline):
    model = GoalUpdate
    extra = 0
    exclude = ["organization"]


@admin.register(Goal)
class GoalAdmin(InheritOrganizationMixin, admin.ModelAdmin):
    list_display = ["title", "family", "organization", "domain", "status", "priority"]
    list_filter = ["organization", "status", "domain"]
    raw_id_fields = ["family"]
    inlines = [GoalUpdateInline]


@admin.register(HelpExchange)
class HelpExchangeAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "organization",
        "giver",
        "receiver",
        "kind",
        "hours",
        "amount",
        "confirmed_at",
    ]
    list_filter = ["organization", "kind"]
    raw_id_fields = ["giver", "receiver", "recorded_by"]


@admin.register(Stipend)
class StipendAdmin(admin.ModelAdmin):
    list_display = ["family", "organization", "period", "amount", "status", "paid_at"]
    list_filter = ["organization", "status"]
    raw_id_fields = ["family", "entry"]
