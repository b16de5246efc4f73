from django.contrib import admin

from .models import AggregationRun, FamilySnapshot, GroupSnapshot


@admin.register(AggregationRun)
class AggregationRunAdmin(admin.ModelAdmin):
    list_display = ["as_of", "organization", "status", "attempts", "started_at", "finished_at"]
    list_filter = ["status", "organization"]
    date_hierarchy = "as_of"
    list_select_related = ["organization"]
    # The nightly run writes these; an operator reads them, or deletes a run to redo it.
    readonly_fields = [
        "organization",
        "as_of",
        "last_period",
        "status",
        "started_at",
        "finished_at",
        "attempts",
        "timings",
        "counts",
        "error",
        "created_at",
    ]


class SnapshotAdmin(admin.ModelAdmin):
    list_select_related = ["organization", "run"]
    raw_id_fields = ["run"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(FamilySnapshot)
class FamilySnapshotAdmin(SnapshotAdmin):
    list_display = ["family_id", "run", "organization", "months_reported", "is_positive_deviant"]
    list_filter = ["organization", "is_positive_deviant"]
    raw_id_fields = ["run", "family", "group"]


@admin.register(GroupSnapshot)
class GroupSnapshotAdmin(SnapshotAdmin):
    list_display = ["group_id", "run", "organization", "families", "share_reporting"]
    list_filter = ["organization"]
    raw_id_fields = ["run", "group"]
