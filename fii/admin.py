from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Funder, Funding, Membership, Organization, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "language")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "family"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "currency", "journal_due_day", "min_cell_size"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "family", "is_active"]
    list_filter = ["role", "organization"]
    raw_id_fields = ["user", "family"]
    list_select_related = ["user", "organization", "family"]


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    filter_horizontal = ["members"]
    inlines = [FundingInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "organization", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "organization"]
    list_select_related = ["organization", "actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class InheritOrganizationMixin:
    """Admin for a parent whose inline children take the parent's organization."""

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for child in formset.save(commit=False):
            child.organization_id = form.instance.organization_id
            child.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


# The Django admin has no login of its own: operators log in through allauth (rate limits,
# second factor), then come back here.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
