import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from freezegun import freeze_time

from journals.models import (
    EntryStatus,
    GoalUpdate,
    JournalEntry,
    JournalRevision,
    Stipend,
)
from tests import factories as f
from tests.conftest import build_world, client_for
from tests.data import JOURNAL_ANSWERS

pytestmark = pytest.mark.django_db

# The world's family joined in January 2024 and submitted June 2024 on 3 July.
JULY = "/o/alpha/family/journal/2024-7/"
JUNE = "/o/alpha/family/journal/2024-6/"


def answers(**overrides):  # type: ignore[no-untyped-def]
    data = dict(JOURNAL_ANSWERS)
    data.update(overrides)
    return data


@pytest.fixture
def family(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.family_user)


@freeze_time("2024-07-05 17:00")
def test_it_opens_the_month_being_reported_on(family):
    response = family.get("/o/alpha/family/journal/")
    assert response["Location"] == JUNE


@freeze_time("2024-07-05 17:00")
def test_it_starts_a_new_month_from_last_months_answers(family):
    body = family.get(JULY).content.decode()
    assert 'name="income_wages" value="2100"' in body
    assert 'name="savings_balance" value="300"' in body
    assert "No change since last month" in body
    assert "plotly" not in body


@freeze_time("2024-07-05 17:00")
def test_a_draft_keeps_exactly_what_was_typed(family, world_a):
    response = family.post(JULY, {**answers(savings_balance="three hundred"), "action": "draft"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(family=world_a.objects["family"], period=dt.date(2024, 7, 1))
    assert entry.status == EntryStatus.DRAFT
    assert entry.income_wages == 2400
    assert entry.savings_balance is None
    assert entry.draft == {"savings_balance": "three hundred"}
    body = family.get(JULY).content.decode()
    assert 'value="three hundred"' in body
    assert "Enter a number." in body


@freeze_time("2024-07-05 17:00")
def test_a_failed_submit_loses_nothing_and_says_what_to_fix(family, world_a):
    response = family.post(JULY, {**answers(debt_total="-5", income_wages=""), "action": "submit"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Some answers need attention" in body
    assert "Ensure this value is greater than or equal to 0" in body
    assert "Please answer this; 0 is fine." in body
    assert 'aria-describedby="id_debt_total_helptext id_debt_total_error"' in body
    assert '<p class="error" id="id_debt_total_error">Ensure this value' in body
    entry = JournalEntry.objects.get(family=world_a.objects["family"], period=dt.date(2024, 7, 1))
    assert entry.status == EntryStatus.DRAFT
    assert entry.draft == {"debt_total": "-5"}
    assert entry.income_benefits == 150
    # The page shown again still asks about the goals (their notes were not read to save).
    goal = world_a.objects["goal"]
    assert f'name="goal_{goal.pk}"' in body


@freeze_time("2024-07-05 17:00")
def test_a_failed_submit_shows_the_goal_notes_typed(family, world_a):
    goal = world_a.objects["goal"]
    data = {**answers(income_wages=""), f"goal_{goal.pk}": "Half way <b>", "action": "submit"}
    body = family.post(JULY, data).content.decode()
    assert "Half way &lt;b&gt;</textarea>" in body
    update = GoalUpdate.objects.get(goal=goal, period=dt.date(2024, 7, 1))
    assert update.note == "Half way <b>"


@freeze_time("2024-07-05 17:00")
def test_submitting_saves_the_month_and_earns_the_stipend(family, world_a):
    response = family.post(JULY, {**answers(), "action": "submit"})
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/family/"
    entry = JournalEntry.objects.get(family=world_a.objects["family"], period=dt.date(2024, 7, 1))
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.total_income == 2550
    assert entry.submitted_by == world_a.family_user
    stipend = Stipend.objects.get(entry=entry)
    assert stipend.amount == 100
    body = family.get("/o/alpha/family/").content.decode()
    assert "is submitted" in body
    assert "You earned 100" in body


@freeze_time("2024-07-05 17:00")
def test_no_stipend_when_the_organization_pays_none(family, world_a):
    world_a.org.stipend_amount = 0
    world_a.org.save()
    family.post(JULY, {**answers(), "action": "submit"})
    assert not Stipend.objects.filter(period=dt.date(2024, 7, 1)).exists()


@freeze_time("2024-07-05 17:00")
def test_a_double_submit_makes_one_entry_and_no_revision(family, world_a):
    family.post(JULY, {**answers(), "action": "submit"})
    second = family.post(JULY, {**answers(), "action": "submit"})
    assert second.status_code == 302
    assert JournalEntry.objects.filter(period=dt.date(2024, 7, 1)).count() == 1
    assert JournalRevision.objects.count() == 0
    assert Stipend.objects.filter(period=dt.date(2024, 7, 1)).count() == 1


@freeze_time("2024-07-05 17:00")
def test_a_correction_keeps_the_earlier_values(family, world_a):
    response = family.post(JUNE, {**answers(income_wages="2222"), "action": "submit"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(pk=world_a.objects["entry"].pk)  # type: ignore[attr-defined]
    assert entry.income_wages == 2222
    revision = JournalRevision.objects.get(entry=entry)
    assert revision.values["income_wages"] == 2100
    assert revision.changed_by == world_a.family_user


@freeze_time("2024-08-20 17:00")
def test_it_refuses_a_correction_after_the_edit_window(family, world_a):
    world_a.org.journal_edit_days = 10
    world_a.org.save()
    response = family.post(JUNE, {**answers(income_wages="1"), "action": "submit"})
    assert response.status_code == 409
    assert JournalEntry.objects.get(pk=world_a.objects["entry"].pk).income_wages == 2100  # type: ignore[attr-defined]
    body = family.get(JUNE).content.decode()
    assert "The time to correct this journal has passed" in body


@freeze_time("2024-07-05 17:00")
def test_it_refuses_a_future_month_with_a_clear_message(family):
    response = family.post("/o/alpha/family/journal/2024-8/", {**answers(), "action": "submit"})
    assert response.status_code == 400
    assert "has not started yet" in response.content.decode()
    assert not JournalEntry.objects.filter(period=dt.date(2024, 8, 1)).exists()


@freeze_time("2024-01-05 17:00")
def test_it_refuses_a_month_before_the_family_joined(family):
    response = family.get("/o/alpha/family/journal/2023-12/")
    assert response.status_code == 400
    assert "before your family joined" in response.content.decode()


@freeze_time("2024-07-15 17:00")
def test_it_refuses_last_month_after_its_due_day(family, world_a):
    Stipend.objects.all().delete()
    JournalEntry.objects.filter(pk=world_a.objects["entry"].pk).delete()  # type: ignore[attr-defined]
    response = family.get(JUNE)
    assert response.status_code == 400
    assert "closed" in response.content.decode()


@freeze_time("2024-07-05 17:00")
def test_nonsense_months_are_not_found(family):
    assert family.get("/o/alpha/family/journal/2024-13/").status_code == 404
    assert family.get("/o/alpha/family/journal/0-1/").status_code == 404
    assert family.get("/o/alpha/family/journal/99999999999999999999-1/").status_code == 404


@freeze_time("2024-07-05 17:00")
def test_no_change_copies_last_months_answers_for_that_section(family, world_a):
    family.post(
        JULY, {**answers(savings_balance="999"), "nochange_savings": "on", "action": "submit"}
    )
    entry = JournalEntry.objects.get(period=dt.date(2024, 7, 1))
    assert entry.savings_balance == 300


@freeze_time("2024-07-05 17:00")
def test_it_answers_absurd_and_hostile_values_with_form_errors(family):
    response = family.post(
        JULY,
        {
            **answers(
                income_wages="1e12",
                income_other="<script>alert(1)</script>",
                debt_overdue_bills="7",
            ),
            "action": "submit",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "Select a valid choice" in body
    assert "less than or equal to" in body


@freeze_time("2024-07-05 17:00")
def test_each_question_shows_its_label_control_help_and_errors(family):
    body = family.post(JULY, {**answers(income_wages="12a"), "action": "submit"}).content.decode()
    assert (
        '<div class="field has-error">\n  <label for="id_income_wages">Wages and salaries</label>'
        in body
    )
    assert (
        'aria-invalid="true" aria-describedby="id_income_wages_helptext id_income_wages_error"'
        ' id="id_income_wages">' in body
    )
    assert '<p class="help" id="id_income_wages_helptext">Take-home pay' in body
    assert '<p class="error" id="id_income_wages_error">Enter a number.</p>' in body
    # A question answered well has its help, and no error.
    assert 'aria-describedby="id_income_business_helptext" id="id_income_business">' in body
    assert 'id="id_income_business_error"' not in body


@freeze_time("2024-07-05 17:00")
def test_a_radio_question_is_a_fieldset_described_by_its_help_and_errors(family, world_a):
    code = f.IndicatorFactory(
        organization=world_a.org, kind="yesno", max_value=1, help_en="Any lesson counts."
    ).code
    body = family.post(JULY, {**answers(), code: "7", "action": "submit"}).content.decode()
    assert (
        f'<fieldset class="field radio-field has-error" id="id_{code}"'
        f' aria-describedby="id_{code}_helptext id_{code}_error">' in body
    )
    assert f'<p class="help" id="id_{code}_helptext">Any lesson counts.</p>' in body
    assert f'<p class="error" id="id_{code}_error">Select a valid choice.' in body
    assert (
        f'<label><input type="radio" name="{code}" value="1" id="id_{code}_0"'
        ' aria-invalid="true"> Yes</label>' in body
    )
    # A radio question with neither help nor error is described by nothing.
    assert (
        '<fieldset class="field radio-field" id="id_health_insured">\n'
        "  <legend>Everyone has health coverage</legend>" in body
    )


@freeze_time("2024-07-05 17:00")
def test_it_escapes_what_the_catalog_and_the_family_typed(family, world_a):
    code = f.IndicatorFactory(
        organization=world_a.org, label_en="<b>Garden</b>", help_en="<em>kg</em>"
    ).code
    data = {**answers(), code: "<script>x</script>", "action": "submit"}
    body = family.post(JULY, data).content.decode()
    assert "<b>Garden</b>" not in body and "<em>kg</em>" not in body and "<script>x" not in body
    assert f'<label for="id_{code}">&lt;b&gt;Garden&lt;/b&gt;</label>' in body
    assert f'<p class="help" id="id_{code}_helptext">&lt;em&gt;kg&lt;/em&gt;</p>' in body
    assert 'value="&lt;script&gt;x&lt;/script&gt;"' in body


@freeze_time("2024-07-05 17:00")
def test_the_questions_are_asked_in_the_familys_language(family, world_a):
    world_a.family_user.language = "es"
    world_a.family_user.save()
    body = family.get(JULY).content.decode()
    assert '<label for="id_income_wages">Sueldos y salarios</label>' in body
    assert "<legend>Hay cuentas atrasadas</legend>" in body


@freeze_time("2024-07-05 17:00")
def test_goal_progress_from_inside_the_journal_is_kept(family, world_a):
    goal = world_a.objects["goal"]
    family.post(JULY, {**answers(), f"goal_{goal.pk}": "Sold 20 tamales <b>", "action": "submit"})  # type: ignore[attr-defined]
    update = GoalUpdate.objects.get(goal=goal, period=dt.date(2024, 7, 1))
    assert update.note == "Sold 20 tamales <b>"


@freeze_time("2024-07-05 17:00")
def test_autosave_answers_in_json_and_keeps_a_draft(family):
    response = family.post(JULY + "autosave/", answers(savings_balance="12a"))
    assert response.status_code == 200
    data = response.json()
    assert data["needs_attention"] == ["savings_balance"]
    entry = JournalEntry.objects.get(period=dt.date(2024, 7, 1))
    assert entry.draft == {"savings_balance": "12a"}
    assert data["updated_at"] == entry.updated_at.isoformat()


@freeze_time("2024-07-05 17:00")
def test_autosave_refuses_a_submitted_journal(family):
    assert family.post(JUNE + "autosave/", answers()).status_code == 409


@freeze_time("2024-07-05 17:00")
def test_a_post_without_csrf_token_is_refused(world_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world_a.family_user)
    assert client.post(JULY, {**answers(), "action": "submit"}).status_code == 403
    assert not JournalEntry.objects.filter(period=dt.date(2024, 7, 1)).exists()


@freeze_time("2024-07-05 17:00")
def test_staff_cannot_use_the_family_journal(world_a):
    assert client_for(world_a.staff_user).get(JULY).status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_twenty_concurrent_submits_make_exactly_one_entry():
    world = build_world("alpha")
    user = world.family_user
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def submit() -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        statuses.append(client.post(JULY, {**answers(), "action": "submit"}).status_code)
        connection.close()

    # One freezer for all the threads: freezegun started and stopped in 20 threads at once
    # left its patches behind, and later tests failed on a frozen clock.
    with freeze_time("2024-07-05 17:00"):
        threads = [threading.Thread(target=submit) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # Every request answered (one that failed would have raised in its thread, unseen).
    assert len(statuses) == 20 and set(statuses) == {302}
    assert (
        JournalEntry.objects.filter(
            family=world.objects["family"], period=dt.date(2024, 7, 1)
        ).count()
        == 1
    )
    assert (
        Stipend.objects.filter(family=world.objects["family"], period=dt.date(2024, 7, 1)).count()
        == 1
    )


@freeze_time("2024-07-05 17:00")
def test_the_journal_keeps_its_query_count(family, django_assert_num_queries):
    # The user and the membership (with its organization and family), the month and last
    # month's entries (one query), the indicators, the open goals, the month's help.
    with django_assert_num_queries(6):
        assert family.get(JULY).status_code == 200
    # The indicators come from the cache until the catalog changes.
    with django_assert_num_queries(5):
        assert family.get(JULY).status_code == 200
    # The user and the membership; then, in the transaction (a savepoint inside the test's),
    # the month's entry read locked, its creation (savepoint, insert, release) and the update
    # (no goal note typed: no goals).
    with django_assert_num_queries(9):
        assert family.post(JULY + "autosave/", answers()).status_code == 200
    # Once the entry is there: the locked read finds it, and the save does not read it again.
    with django_assert_num_queries(6):
        assert family.post(JULY + "autosave/", answers()).status_code == 200


@freeze_time("2024-07-05 17:00")
def test_saving_a_draft_and_submitting_keep_their_query_counts(family, django_assert_num_queries):
    family.get(JULY)  # the indicators are cached from here on
    # The user and the membership; the savepoint, the locked read, the entry's creation
    # (savepoint, insert, release), the update, the release.
    with django_assert_num_queries(9):
        assert family.post(JULY, {**answers(), "action": "draft"}).status_code == 302
    with django_assert_num_queries(6):
        assert family.post(JULY, {**answers(), "action": "draft"}).status_code == 302
    # Submitting the draft: the same, and the stipend's insert in a savepoint.
    with django_assert_num_queries(9):
        assert family.post(JULY, {**answers(), "action": "submit"}).status_code == 302
    # A correction keeps the earlier values in a revision.
    with django_assert_num_queries(7):
        response = family.post(JULY, {**answers(income_wages="1"), "action": "submit"})
        assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_entry_is_held_only_inside_the_transaction_that_locked_it():
    from django.db import transaction

    from journals.services import Held, journal_save, lock_month_entry

    world = build_world("alpha")
    month = {
        "organization": world.org,
        "family": world.objects["family"],
        "period": dt.date(2024, 7, 1),
    }
    with pytest.raises(ValueError, match="inside the transaction"):
        lock_month_entry(**month)
    with pytest.raises(ValueError, match="inside the transaction"):
        journal_save(**month, actor=None, values={}, submit=False, held=Held(None))
    with freeze_time("2024-07-05 17:00"), transaction.atomic():
        held = lock_month_entry(**month)
        assert held.entry is None
        saved = journal_save(**month, actor=None, values={}, submit=False, held=held)
        assert saved.created and lock_month_entry(**month).entry == saved.entry
    assert JournalEntry.objects.filter(family=world.objects["family"]).count() >= 1


def test_create_or_read_returns_the_row_a_unique_constraint_found(world_a):
    from django.db import IntegrityError

    from journals.services import _create_or_read

    entry = world_a.objects["entry"]
    Stipend.objects.filter(entry=entry).delete()
    fields = {
        "organization": world_a.org,
        "family_id": entry.family_id,
        "period": entry.period,
        "entry": entry,
        "amount": 100,
    }
    first, created = _create_or_read(Stipend, lambda: None, **fields)
    assert created
    again, created = _create_or_read(
        Stipend, lambda: Stipend.objects.filter(entry=entry).first(), **fields
    )
    assert (again, created) == (first, False)
    assert Stipend.objects.filter(entry=entry).count() == 1
    # An integrity error with no row to read (here: a negative amount) is not hidden.
    with pytest.raises(IntegrityError):
        _create_or_read(
            Stipend, lambda: None, **{**fields, "period": dt.date(2024, 5, 1), "amount": -1}
        )
