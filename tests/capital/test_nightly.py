"""Capital inside the real nightly run: snapshots written, signal sent, flags and counts kept."""

import datetime as dt

import pytest

from capital.models import Flag, FlagStatus, Program, ReadinessRule
from insights.models import AggregationRun, RunStatus
from insights.pipeline import aggregate_organization
from tests.conftest import client_for

# The shared worlds carry a capital ledger; these tests count programs and flags from none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_world_capital")]

AS_OF = dt.date(2024, 7, 15)  # build_world's journal is for June 2024


def programs(org):  # type: ignore[no-untyped-def]
    reporters = Program.objects.create(organization=org, name="Reporters", kind="grant")
    ReadinessRule.objects.create(
        organization=org, program=reporters, metric="months_reported", operator=">=", threshold=1
    )
    fund = Program.objects.create(organization=org, name="Fund", kind="group_fund", subject="group")
    ReadinessRule.objects.create(
        organization=org, program=fund, metric="families", operator=">=", threshold=2
    )
    return reporters, fund


def test_the_nightly_run_opens_flags_and_keeps_capitals_counts(world_a, world_b):
    reporters, fund = programs(world_a.org)
    programs(world_b.org)
    result = aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF)
    run = AggregationRun.objects.get(pk=result.run.pk)
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts["capital"] == {"opened": 2, "refreshed": 0, "expired": 0, "in_review": 0}
    family_flag = Flag.objects.for_org(world_a.org).get(program=reporters)
    assert family_flag.family == world_a.objects["family"]  # the neighbour reported nothing
    assert family_flag.run == run
    assert family_flag.evidence[0]["value"] == 1.0
    group_flag = Flag.objects.for_org(world_a.org).get(program=fund)
    assert group_flag.group == world_a.objects["group"]
    assert group_flag.evidence[0]["value"] == 2.0
    assert not Flag.objects.for_org(world_b.org).exists()


def test_running_the_same_night_again_keeps_the_same_flags(world_a):
    programs(world_a.org)
    aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF)
    before = list(Flag.objects.for_org(world_a.org).order_by("pk").values("pk", "status", "score"))
    result = aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF, force=True)
    run = AggregationRun.objects.get(pk=result.run.pk)
    assert run.counts["capital"] == {"opened": 0, "refreshed": 2, "expired": 0, "in_review": 0}
    after = list(Flag.objects.for_org(world_a.org).order_by("pk").values("pk", "status", "score"))
    assert after == before
    assert all(row["status"] == FlagStatus.OPEN for row in after)


def test_the_family_page_shows_the_values_of_the_latest_run(world_a, django_assert_num_queries):
    programs(world_a.org)
    page = f"/o/{world_a.org.slug}/family/capital/"
    client = client_for(world_a.family_user)
    assert "The nightly review hasn't run yet" in client.get(page).content.decode()
    aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF)
    # User, membership, open questions, programs, rules, flags, latest run, snapshot;
    # then the family's payments and loans.
    with django_assert_num_queries(10):
        body = client.get(page).content.decode()
    assert "Months reported: at least 1: you have 1" in body
    assert "July 15, 2024" in body
    assert "Your family is ready: staff will be in touch" in body
    assert "Fund" not in body


def test_a_flags_standing_is_the_latest_succeeded_runs_snapshot(world_a, world_b):
    from capital.selectors.review import Standing, subject_standing
    from insights.models import FamilySnapshot, GroupSnapshot

    flag = world_a.objects["flag"]
    group_flag = Flag(family=None, group=world_a.objects["group"])
    lonely_flag = Flag(family=None, group=None)
    assert subject_standing(organization=world_a.org, flag=flag) is None  # no run yet
    aggregate_organization(organization_id=world_b.org.pk, as_of=AS_OF)
    assert subject_standing(organization=world_a.org, flag=flag) is None  # another's run
    aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF - dt.timedelta(days=1))
    run = aggregate_organization(organization_id=world_a.org.pk, as_of=AS_OF).run
    AggregationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    latest = AggregationRun.objects.for_org(world_a.org).succeeded().order_by("-as_of").first()
    assert latest is not None and latest.as_of == AS_OF - dt.timedelta(days=1)

    snap = FamilySnapshot.objects.get(run=latest, family=flag.family)
    assert subject_standing(organization=world_a.org, flag=flag) == Standing(
        as_of=latest.as_of,
        growth_percentile=snap.growth_percentile,
        margin=snap.margin,
        peer_group=snap.peer_group,
        peer_size=snap.peer_size,
        is_positive_deviant=snap.is_positive_deviant,
    )
    group = subject_standing(organization=world_a.org, flag=group_flag)
    assert group is not None and group.as_of == latest.as_of
    assert group.group_snapshot == GroupSnapshot.objects.get(run=latest, group=group_flag.group)
    assert subject_standing(organization=world_a.org, flag=lonely_flag) == Standing(
        as_of=latest.as_of
    )
    FamilySnapshot.objects.filter(run=latest, family=flag.family).delete()
    assert subject_standing(organization=world_a.org, flag=flag) == Standing(as_of=latest.as_of)
