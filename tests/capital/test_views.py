"""The family's capital page: its own checklist, nobody else's."""

import datetime as dt

import pytest
from django.utils import timezone

from capital import selectors
from capital.models import Flag, FlagStatus, Program
from capital.selectors import SnapshotValues, checklist_for
from capital.services import programs_install_defaults
from tests.conftest import client_for

# The shared worlds carry a capital ledger; these tests count programs and flags from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_world_capital")]

OWN = {
    "months_reported": 8,
    "consecutive_months": 2,
    "income_slope_12m": 35.0,
    "savings_rate": 0.07,
    "income_change_pct": 4.0,
    "debt_to_income": 0.9,
    "is_positive_deviant": False,
}
NEIGHBOUR = {
    "months_reported": 23,
    "consecutive_months": 17,
    "income_slope_12m": -1.0,
    "savings_rate": 0.31,
    "income_change_pct": 77.0,
    "debt_to_income": 2.25,
    "is_positive_deviant": True,
}


@pytest.fixture
def snapshots(world_a, monkeypatch):  # type: ignore[no-untyped-def]
    """Serve the latest-run values of A's two families, and record who was asked for."""
    values = {
        world_a.objects["family"].pk: OWN,
        world_a.objects["neighbour"].pk: NEIGHBOUR,
    }
    asked: list[int] = []

    def fake(*, organization, family):  # type: ignore[no-untyped-def]
        asked.append(family.pk)
        if organization != world_a.org or family.pk not in values:
            return None
        return SnapshotValues(as_of=dt.date(2025, 3, 31), values=values[family.pk])

    monkeypatch.setattr(selectors, "_latest_snapshot", fake)
    return asked


def page(world):  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/family/capital/"


def get_body(world, user=None) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user or world.family_user).get(page(world))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_family_its_own_checklist(world_a, snapshots):
    programs_install_defaults(organization=world_a.org)
    body = get_body(world_a)
    assert snapshots == [world_a.objects["family"].pk]
    assert "Education scholarship" in body and "Business loan" in body
    assert "Group fund" not in body  # a group program is not on a family's checklist
    assert "Reported at least 6 months: you have 8" in body
    assert "Reported at least 3 months in a row: you have 2" in body
    assert "Monthly income has been growing: you have 35 USD a month" in body
    assert "Saving at least 5% of income: you have 7%" in body
    assert "Income growing clearly faster than similar families: no" in body
    assert "2 of 3 criteria met" in body  # the scholarship: 8 months and growing, not 3 in a row
    assert '<progress max="3" value="2"' in body
    assert "March 31, 2025" in body


def test_it_never_shows_another_familys_figures_or_flags(world_a, snapshots):
    program = Program.objects.create(
        organization=world_a.org, name="Matched savings", kind="matched_savings"
    )
    program.rules.create(
        organization=world_a.org, metric="savings_rate", operator=">=", threshold=0.05
    )
    Flag.objects.create(
        organization=world_a.org, program=program, family=world_a.objects["neighbour"]
    )
    body = get_body(world_a)
    assert "you have 7%" in body
    assert "31%" not in body  # the neighbour's savings rate
    assert "staff will be in touch" not in body
    assert "Neighbour" not in body


def test_it_shows_the_familys_own_live_flag(world_a, snapshots):
    programs_install_defaults(organization=world_a.org)
    savings = Program.objects.for_org(world_a.org).get(name="Matched savings")
    Flag.objects.create(organization=world_a.org, program=savings, family=world_a.objects["family"])
    assert "Your family is ready: staff will be in touch" in get_body(world_a)
    Flag.objects.for_org(world_a.org).update(status=FlagStatus.IN_REVIEW)
    assert "Staff are reviewing your family for this program" in get_body(world_a)
    Flag.objects.for_org(world_a.org).update(status=FlagStatus.DECLINED, closed_at=timezone.now())
    body = get_body(world_a)
    assert "staff will be in touch" not in body and "Staff are reviewing" not in body


def test_it_says_when_the_nightly_review_has_not_run(world_a, monkeypatch):
    monkeypatch.setattr(selectors, "_latest_snapshot", lambda **kwargs: None)
    programs_install_defaults(organization=world_a.org)
    body = get_body(world_a)
    assert "The nightly review hasn't run yet" in body
    assert "Reported at least 6 months" in body  # what is asked is known before any run
    assert "you have" not in body
    assert "0 of 3 criteria met" in body
    Program.objects.for_org(world_a.org).exclude(name="Positive-deviant grant").delete()
    assert "0 of 1 criterion met" in get_body(world_a)


def test_it_says_when_there_are_no_programs(world_a, snapshots):
    body = get_body(world_a)
    assert "There are no capital programs open right now" in body
    Program.objects.create(organization=world_a.org, name="Closed", kind="grant", active=False)
    assert "There are no capital programs open right now" in get_body(world_a)


def test_it_speaks_spanish_to_a_family_that_chose_it(world_a, snapshots):
    programs_install_defaults(organization=world_a.org)
    world_a.family_user.language = "es"
    world_a.family_user.save()
    body = get_body(world_a)
    assert "Reportó al menos 6 meses" in body
    assert "Reported at least 6 months" not in body


def test_it_denies_staff_and_admins(world_a):
    for user in (world_a.staff_user, world_a.admin_user):
        assert client_for(user).get(page(world_a)).status_code == 403


def test_it_denies_other_organization(world_a, world_b):
    programs_install_defaults(organization=world_a.org)
    for user in (world_b.family_user, world_b.staff_user, world_b.admin_user):
        response = client_for(user).get(page(world_a))
        assert response.status_code == 404
        assert "Education scholarship" not in response.content.decode()


def test_it_sends_anonymous_visitors_to_log_in(world_a, client):
    response = client.get(page(world_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_query_count_does_not_grow_with_programs(world_a, snapshots, django_assert_num_queries):
    programs_install_defaults(organization=world_a.org)
    for n in range(10):
        program = Program.objects.create(organization=world_a.org, name=f"Extra {n}", kind="grant")
        program.rules.create(
            organization=world_a.org, metric="months_reported", operator=">=", threshold=n
        )
    client = client_for(world_a.family_user)
    # User, membership, questions, flags, programs, rules; payments, loans.
    with django_assert_num_queries(8):
        body = client.get(page(world_a)).content.decode()
    assert body.count("<progress") == 14


def test_the_checklist_compares_the_values_with_each_criterion(world_a, snapshots):
    programs_install_defaults(organization=world_a.org)
    checklist = checklist_for(organization=world_a.org, family=world_a.objects["family"])
    loan = next(p for p in checklist.programs if p.program.name == "Business loan")
    assert [(c.value, c.met) for c in loan.criteria] == [(4.0, False), (0.9, True), (8.0, False)]
    assert (loan.met_count, loan.total, loan.percent) == (1, 3, 33)
    assert checklist.has_snapshot and checklist.as_of == dt.date(2025, 3, 31)
