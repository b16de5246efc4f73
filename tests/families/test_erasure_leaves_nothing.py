"""After an approved erasure no table holds the family's name, its people's names or e-mails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from capital.models import Repayment, Review
from families.erasure import family_erase
from families.models import ErasureRequest, ErasureStatus, Family, ImportJob, ImportStatus
from fii.models import AuditEvent, Membership, Role
from journals.models import JournalEntry
from tests import factories as f
from tests.conftest import World, build_world, client_for

pytestmark = pytest.mark.django_db

FAMILY_NAME = "Brennan Family"
EMAIL = "siobhan.brennan@example.org"
INVITED = "cormac.brennan@example.org"
NEEDLES = (FAMILY_NAME, "Siobhan", "Cormac", EMAIL, INVITED)
# The kept import file spells the household as people type it, not as fii stores it.
FAMILIES_FILE = (
    "household_name,group_name,joined_on,household_size,baseline_income\n"
    "BRENNAN  FAMILY,,2024-01-15,4,2200\n"
    "Casa Nguyen,,2023-11-01,2,1800\n"
    "Bad household,,2024-01-01,0,1000\n"
)
JOURNALS_FILE = (
    "household_name,period,income_wages\n"
    " brennan   family ,2024-02,2100\n"
    "brennan\tFAMILY,2024-03,2150\n"
    "Casa Nguyen,2024-01,1700\n"
)


@pytest.fixture
def world() -> World:
    """build_world's organization, whose family is the Brennans, with data everywhere."""
    world = build_world("alpha")
    family = world.objects["family"]
    Family.objects.filter(pk=family.pk).update(name=FAMILY_NAME)
    family.refresh_from_db()
    member = world.objects["member"]
    member.first_name = "Siobhan"
    member.save()
    world.objects["cormac"] = f.FamilyMemberFactory(family=family, first_name="Cormac")
    user = world.family_user
    user.name, user.email = "Siobhan Brennan", EMAIL
    user.save()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    world.objects["family_invitation"] = f.InvitationFactory(
        organization=world.org, email=INVITED, role=Role.FAMILY, family=family
    )
    consent = world.objects["consent"]
    consent.agreed_by = "Siobhan Brennan"
    consent.save()
    return world


def admin_log(world: World, obj: models.Model, flag: int = CHANGE, **message: Any) -> None:
    """Write an admin log entry as Django's admin does: the object's str and a JSON message."""
    LogEntry.objects.create(
        user=world.admin_user,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=flag,
        change_message=json.dumps([message] if message else []),
    )


def log_everywhere(world: World) -> None:
    """Log admin changes of the family's objects of every kind, and of the organization."""
    o = world.objects
    family = o["family"]
    membership = Membership.objects.get(user=world.family_user)
    # Objects whose str names the family or a person.
    for obj in (
        family,
        o["member"],
        membership,
        o["entry"],
        o["flag"],
        Review.objects.get(flag=o["flag"]),
        o["loan"],
        Repayment.objects.get(loan=o["loan"]),
        o["consent"],
        o["family_invitation"],
        world.family_user,
        EmailAddress.objects.get(email=EMAIL),
    ):
        admin_log(world, obj)
    # Objects whose str is ids and amounts: their messages name inline objects.
    cormac = {"name": "family member", "object": "Cormac"}
    admin_log(world, family, ADDITION, added=cormac)
    admin_log(world, o["cormac"], DELETION)
    for key in ("goal", "goal_update", "help", "stipend", "disbursement", "story", "erasure"):
        admin_log(world, o[key], changed={"name": "note", "object": FAMILY_NAME, "fields": []})
    # The organization's page lists its memberships inline: their str holds the address.
    admin_log(world, world.org, changed={"name": "membership", "object": str(membership)})


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def import_rejected(world: World, captured: Any) -> ImportJob:
    staff = client_for(world.staff_user)
    data = {
        "families_file": upload("families.csv", FAMILIES_FILE),
        "journals_file": upload("journals.csv", JOURNALS_FILE),
    }
    with captured(execute=True):
        staff.post(f"/o/{world.org.slug}/import/", data)
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None and job.status == ImportStatus.REJECTED
    assert job.report["families_existing"] == 1  # the Brennans' row, spelled otherwise
    return job


