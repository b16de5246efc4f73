"""Erasure: a family asks to be forgotten, an org admin approves, its personal data goes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.test import Client

from capital.models import Disbursement, Flag, FlagStatus, Loan, Repayment
from families.erasure import family_erase
from families.forms import FamilyForm
from families.models import (
    ConsentKind,
    ErasureRequest,
    ErasureStatus,
    Family,
    Invitation,
)
from fii.models import ApiToken, AuditEvent, Membership, Role, User, UserSession
from fii.sessions import SessionStore
from insights.funder.rows import ROW_BUILDERS, funder_tables, table_rows
from insights.models import FamilySnapshot, GroupSnapshot
from insights.pipeline import aggregate_organization
from journals.models import HelpExchange, JournalEntry, Stipend
from journals.selectors import group_comparison
from tests import factories as f
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

MARKER = "MARKER-A-7f3e"
AS_OF = dt.date(2024, 7, 15)  # build_world's journal is for June 2024
OUR_APPS = ("fii", "families", "journals", "insights", "capital")
# Text fields of the family's rows that may keep the marker after erasure, each with the reason.
KEPT_TEXT = {
    # The program's criteria as the organization wrote them, and the numbers seen: nothing the
    # family wrote or is called (build_world plants the marker in the rule's label).
    ("capital", "flag", "evidence"): "the organization's criteria and numbers",
}


@pytest.fixture
def world(world_a: World) -> World:
    return world_a


def family_users(world: World) -> list[int]:
    family = world.objects["family"]
    return list(
        Membership.objects.filter(family=family, role=Role.FAMILY).values_list("user", flat=True)
    )


def family_filter(model: type[models.Model], family: Family, users: list[int]) -> Q | None:
    """Return a filter for the model's rows about the family, through up to two foreign keys."""
    if model is Family:
        return Q(pk=family.pk)
    if model is User:
        return Q(pk__in=users)
    match = Q()
    found = False
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            continue
        target = field.related_model
        if target is Family:
            match |= Q(**{field.name: family})
            found = True
        elif target is User:
            match |= Q(**{f"{field.name}__in": users})
            found = True
        else:
            for sub in target._meta.get_fields():  # type: ignore[union-attr]
                one = (sub.many_to_one or sub.one_to_one) and sub.concrete
                if one and sub.related_model is Family:
                    match |= Q(**{f"{field.name}__{sub.name}": family})
                    found = True
    return match if found else None


def text_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    kinds = (models.CharField, models.TextField, models.JSONField)
    return [f for f in model._meta.concrete_fields if isinstance(f, kinds)]


def marker_hits(world: World, marker: str = MARKER) -> set[tuple[str, str, str]]:
    """Return (app, model, field) of every text field of the family's rows holding the marker."""
    family = Family.objects.get(pk=world.objects["family"].pk)
    users = family_users(world)
    hits = set()
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            match = family_filter(model, family, users)
            fields = text_fields(model)
            if match is None or not fields:
                continue
            names = [fl.name for fl in fields]
            for row in model._default_manager.filter(match).values(*names):
                for name, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value)
                    if marker in text:
                        hits.add((app, model._meta.model_name or "", name))
    return hits


