"""Every model with an organization key is reached through the tenant queryset."""

from django.apps import apps

from fii.tenancy import TenantQuerySet

OUR_APPS = {"fii", "families", "journals", "insights", "capital", "demo"}


def tenant_models():  # type: ignore[no-untyped-def]
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        if any(field.name == "organization" for field in model._meta.get_fields()):
            yield model


def test_it_finds_the_tenant_models():
    names = {m.__name__ for m in tenant_models()}
    assert {"Family", "Group", "JournalEntry", "Goal", "HelpExchange", "Membership"} <= names


def test_it_gives_every_tenant_model_the_tenant_queryset():
    offenders = [
        m.__name__
        for m in tenant_models()
        if not isinstance(m._default_manager.all(), TenantQuerySet)
    ]
    assert offenders == []


def test_it_makes_the_organization_key_mandatory_on_tenant_data():
    # AuditEvent may record events that belong to no organization (a failed login).
    allowed_null = {"AuditEvent"}
    offenders = [
        m.__name__
        for m in tenant_models()
        if m._meta.get_field("organization").null and m.__name__ not in allowed_null
    ]
    assert offenders == []
