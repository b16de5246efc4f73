"""Programs and readiness rules (organization admins), and program costs (staff)."""

import datetime as dt
from decimal import Decimal

import pytest

from capital.models import Program, ProgramCost, ReadinessRule
from fii.models import AuditEvent
from insights.pipeline import aggregate_organization
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2024, 7, 15)  # build_world's journal is for June 2024


def url(world, rest: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/{rest}"


PROGRAM = {
    "name": "Tools grant",
    "kind": "grant",
    "subject": "family",
    "budget": "2500",
    "currency": "USD",
    "description": "Tools for a trade",
    "active": "on",
}


# --- programs ------------------------------------------------------------------------------------


def test_staff_read_the_programs_and_admins_may_edit_them(world_a):
    program = world_a.objects["program"]
    staff_body = client_for(world_a.staff_user).get(url(world_a, "programs/")).content.decode()
    assert program.name in staff_body and "Rule MARKER-A-7f3e" in staff_body
    assert "New program" not in staff_body
    admin_body = client_for(world_a.admin_user).get(url(world_a, "programs/")).content.decode()
    assert "New program" in admin_body and f"programs/{program.pk}/" in admin_body
    staff = client_for(world_a.staff_user)
    assert staff.get(url(world_a, "programs/new/")).status_code == 403
    assert staff.get(url(world_a, f"programs/{program.pk}/")).status_code == 403
    assert staff.post(url(world_a, "programs/new/"), PROGRAM).status_code == 403
    assert not Program.objects.filter(name="Tools grant").exists()


def test_an_admin_creates_and_edits_a_program(world_a):
    admin = client_for(world_a.admin_user)
    response = admin.post(url(world_a, "programs/new/"), PROGRAM)
    assert response.status_code == 302
    program = Program.objects.for_org(world_a.org).get(name="Tools grant")
    assert (program.budget, program.subject) == (Decimal("2500"), "family")
    response = admin.post(url(world_a, f"programs/{program.pk}/"), {**PROGRAM, "budget": "3000"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.budget == Decimal("3000")
    events = AuditEvent.objects.filter(object_id=str(program.pk), action__startswith="program.")
    assert sorted(e.action for e in events) == ["program.created", "program.updated"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"budget": "-1"}, "greater than or equal to 0"),
        ({"budget": "lots"}, "Enter a number."),
        ({"name": ""}, "This field is required."),
        ({"name": "program ALPHA MARKER-A-7f3e"}, "Another program already has this name."),
        ({"kind": "group_fund"}, "A group fund is for groups."),
        ({"kind": "lottery"}, "Select a valid choice."),
        ({"currency": "us1"}, "three-letter"),
    ],
)
def test_it_refuses_a_bad_program(world_a, fields, error):
    response = client_for(world_a.admin_user).post(
        url(world_a, "programs/new/"), {**PROGRAM, **fields}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Program.objects.filter(name=PROGRAM["name"]).exists()


def test_a_budget_cannot_go_below_what_is_committed(world_a):
    program = world_a.objects["program"]  # 500 scheduled and a loan of 1,200
    admin = client_for(world_a.admin_user)
    data = {"name": program.name, "kind": program.kind, "subject": "family", "currency": "USD"}
    response = admin.post(url(world_a, f"programs/{program.pk}/"), {**data, "budget": "1699.99"})
    assert response.status_code == 400
    assert "already committed 1,700.00" in response.content.decode()
    program.refresh_from_db()
    assert program.budget == Decimal("10000")
    assert (
        admin.post(url(world_a, f"programs/{program.pk}/"), {**data, "budget": "1700"}).status_code
        == 302
    )


def test_a_program_with_rules_keeps_its_subject(world_a):
    program = world_a.objects["program"]
    data = {"name": program.name, "kind": "grant", "subject": "group", "budget": "10000"}
    response = client_for(world_a.admin_user).post(url(world_a, f"programs/{program.pk}/"), data)
    assert response.status_code == 400
    assert "cannot change who it is for" in response.content.decode()


# --- rules ---------------------------------------------------------------------------------------


@pytest.fixture
def grant(world_a):  # type: ignore[no-untyped-def]
    return f.ProgramFactory(organization=world_a.org, name="Grant")


def rule_url(world, program, rule=None) -> str:  # type: ignore[no-untyped-def]
    tail = f"{rule.pk}/" if rule else "new/"
    return url(world, f"programs/{program.pk}/rules/{tail}")


RULE = {"metric": "months_reported", "operator": ">=", "threshold": "1", "position": "0"}


def test_preview_counts_who_would_qualify_on_the_last_run_and_saves_nothing(world_a, grant):
    aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF)
    admin = client_for(world_a.admin_user)
    response = admin.post(rule_url(world_a, grant), {**RULE, "action": "preview"})
    assert response.status_code == 200
    body = response.content.decode()
    # The family reported June; the neighbour did not.
    assert (
        "With this rule, 1 of 2 would qualify on the nightly review of July 15, 2024 (now 0)."
        in body
    )
    assert "Nothing is saved yet." in body
    assert not grant.rules.exists()
    response = admin.post(rule_url(world_a, grant), {**RULE, "action": "save"})
    assert response.status_code == 302
    rule = grant.rules.get()
    assert (rule.metric, rule.operator, rule.threshold) == ("months_reported", ">=", 1.0)
    # Previewing a stricter version counts against the saved rules.
    stricter = {**RULE, "threshold": "2", "action": "preview"}
    body = admin.post(rule_url(world_a, grant, rule), stricter).content.decode()
    assert "With this rule, 0 of 2 would qualify" in body and "(now 1)" in body
    rule.refresh_from_db()
    assert rule.threshold == 1.0


