import datetime as dt
import json

import pytest
from freezegun import freeze_time

from journals.models import EntryStatus, JournalEntry, JournalRevision, Stipend
from tests import factories as f
from tests.api.conftest import api_client_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# The world's family joined in January 2024 and submitted June 2024 on 3 July.
NOW = "2024-07-05 17:00"
URL = "/api/v1/o/alpha/journals/"

ANSWERS = {
    "income_wages": 2400,
    "income_business": 0,
    "income_benefits": 150.5,
    "income_other": 0,
    "savings_balance": 350,
    "savings_deposited": 50,
    "debt_total": 3900,
    "debt_payments": 100,
    "debt_high_interest": 0,
    "debt_overdue_bills": 0,
    "assets_business_value": 0,
    "health_rating": 4,
}


@pytest.fixture
def api(world_a):  # type: ignore[no-untyped-def]
    return api_client_for(world_a.family_user)


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):  # type: ignore[no-untyped-def]
    return client.patch(url, json.dumps(body), content_type="application/json")


def july(world_a):  # type: ignore[no-untyped-def]
    return JournalEntry.objects.filter(
        family=world_a.objects["family"], period=dt.date(2024, 7, 1)
    ).first()


@freeze_time(NOW)
def test_it_lists_only_the_familys_own_journals(api, world_a, world_b):
    f.JournalEntryFactory(family=world_a.objects["neighbour"], period=dt.date(2024, 6, 1))
    body = api.get(URL).json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == world_a.objects["entry"].pk
    assert body["results"][0]["period"] == "2024-06"
    assert body["results"][0]["values"]["income_wages"] == 2100


@freeze_time(NOW)
def test_a_family_creates_and_submits_its_journal(api, world_a):
    created = post(api, URL, {"period": "2024-07", "values": {"income_wages": 2400}})
    assert created.status_code == 201
    entry_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    changed = patch(api, f"{URL}{entry_id}/", {"values": {"savings_balance": 350}})
    assert changed.json()["values"]["savings_balance"] == 350
    assert changed.json()["values"]["income_wages"] == 2400
    submitted = post(api, f"{URL}{entry_id}/submit/", {"values": ANSWERS})
    assert submitted.status_code == 200, submitted.json()
    entry = july(world_a)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.submitted_by == world_a.family_user
    assert entry.health_rating == 4
    assert Stipend.objects.filter(entry=entry).exists()
    assert api.get(f"{URL}?status=submitted&period=2024-07").json()["count"] == 1


@freeze_time(NOW)
def test_the_api_stores_exactly_what_the_page_stores(world_a):
    neighbour = world_a.objects["neighbour"]
    neighbour_user = f.UserFactory(email="neighbour@alpha.example")
    f.MembershipFactory(
        user=neighbour_user, organization=world_a.org, role="family", family=neighbour
    )
    page_data = {code: str(value) for code, value in ANSWERS.items()}
    page = client_for(world_a.family_user)
    page_response = page.post("/o/alpha/family/journal/2024-7/", {**page_data, "action": "submit"})
    assert page_response.status_code == 302
    api = api_client_for(neighbour_user)
    entry_id = post(api, URL, {"period": "2024-07"}).json()["id"]
    assert post(api, f"{URL}{entry_id}/submit/", {"values": ANSWERS}).status_code == 200
    by_page = july(world_a)
    by_api = JournalEntry.objects.get(family=neighbour, period=dt.date(2024, 7, 1))
    assert by_api.values() == by_page.values()
    assert (by_api.status, by_api.draft) == (by_page.status, by_page.draft)
    assert by_api.stipend.amount == by_page.stipend.amount


@freeze_time(NOW)
def test_a_correction_keeps_the_earlier_values(api, world_a):
    entry_id = post(api, URL, {"period": "2024-07", "values": ANSWERS}).json()["id"]
    post(api, f"{URL}{entry_id}/submit/", {})
    response = patch(api, f"{URL}{entry_id}/", {"values": {"income_wages": 2500}})
    assert response.status_code == 200
    assert response.json()["values"]["income_wages"] == 2500
    assert JournalRevision.objects.get().values["income_wages"] == 2400


@freeze_time(NOW)
def test_it_refuses_to_submit_twice(api, world_a):
    entry_id = world_a.objects["entry"].pk
    response = post(api, f"{URL}{entry_id}/submit/", {})
    assert response.status_code == 400
    assert "submitted already" in response.json()["detail"]


@freeze_time(NOW)
def test_it_refuses_a_second_journal_for_the_same_month(api):
    assert post(api, URL, {"period": "2024-07"}).status_code == 201
    response = post(api, URL, {"period": "2024-07"})
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}


