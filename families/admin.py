from django.contrib import admin
from django.http import HttpRequest

from fii.admin import InheritOrganizationMixin

from .models import Consent, ErasureRequest, Family, FamilyMember, Group, Invitation


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    exclude = ["organization"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "started_on", "archived_at"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(Family)
class FamilyAdmin(InheritOrganizationMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "group", "joined_on", "household_size"]
    list_filter = ["organization"]
    search_fields = ["name"]
    list_select_related = ["organization", "group"]
    raw_id_fields = ["group"]
    inlines = [FamilyMemberInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    list_filter = ["organization", "role"]
    raw_id_fields = ["family", "invited_by"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["family", "organization", "kind", "granted_at", "revoked_at"]
    list_filter = ["organization", "kind"]
    raw_id_fields = ["family", "granted_by"]


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Read only: requests are decided in the console, where approving erases in one go."""

    list_display = ["family", "organization", "status", "requested_at", "decided_at"]
    list_filter = ["organization", "status"]
    list_select_related = ["family", "organization"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