def approve_erasure(world: World) -> None:
    family_client = client_for(world.family_user)
    page = f"/o/{world.org.slug}/family/erasure/"
    assert family_client.post(page, {"understood": "on"}).status_code == 302
    erasure = ErasureRequest.objects.get(family=world.objects["family"], status="pending")
    admin = client_for(world.admin_user)
    response = admin.post(
        f"/o/{world.org.slug}/erasures/{erasure.pk}/approve/",
        {"approve-confirm_name": FAMILY_NAME.lower()},
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.COMPLETED


def text_columns(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [fl.attname for fl in model._meta.concrete_fields if isinstance(fl, kinds)]


def flat(value: Any) -> str:
    """Return a column's value as one line of case-folded text: spacing and case aside."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join(text.split()).casefold()


def scan(needles: tuple[str, ...] = NEEDLES) -> set[tuple[str, str, str]]:
    """Return (table, column, needle) of every text or JSON cell of every table holding one."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        columns = text_columns(model)
        if not columns or model._meta.proxy:
            continue
        for row in model._base_manager.values_list(*columns):
            for column, value in zip(columns, row, strict=True):
                text = flat(value)
                found |= {
                    (model._meta.db_table, column, needle)
                    for needle in needles
                    if needle.casefold() in text
                }
    return found


def test_no_table_holds_the_familys_names_or_addresses_after_erasure(
    world, django_capture_on_commit_callbacks
):
    log_everywhere(world)
    import_rejected(world, django_capture_on_commit_callbacks)
    # Audit events as the app writes them, and one that copied an address (none should).
    client_for(world.staff_user).get(f"/o/{world.org.slug}/families/{world.objects['family'].pk}/")
    AuditEvent.objects.create(organization=world.org, action="test.copied", detail={"to": EMAIL})
    before = scan()
    # The control: the names are there to be found, in the copies too.
    assert {
        ("families_family", "name", FAMILY_NAME),
        ("families_familymember", "first_name", "Cormac"),
        ("fii_user", "email", EMAIL),
        ("families_invitation", "email", INVITED),
        ("families_importjob", "families_csv", FAMILY_NAME),
        ("families_importjob", "journals_csv", FAMILY_NAME),
        ("django_admin_log", "object_repr", FAMILY_NAME),
        ("django_admin_log", "object_repr", EMAIL),
        ("django_admin_log", "change_message", "Cormac"),
        ("django_admin_log", "change_message", FAMILY_NAME),
        ("django_admin_log", "change_message", EMAIL),
        ("fii_auditevent", "detail", EMAIL),
    } <= before
    approve_erasure(world)
    assert scan() == set()


def test_skipping_the_bad_rows_after_erasure_does_not_recreate_the_family(
    world, django_capture_on_commit_callbacks
):
    rejected = import_rejected(world, django_capture_on_commit_callbacks)
    family = world.objects["family"]
    entries = JournalEntry.objects.filter(family=family).count()
    approve_erasure(world)
    staff = client_for(world.staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/o/{world.org.slug}/import/{rejected.pk}/skip-bad-rows/")
    retried = ImportJob.objects.order_by("-pk").first()
    assert retried is not None and retried.status == ImportStatus.DONE
    names = list(Family.objects.for_org(world.org).values_list("name", flat=True))
    assert "Casa Nguyen" in names  # the good rows of someone else were imported
    assert not [name for name in names if "brennan" in name.casefold()]
    assert JournalEntry.objects.filter(family=family).count() == entries
    # The rows skipped are the bad one only: the Brennans' rows are no longer in the files.
    assert retried.report["bad_rows"] == 1
    assert retried.report["families_existing"] == 0


def test_kept_files_keep_their_row_numbers_for_the_report(
    world, django_capture_on_commit_callbacks
):
    job = import_rejected(world, django_capture_on_commit_callbacks)
    problems = {(p["file"], p["row"], p["column"]) for p in job.report["problems"]}
    approve_erasure(world)
    job.refresh_from_db()
    lines = job.families_csv.splitlines()
    assert lines[1] == ""  # the Brennans' row, blank where it was
    assert lines[3].startswith("Bad household,")  # still row 4, as the report says
    assert ("families", 4, "household_size") in problems
    assert job.journals_csv.splitlines()[1:3] == ["", ""]
    assert "Casa Nguyen" in job.journals_csv.splitlines()[3]


def test_it_leaves_other_families_log_entries_and_a_shared_accounts_address(world, world_b):
    log_everywhere(world)
    neighbour, theirs = world.objects["neighbour"], world_b.objects["family"]
    admin_log(world, neighbour, changed={"name": "family member", "object": "Niamh"})
    admin_log(world_b, theirs)
    # A second account of the family that also works for organization B: closed here only.
    shared = f.UserFactory(email="c.brennan@beta.example", name="Cormac Brennan")
    f.MembershipFactory(
        user=shared, organization=world.org, role=Role.FAMILY, family=world.objects["family"]
    )
    f.MembershipFactory(user=shared, organization=world_b.org, role=Role.STAFF)
    admin_log(world_b, Membership.objects.get(user=shared, organization=world_b.org))
    kept = set(
        LogEntry.objects.exclude(object_id__in=[neighbour.pk, theirs.pk])
        .filter(object_repr__contains="c.brennan@beta.example")
        .values_list("pk", "object_repr", "change_message")
    )
    assert kept
    first = family_erase(organization=world.org, family=world.objects["family"])
    assert first["families"]["admin_log"] > 0
    entries = LogEntry.objects.filter(object_id__in=[neighbour.pk, theirs.pk])
    assert {(e.object_repr, e.change_message) for e in entries} >= {
        (neighbour.name, '[{"changed": {"name": "family member", "object": "Niamh"}}]'),
        (theirs.name, "[]"),
    }
    # The shared account's address is its other organization's data.
    assert all(
        "c.brennan@beta.example" in repr_
        for repr_ in LogEntry.objects.filter(pk__in=[k[0] for k in kept]).values_list(
            "object_repr", flat=True
        )
    )
    # Erasing again finds nothing left to change.
    second = family_erase(organization=world.org, family=world.objects["family"])
    assert (second["families"]["admin_log"], second["families"]["import_files"]) == (0, 0)