@freeze_time(NOW)
def test_a_submit_missing_answers_says_which_and_saves_nothing(api, world_a):
    entry_id = post(api, URL, {"period": "2024-07", "values": {"income_wages": 1}}).json()["id"]
    response = post(api, f"{URL}{entry_id}/submit/", {"values": {"income_wages": 2000}})
    assert response.status_code == 400
    errors = response.json()["values"]
    assert errors["savings_balance"] == ["Please answer this; 0 is fine."]
    entry = july(world_a)
    assert (entry.status, entry.income_wages) == (EntryStatus.DRAFT, 1)


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"period": "2024-13"}, "period", "There is no such month"),
        ({"period": "July"}, "period", "Give the month as YYYY-MM"),
        ({"period": 202407}, "period", "Give the month as YYYY-MM"),
        ({"period": "2024-07", "values": {"income_wages": -5}}, "values", "greater than or equal"),
        ({"period": "2024-07", "values": {"income_wages": 1e300}}, "values", "less than or equal"),
        ({"period": "2024-07", "values": {"income_wages": True}}, "values", "Give a number"),
        ({"period": "2024-07", "values": {"income_wages": [1]}}, "values", "Give a number"),
        ({"period": "2024-07", "values": {"income_wages": "lots"}}, "values", "Enter a number"),
        ({"period": "2024-07", "values": {"no_such_code": 1}}, "values", "asks no such question"),
        ({"period": "2024-07", "values": {"health_rating": 9}}, "values", "valid choice"),
        ({"period": "2024-07", "values": {"income_wages": "1\x00"}}, "values", "Enter a number"),
        ({"period": "2024-07", "values": [1, 2]}, "values", "Expected a dictionary"),
    ],
)
def test_it_answers_bad_input_with_a_400_and_saves_nothing(api, world_a, body, field, message):
    response = post(api, URL, body)
    assert response.status_code == 400
    assert field in response.json()
    assert message in json.dumps(response.json())
    assert july(world_a) is None


@freeze_time(NOW)
def test_it_refuses_a_future_month_with_a_message(api, world_a):
    response = post(api, URL, {"period": "2024-09"})
    assert response.status_code == 400
    assert "has not started yet" in response.json()["detail"]
    assert not JournalEntry.objects.filter(period=dt.date(2024, 9, 1)).exists()


@freeze_time(NOW)
def test_it_refuses_a_closed_month(api):
    response = post(api, URL, {"period": "2024-05"})
    assert response.status_code == 400
    assert "closed" in response.json()["detail"]


@freeze_time(NOW)
@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        '"text"',
        "null",
        '{"period": NaN}',
        '{"period": "2024-07", "values": 1e999}',
    ],
)
def test_it_answers_malformed_json_with_a_400(api, world_a, raw):
    response = api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)
    assert july(world_a) is None


@freeze_time(NOW)
def test_it_refuses_form_data(api):
    response = api.post(URL, {"period": "2024-07"})
    assert response.status_code == 415
    assert "detail" in response.json()


@freeze_time(NOW)
def test_it_keeps_the_text_typed_on_the_page_for_answers_it_leaves_alone(world_a):
    page = client_for(world_a.family_user)
    page.post("/o/alpha/family/journal/2024-7/", {"savings_balance": "lots", "action": "draft"})
    entry = july(world_a)
    api = api_client_for(world_a.family_user)
    response = patch(api, f"{URL}{entry.pk}/", {"values": {"income_wages": 10}})
    assert response.json()["needs_attention"] == {"savings_balance": "lots"}
    response = patch(api, f"{URL}{entry.pk}/", {"values": {"savings_balance": 5}})
    assert response.json()["needs_attention"] == {}


@freeze_time(NOW)
def test_it_paginates_and_bounds_the_page_size(api, world_a):
    family = world_a.objects["family"]
    for month in range(1, 6):
        f.JournalEntryFactory(family=family, period=dt.date(2024, month, 1))
    body = api.get(f"{URL}?page_size=2").json()
    assert body["count"] == 6
    assert [r["period"] for r in body["results"]] == ["2024-06", "2024-05"]
    assert "page=2" in body["next"]
    last = api.get(f"{URL}?page_size=2&page=3").json()
    assert [r["period"] for r in last["results"]] == ["2024-02", "2024-01"]
    assert api.get(f"{URL}?page=99").status_code == 404
    assert api.get(f"{URL}?page_size=100000").json()["count"] == 6


@freeze_time(NOW)
def test_it_lists_with_a_fixed_number_of_queries(api, world_a, django_assert_max_num_queries):
    family = world_a.objects["family"]
    for month in range(1, 6):
        f.JournalEntryFactory(family=family, period=dt.date(2024, month, 1))
    with django_assert_max_num_queries(6):
        assert api.get(URL).json()["count"] == 6


@freeze_time(NOW)
def test_it_answers_a_bad_filter_with_a_400(api):
    response = api.get(f"{URL}?status=lost&period=2024-99")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "period"}


@freeze_time(NOW)
def test_it_does_not_find_another_familys_or_organizations_journal(api, world_a, world_b):
    neighbours = f.JournalEntryFactory(family=world_a.objects["neighbour"])
    for entry in (neighbours, world_b.objects["entry"]):
        response = api.get(f"{URL}{entry.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No JournalEntry matches the given query."}
        assert patch(api, f"{URL}{entry.pk}/", {"values": {}}).status_code == 404
    assert api.get("/api/v1/o/beta/journals/").status_code == 404


def test_a_huge_id_is_not_found(api):
    assert api.get(f"{URL}{2**64}/").status_code == 404
    assert api.get(f"{URL}-1/").status_code == 404


def test_a_family_gets_everything_held_about_it_and_the_download_is_audited(api, world_a):
    from fii.models import AuditEvent

    response = api.get("/api/v1/o/alpha/family/data/")
    assert response.status_code == 200
    data = response.json()
    assert data["family"]["name"] == world_a.objects["family"].name
    assert [j["period"] for j in data["journals"]] == ["2024-06-01"]
    assert [g["title"] for g in data["goals"]] == [world_a.objects["goal"].title]
    event = AuditEvent.objects.get(action="family.data_downloaded")
    assert event.detail == {"format": "api"}
    staff = api_client_for(world_a.staff_user)
    assert staff.get("/api/v1/o/alpha/family/data/").status_code == 403


def test_it_refuses_a_body_over_the_upload_limit_with_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = {"period": "2024-07", "values": {"income_wages": 1}, "padding": "x" * 200}
    response = post(api, URL, body)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