def request_and_approve(world: World) -> ErasureRequest:
    family_client = client_for(world.family_user)
    response = family_client.post(f"/o/{world.org.slug}/family/erasure/", {"understood": "on"})
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(family=world.objects["family"], status="pending")
    family_name = world.objects["family"].name
    admin = client_for(world.admin_user)
    response = admin.post(
        f"/o/{world.org.slug}/erasures/{erasure.pk}/approve/",
        {"approve-confirm_name": f"  {family_name.upper()} "},
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.COMPLETED
    return erasure


def test_it_erases_every_personal_and_free_text_field_of_the_family(world):
    before = marker_hits(world)
    # The control: the marker is there to be found, in the family's own words and names.
    assert {
        ("families", "family", "name"),
        ("families", "familymember", "first_name"),
        ("families", "erasurerequest", "decline_reason"),
        ("fii", "user", "name"),
        ("journals", "goal", "title"),
        ("journals", "goal", "success_looks_like"),
        ("journals", "goalupdate", "note"),
        ("journals", "helpexchange", "note"),
        ("insights", "story", "body"),
        ("capital", "review", "note"),
    } <= before
    request_and_approve(world)
    left = {hit for hit in marker_hits(world) if hit not in KEPT_TEXT}
    assert left == set()


def test_it_leaves_the_neighbour_and_the_other_organization_untouched(world, world_b):
    neighbour = world.objects["neighbour"]
    neighbour_name = neighbour.name
    b_family = world_b.objects["family"]
    b_before = (b_family.name, world_b.family_user.email, world_b.objects["goal"].title)
    request_and_approve(world)
    neighbour.refresh_from_db()
    assert neighbour.name == neighbour_name
    assert neighbour.erased_at is None
    b_family.refresh_from_db()
    world_b.family_user.refresh_from_db()
    world_b.objects["goal"].refresh_from_db()
    assert (b_family.name, world_b.family_user.email, world_b.objects["goal"].title) == b_before
    assert world.staff_user.email == "staff@alpha.example"
    assert User.objects.get(pk=world.admin_user.pk).is_active


def test_the_familys_accounts_can_no_longer_log_in(world):
    user = world.family_user
    user.set_password("a long passphrase")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    ApiToken.objects.create(user=user, name="phone", key_hash=ApiToken.hash_key("k"), prefix="k")
    old_email = user.email
    logged_in = client_for(user)
    assert logged_in.get(f"/o/{world.org.slug}/family/").status_code == 200
    session_key = logged_in.cookies["sessionid"].value
    assert SessionStore().exists(session_key)
    erasure = request_and_approve(world)
    user.refresh_from_db()
    assert user.email == f"erased-{user.pk}@invalid"
    assert (user.name, user.is_active, user.has_usable_password()) == ("", False, False)
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user, is_active=True).exists()
    assert not User.objects.filter(email=old_email).exists()
    assert erasure.erased_counts["families"]["sessions"] >= 1
    # The open session is gone from the table and from the cache.
    assert not UserSession.objects.filter(pk=session_key).exists()
    assert not SessionStore().exists(session_key)
    # The next request is signed out, and logging in again does not work.
    response = logged_in.get(f"/o/{world.org.slug}/family/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Client().login(username=old_email, password="a long passphrase")
    response = Client().post(
        "/accounts/login/", {"login": old_email, "password": "a long passphrase"}
    )
    assert response.status_code == 200  # the form again, with its error


def test_the_admin_reads_what_each_app_erased_in_words(world):
    erasure = request_and_approve(world)
    assert set(erasure.erased_counts) == {"families", "journals", "insights", "capital"}
    admin = client_for(world.admin_user)
    body = admin.get(f"/o/{world.org.slug}/erasures/{erasure.pk}/").content.decode()
    for label in (
        "Household members deleted",  # families' own
        "Journal drafts emptied",  # journals', described from its ready()
        "Stories deleted",  # insights'
        "Open flags closed",  # capital's
    ):
        assert label in body, label


def test_it_keeps_the_numbers_dates_and_ledger(world):
    family = world.objects["family"]
    entry = JournalEntry.objects.get(pk=world.objects["entry"].pk)
    help_row = HelpExchange.objects.get(pk=world.objects["help"].pk)
    ledger = {
        "disbursement": Disbursement.objects.get(pk=world.objects["disbursement"].pk).amount,
        "loan": Loan.objects.get(pk=world.objects["loan"].pk).principal,
        "repayments": list(Repayment.objects.values_list("amount", "paid_on")),
        "stipend": Stipend.objects.get(pk=world.objects["stipend"].pk).amount,
    }
    request_and_approve(world)
    after = JournalEntry.objects.get(pk=entry.pk)
    assert after.values() == entry.values()
    assert (after.period, after.status, after.submitted_at) == (
        entry.period,
        entry.status,
        entry.submitted_at,
    )
    help_after = HelpExchange.objects.get(pk=help_row.pk)
    assert (help_after.hours, help_after.kind, help_after.period) == (
        help_row.hours,
        help_row.kind,
        help_row.period,
    )
    assert ledger == {
        "disbursement": Disbursement.objects.get(pk=world.objects["disbursement"].pk).amount,
        "loan": Loan.objects.get(pk=world.objects["loan"].pk).principal,
        "repayments": list(Repayment.objects.values_list("amount", "paid_on")),
        "stipend": Stipend.objects.get(pk=world.objects["stipend"].pk).amount,
    }
    family_after = Family.objects.get(pk=family.pk)
    assert family_after.group_id == family.group_id
    assert family_after.household_size == family.household_size
    assert family_after.baseline_monthly_income == family.baseline_monthly_income
    assert family_after.erased_at is not None
    # Consent records keep their kind and dates (the basis for keeping the numbers).
    assert family_after.consents.filter(kind=ConsentKind.PARTICIPATION).exists()
    # The family's question from staff is no longer waiting.
    assert Flag.objects.get(pk=world.objects["flag"].pk).status == FlagStatus.EXPIRED


def snapshot_rows(org: Any) -> dict[str, list[dict[str, Any]]]:
    skip = {"id", "run"}

    def rows(model: Any, key: str) -> list[dict[str, Any]]:
        names = [fl.name for fl in model._meta.concrete_fields if fl.name not in skip]
        return list(
            model.objects.for_org(org).filter(run__as_of=AS_OF).order_by(key).values(*names)
        )

    return {"families": rows(FamilySnapshot, "family"), "groups": rows(GroupSnapshot, "group")}


def funder_figures(org: Any) -> str:
    tables = funder_tables(organizations=[org])
    return repr({name: table_rows(tables, name) for name in ROW_BUILDERS})


def test_the_nightly_snapshots_and_funder_figures_are_the_same_after_erasure(world):
    org = world.org
    org.min_cell_size = 2
    org.save()
    for family in (world.objects["family"], world.objects["neighbour"]):
        f.ConsentFactory(family=family, kind=ConsentKind.AGGREGATE_REPORTING)
    aggregate_organization(organization_id=org.pk, as_of=AS_OF)
    snapshots, figures = snapshot_rows(org), funder_figures(org)
    assert [row["income_3m"] for row in snapshots["families"]] == [2100.0, None]
    assert snapshots["families"][0]["goals_active"] == 1
    assert "'median_income': 2200.0" in figures  # figures shown, not all suppressed
    neighbour = world.objects["neighbour"]
    compared = group_comparison(organization=org, family=neighbour)
    assert compared is not None and compared.families == 2
    request_and_approve(world)
    assert funder_figures(org) == figures
    # What the neighbour reads of its group does not move either.
    assert group_comparison(organization=org, family=neighbour) == compared
    aggregate_organization(organization_id=org.pk, as_of=AS_OF, force=True)
    assert snapshot_rows(org) == snapshots
    assert funder_figures(org) == figures


def test_erasing_twice_changes_nothing_more(world):
    family = world.objects["family"]
    first = family_erase(organization=world.org, family=family)
    state = marker_hits(world), Family.objects.filter(pk=family.pk).values().get()
    second = family_erase(organization=world.org, family=family)
    assert first["families"]["family"] == 1
    assert all(n == 0 for counts in second.values() for n in counts.values()), second
    assert (marker_hits(world), Family.objects.filter(pk=family.pk).values().get()) == state


def test_staff_who_are_not_admins_cannot_decide(world):
    staff = client_for(world.staff_user)
    pending = ErasureRequest.objects.create(organization=world.org, family=world.objects["family"])
    base = f"/o/{world.org.slug}/erasures/"
    assert staff.get(base).status_code == 403
    assert staff.get(f"{base}{pending.pk}/").status_code == 403
    name = world.objects["family"].name
    assert (
        staff.post(f"{base}{pending.pk}/approve/", {"approve-confirm_name": name}).status_code
        == 403
    )
    assert staff.post(f"{base}{pending.pk}/decline/", {"decline-reason": "No"}).status_code == 403
    family = client_for(world.family_user)
    assert family.get(f"{base}{pending.pk}/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == ErasureStatus.PENDING
    assert Family.objects.get(pk=world.objects["family"].pk).erased_at is None


def test_it_denies_other_organization(world, world_b):
    pending = ErasureRequest.objects.create(organization=world.org, family=world.objects["family"])
    other_admin = client_for(world_b.admin_user)
    # Through A's slug (not a member) and through B's own slug (not B's request): both 404.
    for slug in (world.org.slug, world_b.org.slug):
        base = f"/o/{slug}/erasures/{pending.pk}/"
        assert other_admin.get(base).status_code == 404
        name = world.objects["family"].name
        assert (
            other_admin.post(f"{base}approve/", {"approve-confirm_name": name}).status_code == 404
        )
        assert other_admin.post(f"{base}decline/", {"decline-reason": "No"}).status_code == 404
    assert MARKER not in other_admin.get(f"/o/{world_b.org.slug}/erasures/").content.decode()
    pending.refresh_from_db()
    assert pending.status == ErasureStatus.PENDING


def test_a_wrong_confirmation_is_a_form_error_and_changes_nothing(world):
    pending = ErasureRequest.objects.create(organization=world.org, family=world.objects["family"])
    admin = client_for(world.admin_user)
    url = f"/o/{world.org.slug}/erasures/{pending.pk}/approve/"
    for typed in ("", "Family alpha", "x" * 500, "<script>alert(1)</script>"):
        response = admin.post(url, {"approve-confirm_name": typed})
        assert response.status_code == 400
        body = response.content.decode()
        assert 'aria-invalid="true"' in body
        assert "<script>alert(1)</script>" not in body
    assert admin.get(url).status_code == 405
    pending.refresh_from_db()
    assert pending.status == ErasureStatus.PENDING
    assert marker_hits(world) >= {("families", "family", "name"), ("journals", "goal", "title")}
    assert not AuditEvent.objects.filter(action="erasure.completed").exists()


def test_a_decline_keeps_the_data_and_the_family_reads_the_reason(world):
    family_client = client_for(world.family_user)
    page = f"/o/{world.org.slug}/family/erasure/"
    family_client.post(page, {"understood": "on"})
    pending = ErasureRequest.objects.get(family=world.objects["family"], status="pending")
    admin = client_for(world.admin_user)
    url = f"/o/{world.org.slug}/erasures/{pending.pk}/decline/"
    assert admin.post(url, {"decline-reason": "   "}).status_code == 400
    pending.refresh_from_db()
    assert pending.status == ErasureStatus.PENDING
    before = marker_hits(world)
    response = admin.post(url, {"decline-reason": "Your loan is still being repaid."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (ErasureStatus.DECLINED, world.admin_user)
    assert marker_hits(world) == before
    body = family_client.get(page).content.decode()
    assert "Your loan is still being repaid." in body
    assert "Ask to delete our information" in body
    # Deciding again is refused: the request is no longer waiting.
    name = world.objects["family"].name
    approve = f"/o/{world.org.slug}/erasures/{pending.pk}/approve/"
    assert admin.post(approve, {"approve-confirm_name": name}).status_code == 409
    assert Family.objects.get(pk=world.objects["family"].pk).erased_at is None
    # Once the family asks anew and cancels, the old reason is no longer news.
    family_client.post(page, {"understood": "on"})
    assert family_client.post(page + "cancel/").status_code == 302
    assert "Your loan is still being repaid." not in family_client.get(page).content.decode()


def test_a_family_asks_sees_the_status_and_can_cancel(world):
    client = client_for(world.family_user)
    settings_page = client.get(f"/o/{world.org.slug}/family/settings/").content.decode()
    assert f"/o/{world.org.slug}/family/erasure/" in settings_page
    page = f"/o/{world.org.slug}/family/erasure/"
    body = client.get(page).content.decode()
    assert "What we delete" in body and "What we keep, without your names" in body
    response = client.post(page, {})
    assert response.status_code == 400
    assert not ErasureRequest.objects.filter(status="pending").exists()
    assert client.post(page, {"understood": "on"}).status_code == 302
    body = client.get(page).content.decode()
    assert "Your request is waiting" in body
    # Asking twice leaves one waiting request.
    assert client.post(page, {"understood": "on"}).status_code == 400
    assert ErasureRequest.objects.filter(status="pending").count() == 1
    assert client.post(f"{page}cancel/").status_code == 302
    erasure = ErasureRequest.objects.get(status="cancelled")
    assert erasure.decided_by == world.family_user
    assert client.post(f"{page}cancel/").status_code == 409
    assert Family.objects.get(pk=world.objects["family"].pk).erased_at is None


def test_one_pending_request_per_family_is_a_database_rule(world):
    family = world.objects["family"]
    ErasureRequest.objects.create(organization=world.org, family=family)
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.create(organization=world.org, family=family)


def test_a_family_member_sees_only_its_own_familys_request(world):
    ErasureRequest.objects.create(
        organization=world.org, family=world.objects["family"], requested_by=world.family_user
    )
    neighbour_user = f.UserFactory(email="neighbour@alpha.example")
    f.MembershipFactory(
        user=neighbour_user,
        organization=world.org,
        role=Role.FAMILY,
        family=world.objects["neighbour"],
    )
    client = client_for(neighbour_user)
    body = client.get(f"/o/{world.org.slug}/family/erasure/").content.decode()
    assert "Your request is waiting" not in body
    assert "A loan is still open" not in body  # the other family's declined request
    assert client.post(f"/o/{world.org.slug}/family/erasure/cancel/").status_code == 409
    assert ErasureRequest.objects.filter(status="pending").count() == 1


def test_staff_can_record_a_request_made_by_phone(world):
    family = world.objects["family"]
    staff = client_for(world.staff_user)
    page = f"/o/{world.org.slug}/families/{family.pk}/erasure/"
    manage = staff.get(f"/o/{world.org.slug}/families/{family.pk}/edit/").content.decode()
    assert page in manage
    assert staff.post(page, {}).status_code == 400
    assert staff.post(page, {"understood": "on"}).status_code == 302
    erasure = ErasureRequest.objects.get(status="pending")
    assert (erasure.on_behalf, erasure.requested_by) == (True, world.staff_user)
    listing = client_for(world.admin_user).get(f"/o/{world.org.slug}/erasures/").content.decode()
    assert f"/erasures/{erasure.pk}/" in listing


def test_every_step_is_audited_with_counts_never_values(world):
    family_client = client_for(world.family_user)
    page = f"/o/{world.org.slug}/family/erasure/"
    family_client.post(page, {"understood": "on"})
    family_client.post(f"{page}cancel/")
    family_client.post(page, {"understood": "on"})
    pending = ErasureRequest.objects.get(status="pending")
    admin = client_for(world.admin_user)
    admin.post(
        f"/o/{world.org.slug}/erasures/{pending.pk}/decline/",
        {"decline-reason": f"Please call us first {MARKER}"},
    )
    email = world.family_user.email
    request_and_approve(world)
    events = AuditEvent.objects.filter(action__startswith="erasure.").order_by("at", "pk")
    assert [e.action for e in events] == [
        "erasure.requested",
        "erasure.cancelled",
        "erasure.requested",
        "erasure.declined",
        "erasure.requested",
        "erasure.completed",
    ]
    completed = events.last()
    assert completed is not None
    assert completed.detail["counts"]["families"]["household_members"] == 1
    assert completed.detail["counts"]["insights"] == {"stories": 1}
    for event in AuditEvent.objects.all():
        text = json.dumps(event.detail)
        assert MARKER not in text, event.action
        assert email not in text, event.action


def test_it_scrubs_values_copied_into_audit_details_and_import_files(world):
    family = world.objects["family"]
    name, email = family.name, world.family_user.email
    copied = AuditEvent.objects.create(
        organization=world.org, action="test.copied", detail={"who": [f"to {email}"], "n": 3}
    )
    other = AuditEvent.objects.create(
        organization=world.org, action="test.other", detail={"who": "someone else"}
    )
    job = f.ImportJobFactory(
        organization=world.org,
        families_csv=f"household_name,household_size\n{name},3\nOther household,2\n",
        journals_csv=f'household_name,month\n"{name}",2024-05\n',
        report={"problems": [{"message": f"“{name}” exists already"}]},
    )
    family_erase(organization=world.org, family=family)
    copied.refresh_from_db()
    assert copied.detail == {"who": ["[erased]"], "n": 3}
    other.refresh_from_db()
    assert other.detail == {"who": "someone else"}
    job.refresh_from_db()
    stored = job.families_csv + job.journals_csv + json.dumps(job.report, ensure_ascii=False)
    assert MARKER not in stored
    # The household's rows are blank (the others keep their numbers); the report renames it.
    assert job.families_csv == "household_name,household_size\n\nOther household,2\n"
    assert job.journals_csv == "household_name,month\n\n"
    assert job.report == {"problems": [{"message": f"“Erased family {family.pk}” exists already"}]}


def test_the_scrub_touches_whole_words_of_the_organizations_own_records_only(world, world_b):
    family = world.objects["family"]
    f.FamilyMemberFactory(family=family, organization=world.org, first_name="Ana")
    word = AuditEvent.objects.create(
        organization=world.org, action="test.word", detail={"note": "ana called"}
    )
    inside = AuditEvent.objects.create(
        organization=world.org, action="test.inside", detail={"note": "a banana and Anaheim"}
    )
    theirs = AuditEvent.objects.create(
        organization=world_b.org, action="test.theirs", detail={"note": "Ana called"}
    )
    # A cell past the csv module's field limit (128 KiB): the reader refuses the file, which
    # has no rows to take out then, and goes whole.
    too_long = f"household_name\n{family.name} {'x' * 140_000}\n"
    unreadable = f.ImportJobFactory(organization=world.org, families_csv=too_long)
    theirs_too_long = f"household_name\nOther {'x' * 140_000}\n"
    unreadable_other = f.ImportJobFactory(organization=world.org, families_csv=theirs_too_long)
    keyed = f.ImportJobFactory(
        organization=world.org,
        families_csv="household_name\nOther\n",
        report={family.name: [f"{family.name} twice"]},
    )
    family_erase(organization=world.org, family=family)
    for event in (word, inside, theirs):
        event.refresh_from_db()
    assert word.detail == {"note": "[erased]"}
    assert inside.detail == {"note": "a banana and Anaheim"}
    assert theirs.detail == {"note": "Ana called"}
    unreadable.refresh_from_db()
    assert unreadable.families_csv == ""
    unreadable_other.refresh_from_db()
    assert unreadable_other.families_csv == theirs_too_long
    assert Family.objects.get(pk=family.pk).is_erased
    keyed.refresh_from_db()
    erased = f"Erased family {family.pk}"
    assert keyed.report == {erased: [f"{erased} twice"]}


def test_an_erased_family_leaves_the_roster_and_cannot_be_invited_or_restored(world):
    family = world.objects["family"]
    f.InvitationFactory(
        organization=world.org, email="cousin@example.org", role=Role.FAMILY, family=family
    )
    request_and_approve(world)
    assert not Invitation.objects.filter(family=family).exists()
    assert not Family.objects.for_org(world.org).active().filter(pk=family.pk).exists()
    staff = client_for(world.staff_user)
    roster = staff.get(f"/o/{world.org.slug}/families/").content.decode()
    assert f"Erased family {family.pk}" not in roster
    archived = staff.get(f"/o/{world.org.slug}/families/?archived=1").content.decode()
    assert f"Erased family {family.pk}" in archived
    response = staff.post(
        f"/o/{world.org.slug}/invitations/",
        {"email": "again@example.org", "role": "family", "family": family.pk},
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="again@example.org").exists()
    restore = staff.post(f"/o/{world.org.slug}/families/{family.pk}/restore/")
    assert restore.status_code == 409
    assert Family.objects.get(pk=family.pk).erased_at is not None
    assert (
        staff.post(
            f"/o/{world.org.slug}/families/{family.pk}/erasure/", {"understood": "on"}
        ).status_code
        == 400
    )


def test_an_erased_familys_record_cannot_be_changed_again(world):
    family = world.objects["family"]
    request_and_approve(world)
    staff = client_for(world.staff_user)
    base = f"/o/{world.org.slug}/families/{family.pk}"
    shown = FamilyForm(instance=Family.objects.get(pk=family.pk), organization=world.org)
    edit_form = {f"family-{k}": "" if v is None else v for k, v in shown.initial.items()}
    posts = {
        f"{base}/edit/": {**edit_form, "family-name": "Named again"},
        f"{base}/move/": {"move-group": ""},
        f"{base}/members/": {"first_name": "Someone", "is_adult": "on"},
    }
    for url, data in posts.items():
        response = staff.post(url, data)
        assert response.status_code == 409, url
        assert "cannot change" in response.content.decode()
    erased = Family.objects.get(pk=family.pk)
    assert (erased.name, erased.group_id) == (f"Erased family {family.pk}", family.group_id)
    assert not erased.members.exists()


def test_the_admin_list_does_not_grow_in_queries_with_rows(world, django_assert_max_num_queries):
    families = [f.FamilyFactory(group=world.objects["group"]) for _ in range(6)]
    for family in families:
        ErasureRequest.objects.create(organization=world.org, family=family)
    admin = client_for(world.admin_user)
    admin.get(f"/o/{world.org.slug}/erasures/")
    with django_assert_max_num_queries(10):
        body = admin.get(f"/o/{world.org.slug}/erasures/").content.decode()
    assert all(family.name in body for family in families)