def test_preview_before_any_run_says_so(world_a, grant):
    body = (
        client_for(world_a.admin_user)
        .post(rule_url(world_a, grant), {**RULE, "action": "preview"})
        .content.decode()
    )
    assert "The nightly review has not run yet" in body


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"threshold": "abc"}, "Enter a number."),
        ({"threshold": "nan"}, "Enter a number."),
        ({"threshold": "inf"}, "Enter a number."),
        ({"threshold": ""}, "This field is required."),
        ({"threshold": "[1]"}, "Enter a number."),
        ({"metric": "share_reporting"}, "Select a valid choice."),  # a group metric
        ({"metric": "password"}, "Select a valid choice."),
        ({"operator": "=~"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("action", ["preview", "save"])
def test_it_refuses_a_bad_rule(world_a, grant, fields, error, action):
    response = client_for(world_a.admin_user).post(
        rule_url(world_a, grant), {**RULE, **fields, "action": action}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not grant.rules.exists()


def test_a_program_has_one_rule_per_metric_and_operator(world_a, grant):
    admin = client_for(world_a.admin_user)
    admin.post(rule_url(world_a, grant), {**RULE, "action": "save"})
    response = admin.post(rule_url(world_a, grant), {**RULE, "threshold": "3", "action": "save"})
    assert response.status_code == 400
    assert "already has a rule on this metric" in response.content.decode()
    assert grant.rules.count() == 1


def test_a_group_program_offers_group_metrics(world_a):
    fund = f.ProgramFactory(organization=world_a.org, kind="group_fund", subject="group")
    admin = client_for(world_a.admin_user)
    body = admin.get(rule_url(world_a, fund)).content.decode()
    assert 'value="share_reporting"' in body and 'value="months_reported"' not in body
    data = {**RULE, "metric": "share_reporting", "threshold": "0.75", "action": "save"}
    assert admin.post(rule_url(world_a, fund), data).status_code == 302


def test_an_admin_edits_and_deletes_a_rule(world_a):
    program, rule = world_a.objects["program"], world_a.objects["rule"]
    admin = client_for(world_a.admin_user)
    data = {**RULE, "threshold": "9", "label_en": "Nine months", "action": "save"}
    assert admin.post(rule_url(world_a, program, rule), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.label_en) == (9.0, "Nine months")
    delete = url(world_a, f"programs/{program.pk}/rules/{rule.pk}/delete/")
    assert admin.get(delete).status_code == 405
    assert admin.post(delete).status_code == 302
    assert not ReadinessRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.filter(action="rule.deleted").count() == 1


def test_a_rule_is_reached_only_through_its_own_program(world_a, grant):
    rule = world_a.objects["rule"]  # a rule of the world's program, not of the grant
    admin = client_for(world_a.admin_user)
    assert admin.get(rule_url(world_a, grant, rule)).status_code == 404
    delete = url(world_a, f"programs/{grant.pk}/rules/{rule.pk}/delete/")
    assert admin.post(delete).status_code == 404
    assert ReadinessRule.objects.filter(pk=rule.pk).exists()


def test_other_organizations_get_404_on_programs_and_rules(world_a, world_b):
    program, rule = world_a.objects["program"], world_a.objects["rule"]
    client = client_for(world_b.admin_user)
    b = world_b.org.slug
    for path in (f"programs/{program.pk}/", f"programs/{program.pk}/rules/{rule.pk}/"):
        assert client.get(url(world_a, path)).status_code == 404
        assert client.get(f"/o/{b}/{path}").status_code == 404
    response = client.post(f"/o/{b}/programs/{program.pk}/rules/{rule.pk}/delete/")
    assert response.status_code == 404
    assert ReadinessRule.objects.filter(pk=rule.pk).exists()


# --- costs ---------------------------------------------------------------------------------------

COST = {"month": "2024-06", "category": "staff", "amount": "1200.50", "note": "Liaison time"}


def test_staff_record_costs_and_see_monthly_totals(world_a):
    client = client_for(world_a.staff_user)
    program = world_a.objects["program"]
    assert client.post(url(world_a, "costs/"), {**COST, "program": program.pk}).status_code == 302
    assert (
        client.post(
            url(world_a, "costs/"), {**COST, "category": "overhead", "amount": "99.50"}
        ).status_code
        == 302
    )
    cost = ProgramCost.objects.for_org(world_a.org).get(note="Liaison time", category="staff")
    assert (cost.month, cost.program, cost.amount) == (
        dt.date(2024, 6, 1),
        program,
        Decimal("1200.50"),
    )
    body = client.get(url(world_a, "costs/")).content.decode()
    june = body.split('<th scope="row">June 2024</th>')[1].split("</tr>")[0]
    # Staff: the world's 1,000 and 1,200.50; overhead 99.50; total 2,300.00.
    assert "2,200.50" in june and "99.50" in june and "2,300.00" in june


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"amount": "-5"}, "greater than or equal to 0.01"),
        ({"amount": "0"}, "greater than or equal to 0.01"),
        ({"amount": "a lot"}, "Enter a number."),
        ({"month": "2999-01"}, "once its month has started"),
        ({"month": "2024-13"}, "Enter a valid date."),
        ({"month": ""}, "This field is required."),
        ({"category": "snacks"}, "Select a valid choice."),
        ({"program": "999999"}, "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_cost(world_a, fields, error):
    response = client_for(world_a.staff_user).post(url(world_a, "costs/"), {**COST, **fields})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ProgramCost.objects.filter(note="Liaison time").exists()


def test_a_cost_cannot_name_another_organizations_program(world_a, world_b):
    response = client_for(world_a.staff_user).post(
        url(world_a, "costs/"), {**COST, "program": world_b.objects["program"].pk}
    )
    assert response.status_code == 400
    assert not ProgramCost.objects.filter(note="Liaison time").exists()


def test_staff_delete_a_cost_of_their_own_organization_only(world_a, world_b):
    cost = world_a.objects["cost"]
    outsider = client_for(world_b.staff_user)
    assert outsider.post(f"/o/{world_b.org.slug}/costs/{cost.pk}/delete/").status_code == 404
    assert outsider.post(url(world_a, f"costs/{cost.pk}/delete/")).status_code == 404
    assert ProgramCost.objects.filter(pk=cost.pk).exists()
    assert (
        client_for(world_a.family_user).post(url(world_a, f"costs/{cost.pk}/delete/")).status_code
        == 403
    )
    assert (
        client_for(world_a.staff_user).post(url(world_a, f"costs/{cost.pk}/delete/")).status_code
        == 302
    )
    assert not ProgramCost.objects.filter(pk=cost.pk).exists()


def test_families_get_403_on_staff_pages(world_a):
    client = client_for(world_a.family_user)
    for path in ("programs/", "programs/new/", "costs/", "decisions/", "ledger/", "queue/"):
        assert client.get(url(world_a, path)).status_code == 403, path
