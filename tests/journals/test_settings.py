"""The organization's settings and its indicator catalog, for org admins only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from fii.models import AuditEvent, Organization
from journals.models import Indicator, JournalEntry
from journals.services import journal_save
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.admin_user)


def settings_data(**overrides: str) -> dict[str, str]:
    data = {
        "stipend_amount": "25.50",
        "journal_due_day": "15",
        "journal_edit_days": "10",
        "min_cell_size": "12",
        "timezone": "America/Mexico_City",
        "currency": "mxn",
    }
    data.update(overrides)
    return data


def indicator_data(**overrides: str) -> dict[str, str]:
    data = {
        "code": "garden_harvest",
        "domain": "assets",
        "kind": "money",
        "label_en": "Value of the garden harvest",
        "label_es": "Valor de la cosecha del huerto",
        "help_en": "",
        "help_es": "",
        "min_value": "",
        "max_value": "5000",
        "choices_text": "",
    }
    data.update(overrides)
    return data


# Settings ----------------------------------------------------------------------------------


def test_an_admin_changes_the_settings_and_the_audit_names_the_fields(admin, world_a):
    response = admin.post("/o/alpha/settings/", settings_data())
    assert response.status_code == 302
    org = Organization.objects.get(pk=world_a.org.pk)
    assert org.stipend_amount == Decimal("25.50")
    assert (org.journal_due_day, org.journal_edit_days, org.min_cell_size) == (15, 10, 12)
    assert (org.timezone, org.currency) == ("America/Mexico_City", "MXN")
    event = AuditEvent.objects.get(action="organization.settings_changed")
    assert set(event.detail["fields"]) == {
        "stipend_amount",
        "journal_due_day",
        "journal_edit_days",
        "min_cell_size",
        "timezone",
        "currency",
    }
    assert "Mexico" not in str(event.detail)


def test_saving_unchanged_settings_records_nothing(admin, world_a):
    org = world_a.org
    data = settings_data(
        stipend_amount=str(org.stipend_amount),
        journal_due_day=str(org.journal_due_day),
        journal_edit_days=str(org.journal_edit_days),
        min_cell_size=str(org.min_cell_size),
        timezone=org.timezone,
        currency=org.currency,
    )
    admin.post("/o/alpha/settings/", data)
    assert not AuditEvent.objects.filter(action="organization.settings_changed").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("journal_due_day", "0", "greater than or equal to 1"),
        ("journal_due_day", "29", "less than or equal to 28"),
        ("min_cell_size", "1", "greater than or equal to 2"),
        ("stipend_amount", "-1", "greater than or equal to 0"),
        ("stipend_amount", "9999999", "too large"),
        ("timezone", "Mars/Olympus_Mons", "Select a valid choice"),
        ("currency", "dollars", "at most 3 characters"),
        ("currency", "U$", "three-letter ISO 4217 code"),
        ("journal_edit_days", "1000", "less than or equal to 365"),
    ],
)
def test_bad_settings_change_nothing(admin, world_a, field, value, message):
    response = admin.post("/o/alpha/settings/", settings_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    org = Organization.objects.get(pk=world_a.org.pk)
    assert (org.journal_due_day, org.currency, org.min_cell_size) == (10, "USD", 11)
    assert not AuditEvent.objects.for_org(world_a.org).exists()


def test_a_small_minimum_cell_size_is_allowed_with_a_warning(admin, world_a):
    response = admin.post("/o/alpha/settings/", settings_data(min_cell_size="5"), follow=True)
    body = response.content.decode()
    assert Organization.objects.get(pk=world_a.org.pk).min_cell_size == 5
    assert "could be recognized" in body


def test_staff_and_families_cannot_open_the_settings(world_a):
    for user in (world_a.staff_user, world_a.family_user):
        client = client_for(user)
        assert client.get("/o/alpha/settings/").status_code == 403
        assert client.post("/o/alpha/settings/", settings_data()).status_code == 403
        assert client.get("/o/alpha/settings/indicators/").status_code == 403
        assert client.post("/o/alpha/settings/indicators/new/", indicator_data()).status_code == 403
    assert Organization.objects.get(pk=world_a.org.pk).currency == "USD"
    assert not Indicator.objects.filter(code="garden_harvest").exists()


# The catalog -------------------------------------------------------------------------------


def test_the_catalog_shows_each_indicator_with_its_use_in_fixed_queries(
    admin, world_a, django_assert_max_num_queries
):
    custom = world_a.objects["indicator"]
    for n in range(20):
        f.IndicatorFactory(organization=world_a.org, code=f"extra_{n}", label_en=f"Extra {n}")
    entry = world_a.objects["entry"]
    entry.extra = {custom.code: 3}
    entry.save()
    with django_assert_max_num_queries(6):
        body = admin.get("/o/alpha/settings/indicators/").content.decode()
    assert body.count("Extra ") >= 20
    assert "Wages and salaries" in body
    assert "income_wages" in body


def test_an_admin_adds_a_custom_indicator_that_the_journal_then_asks(admin, world_a):
    response = admin.post("/o/alpha/settings/indicators/new/", indicator_data())
    assert response.status_code == 302
    indicator = Indicator.objects.get(organization=world_a.org, code="garden_harvest")
    assert (indicator.column, indicator.kind, indicator.active) == ("", "money", True)
    assert (indicator.min_value, indicator.max_value) == (0, 5000)
    assert AuditEvent.objects.get(action="indicator.created").detail["code"] == "garden_harvest"
    with freeze_time("2024-07-05 12:00"):
        journal = client_for(world_a.family_user).get("/o/alpha/family/journal/2024-7/")
        assert "Value of the garden harvest" in journal.content.decode()
        result = journal_save(
            organization=world_a.org,
            family=world_a.objects["family"],
            period=dt.date(2024, 7, 1),
            actor=world_a.family_user,
            values={"garden_harvest": 120.0},
            submit=False,
        )
    assert result.entry.extra["garden_harvest"] == 120.0


def test_a_choice_indicator_keeps_its_options(admin, world_a):
    data = indicator_data(code="transport", kind="choice", choices_text="Bus\nCar\n\nBike\n")
    assert admin.post("/o/alpha/settings/indicators/new/", data).status_code == 302
    indicator = Indicator.objects.get(code="transport")
    assert indicator.choices == ["Bus", "Car", "Bike"]


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"code": "income_wages"}, "reserved"),
        ({"code": "period"}, "reserved"),
        ({"code": "Garden Harvest!"}, "Enter a valid"),
        ({"code": "x"}, "lowercase letters"),
        ({"code": "9lives"}, "lowercase letters"),
        ({"kind": "choice", "choices_text": "Only one"}, "at least two options"),
        ({"kind": "choice", "choices_text": "A\na"}, "must appear once"),
        ({"kind": "money", "choices_text": "A\nB"}, "Options are only for"),
        ({"min_value": "-5"}, "Between 0 and"),
        ({"min_value": "100", "max_value": "10"}, "smaller than the smallest"),
        ({"kind": "count", "max_value": "5000"}, "Between 0 and 100"),
        ({"label_en": ""}, "This field is required."),
        ({"domain": "astrology"}, "Select a valid choice"),
    ],
)
def test_a_bad_custom_indicator_is_refused(admin, world_a, overrides, field_message):
    before = Indicator.objects.for_org(world_a.org).count()
    response = admin.post("/o/alpha/settings/indicators/new/", indicator_data(**overrides))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert Indicator.objects.for_org(world_a.org).count() == before


def test_a_code_is_unique_in_the_organization_only(admin, world_a, world_b):
    taken = world_a.objects["indicator"].code
    response = admin.post("/o/alpha/settings/indicators/new/", indicator_data(code=taken))
    assert response.status_code == 400
    assert "Another indicator already has this code." in response.content.decode()
    theirs = world_b.objects["indicator"].code
    data = indicator_data(code=theirs)
    assert admin.post("/o/alpha/settings/indicators/new/", data).status_code == 302


def test_switching_a_built_in_off_removes_it_from_the_journal(admin, world_a):
    wages = Indicator.objects.get(organization=world_a.org, code="income_wages")
    url = f"/o/alpha/settings/indicators/{wages.pk}/toggle/"
    assert admin.post(url, {"active": "0"}).status_code == 302
    wages.refresh_from_db()
    assert (wages.active, wages.retired_at) == (False, None)
    with freeze_time("2024-07-05 12:00"):
        body = client_for(world_a.family_user).get("/o/alpha/family/journal/2024-7/")
    assert 'name="income_wages"' not in body.content.decode()
    admin.post(url, {"active": "1"})
    wages.refresh_from_db()
    assert wages.active is True
    assert [e.action for e in AuditEvent.objects.for_org(world_a.org).order_by("at")] == [
        "indicator.retired",
        "indicator.activated",
    ]


def test_a_toggle_needs_a_clear_choice(admin, world_a):
    custom = world_a.objects["indicator"]
    url = f"/o/alpha/settings/indicators/{custom.pk}/toggle/"
    assert admin.post(url, {"active": "maybe"}).status_code == 409
    custom.refresh_from_db()
    assert custom.active is True


def test_an_unused_custom_indicator_can_be_deleted(admin, world_a):
    custom = world_a.objects["indicator"]
    assert admin.post(f"/o/alpha/settings/indicators/{custom.pk}/delete/").status_code == 302
    assert not Indicator.objects.filter(pk=custom.pk).exists()
    assert AuditEvent.objects.get(action="indicator.deleted").detail["code"] == custom.code


def test_a_used_indicator_can_only_be_retired(admin, world_a):
    custom = world_a.objects["indicator"]
    entry = world_a.objects["entry"]
    entry.extra = {custom.code: 2}
    entry.save()
    response = admin.post(f"/o/alpha/settings/indicators/{custom.pk}/delete/")
    assert response.status_code == 409
    assert "retire it instead" in response.content.decode()
    assert Indicator.objects.filter(pk=custom.pk).exists()
    admin.post(f"/o/alpha/settings/indicators/{custom.pk}/toggle/", {"active": "0"})
    custom.refresh_from_db()
    assert custom.active is False and custom.retired_at is not None
    assert JournalEntry.objects.get(pk=entry.pk).extra == {custom.code: 2}


def test_built_in_indicators_cannot_be_deleted_or_reworded(admin, world_a):
    wages = Indicator.objects.get(organization=world_a.org, code="income_wages")
    assert admin.post(f"/o/alpha/settings/indicators/{wages.pk}/delete/").status_code == 409
    assert admin.get(f"/o/alpha/settings/indicators/{wages.pk}/").status_code == 409
    assert Indicator.objects.filter(pk=wages.pk).exists()


def test_editing_keeps_the_code_and_once_used_the_kind(admin, world_a):
    custom = world_a.objects["indicator"]
    entry = world_a.objects["entry"]
    entry.extra = {custom.code: 1}
    entry.save()
    data = indicator_data(code="renamed", kind="money", label_en="New words", max_value="50")
    response = admin.post(f"/o/alpha/settings/indicators/{custom.pk}/", data)
    assert response.status_code == 302
    custom.refresh_from_db()
    assert (custom.code, custom.kind, custom.label_en, custom.max_value) == (
        custom.code,
        "count",
        "New words",
        50,
    )
    assert custom.code.startswith("custom_")


def test_another_organizations_indicator_is_not_found(admin, world_b):
    theirs = world_b.objects["indicator"]
    assert admin.get(f"/o/alpha/settings/indicators/{theirs.pk}/").status_code == 404
    assert admin.post(f"/o/alpha/settings/indicators/{theirs.pk}/delete/").status_code == 404
    assert Indicator.objects.filter(pk=theirs.pk).exists()


def test_the_journal_shows_every_catalog_change_at_once(admin, world_a):
    # Each process keeps its copy of the active indicators; every change must reach the next
    # journal page all the same, including after a settings form read before the change
    # saves the organization.
    family = client_for(world_a.family_user)
    journal = "/o/alpha/family/journal/2024-7/"

    def asks(name: str) -> bool:
        with freeze_time("2024-07-05 12:00"):
            return f'name="{name}"' in family.get(journal).content.decode()

    assert asks("income_wages") and not asks("garden_harvest")
    assert admin.post("/o/alpha/settings/indicators/new/", indicator_data()).status_code == 302
    assert asks("garden_harvest")
    read_before = Organization.objects.get(pk=world_a.org.pk)
    wages = Indicator.objects.get(organization=world_a.org, code="income_wages")
    toggle = f"/o/alpha/settings/indicators/{wages.pk}/toggle/"
    assert admin.post(toggle, {"active": "0"}).status_code == 302
    read_before.stipend_amount = Decimal("3")
    read_before.save()
    assert not asks("income_wages")
    garden = Indicator.objects.get(organization=world_a.org, code="garden_harvest")
    delete = f"/o/alpha/settings/indicators/{garden.pk}/delete/"
    assert admin.post(delete).status_code == 302
    assert not asks("garden_harvest")
    assert admin.post(toggle, {"active": "1"}).status_code == 302
    assert asks("income_wages")
