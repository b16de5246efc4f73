"""Readiness rules on hand-built frames: no database."""

import numpy as np
import pandas as pd
import pytest

from capital.metrics import (
    FAMILY_METRICS,
    GROUP_METRICS,
    METRICS,
    format_value,
    requirement_text,
)
from capital.models import Operator
from capital.rules import OPERATORS, RuleSpec, evaluate
from insights.deviance import DEVIANCE_COLUMNS
from insights.features import FAMILY_COLUMNS, GROUP_COLUMNS


def frame(**columns):  # type: ignore[no-untyped-def]
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"family_id": range(1, n + 1), **columns})


def by_id(result: pd.DataFrame) -> pd.DataFrame:
    return result.set_index("family_id")


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        (">=", [False, True, True]),
        (">", [False, False, True]),
        ("<=", [True, True, False]),
        ("<", [True, False, False]),
        ("==", [False, True, False]),
        ("!=", [True, False, True]),
    ],
)
def test_it_applies_each_operator(operator, expected):
    result = evaluate(
        [RuleSpec("months_reported", operator, 6)], frame(months_reported=[5, 6, 7]), "family_id"
    )
    assert result["all_met"].tolist() == expected
    assert [e[0]["met"] for e in result["evidence"]] == expected


def test_it_treats_equality_with_a_float_tolerance():
    values = frame(savings_rate=[0.1 + 0.2, 0.3000001])
    result = evaluate([RuleSpec("savings_rate", "==", 0.3)], values, "family_id")
    assert result["all_met"].tolist() == [True, False]


@pytest.mark.parametrize("operator", list(OPERATORS))
def test_a_missing_value_never_meets_a_criterion(operator):
    values = frame(debt_to_income=[np.nan, None, np.inf])
    result = evaluate([RuleSpec("debt_to_income", operator, 1.0)], values, "family_id")
    assert not result["all_met"].any()
    assert (result["score"] == 0).all()
    assert [e[0]["value"] for e in result["evidence"]] == [None, None, None]
    assert [e[0]["met"] for e in result["evidence"]] == [False, False, False]


def test_it_reads_nullable_integer_and_boolean_columns():
    values = frame(
        months_reported=pd.array([9, pd.NA], dtype="Int64"),
        is_positive_deviant=pd.array([True, pd.NA], dtype="boolean"),
    )
    rules = [RuleSpec("months_reported", ">=", 6), RuleSpec("is_positive_deviant", "==", 1)]
    result = by_id(evaluate(rules, values, "family_id"))
    assert result.loc[1, "all_met"]
    assert not result.loc[2, "all_met"]
    assert result.loc[1, "evidence"][1]["value"] == 1.0
    assert result.loc[2, "evidence"][0]["value"] is None


def test_all_criteria_must_hold():
    values = frame(months_reported=[9, 9, 2], consecutive_months=[4, 1, 4])
    rules = [RuleSpec("months_reported", ">=", 6), RuleSpec("consecutive_months", ">=", 3)]
    result = evaluate(rules, values, "family_id")
    assert result["all_met"].tolist() == [True, False, False]
    assert result["met_count"].tolist() == [2, 1, 1]


def test_the_score_is_50_at_the_threshold_and_100_comfortably_past_it():
    values = frame(months_reported=[6, 9, 12, 40, 5])
    result = evaluate([RuleSpec("months_reported", ">=", 6, scale=6)], values, "family_id")
    assert result["score"].tolist() == pytest.approx([50.0, 75.0, 100.0, 100.0, 0.0])


def test_the_score_rewards_being_further_below_a_ceiling():
    values = frame(debt_to_income=[1.5, 1.0, 0.0, 2.0])
    result = evaluate([RuleSpec("debt_to_income", "<=", 1.5, scale=1.0)], values, "family_id")
    assert result["score"].tolist() == pytest.approx([50.0, 75.0, 100.0, 0.0])


def test_the_score_is_the_mean_over_criteria_and_stays_within_0_and_100():
    rng = np.random.default_rng(7)
    values = frame(
        months_reported=rng.integers(0, 40, 500),
        savings_rate=rng.normal(0.05, 0.2, 500),
        is_positive_deviant=rng.integers(0, 2, 500).astype(bool),
    )
    values.loc[::13, "savings_rate"] = np.nan
    rules = [
        RuleSpec("months_reported", ">=", 6, scale=6),
        RuleSpec("savings_rate", ">", 0.05, scale=0.05),
        RuleSpec("is_positive_deviant", "==", 1),
    ]
    result = evaluate(rules, values, "family_id")
    assert result["score"].between(0, 100).all()
    assert (result.loc[result["all_met"], "score"] >= 50).all()
    one = evaluate(rules, values.iloc[[0]], "family_id")
    row = values.iloc[0]
    strengths = [
        0.0 if row.months_reported < 6 else 0.5 + 0.5 * min((row.months_reported - 6) / 6, 1),
        0.0
        if not row.savings_rate > 0.05
        else 0.5 + 0.5 * min((row.savings_rate - 0.05) / 0.05, 1),
        1.0 if row.is_positive_deviant else 0.0,
    ]
    assert one["score"].iloc[0] == pytest.approx(100 * sum(strengths) / 3)


def test_the_evidence_lists_every_criterion_with_the_value_seen():
    values = frame(months_reported=[8], income_slope_12m=[-3.5])
    rules = [
        RuleSpec("months_reported", ">=", 6, label="Reported at least 6 months"),
        RuleSpec("income_slope_12m", ">", 0, label="Income growing"),
    ]
    evidence = evaluate(rules, values, "family_id")["evidence"].iloc[0]
    assert evidence == [
        {
            "metric": "months_reported",
            "label": "Reported at least 6 months",
            "operator": ">=",
            "threshold": 6.0,
            "value": 8.0,
            "met": True,
        },
        {
            "metric": "income_slope_12m",
            "label": "Income growing",
            "operator": ">",
            "threshold": 0.0,
            "value": -3.5,
            "met": False,
        },
    ]
    assert all(type(item["value"]) is float and type(item["met"]) is bool for item in evidence)
    assert all(type(item["threshold"]) is float for item in evidence)


def test_a_program_without_criteria_qualifies_nobody():
    result = evaluate([], frame(months_reported=[40]), "family_id")
    assert result["all_met"].tolist() == [False]
    assert result["evidence"].tolist() == [[]]


def test_it_keeps_the_ids_and_handles_an_empty_frame():
    values = pd.DataFrame({"group_id": [30, 10], "share_reporting": [0.8, 0.5]})
    result = evaluate([RuleSpec("share_reporting", ">=", 0.75)], values, "group_id")
    assert result.set_index("group_id")["all_met"].to_dict() == {30: True, 10: False}
    empty = evaluate([RuleSpec("share_reporting", ">=", 0.75)], values.iloc[:0], "group_id")
    assert list(empty.columns) == ["group_id", "all_met", "met_count", "score", "evidence"]
    assert len(empty) == 0


def test_it_refuses_a_frame_without_the_metric():
    # Silently treating it as missing would expire every flag of the program.
    with pytest.raises(KeyError, match="savings_rate"):
        evaluate([RuleSpec("savings_rate", ">=", 0.05)], frame(months_reported=[1]), "family_id")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operator": "=>"}, "operator"),
        ({"threshold": float("nan")}, "finite"),
        ({"threshold": float("inf")}, "finite"),
        ({"scale": 0.0}, "scale"),
    ],
)
def test_a_rule_spec_refuses_nonsense(kwargs, message):
    fields = {"metric": "months_reported", "operator": ">=", "threshold": 6.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        RuleSpec(**fields)


# --- the metric catalogue -----------------------------------------------------------------------


def test_every_family_metric_is_a_snapshot_column():
    columns = set(FAMILY_COLUMNS) | set(DEVIANCE_COLUMNS)
    assert {m.name for m in FAMILY_METRICS} <= columns
    assert {"growth_percentile", "margin", "is_positive_deviant"} <= {
        m.name for m in FAMILY_METRICS
    }


def test_every_group_metric_is_a_group_snapshot_column():
    assert {m.name for m in GROUP_METRICS} <= set(GROUP_COLUMNS) - {"group_id"}


def test_identifiers_are_not_metrics():
    assert not {"family_id", "group_id", "peer_group", "n_absurd"} & set(METRICS)


def test_every_metric_has_labels_in_both_languages_and_a_scale():
    for metric in METRICS.values():
        assert metric.label_en and metric.label_es and metric.label_en != metric.label_es
        assert metric.scale > 0


def test_the_model_offers_exactly_the_operators_the_engine_knows():
    assert set(Operator.values) == set(OPERATORS)


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        ("months_reported", 8, "8"),
        ("savings_rate", 0.05, "5%"),
        ("income_change_pct", 12.4, "12%"),
        ("income_3m", 2345.6, "2,346 USD"),
        ("income_slope_12m", 35, "35 USD a month"),
        ("debt_to_income", 1.5, "1.5"),
        ("help_given_hours", 20, "20 hours"),
        ("is_positive_deviant", 1, "yes"),
        ("is_positive_deviant", 0, "no"),
        ("months_reported", None, "—"),
        ("months_reported", float("nan"), "—"),
    ],
)
def test_it_formats_values_as_a_family_would_say_them(metric, value, text):
    assert format_value(METRICS[metric], value, "USD") == text


def test_it_writes_a_criterion_in_plain_language():
    assert requirement_text(METRICS["months_reported"], ">=", 6) == "Months reported: at least 6"
    assert (
        requirement_text(METRICS["debt_to_income"], "<=", 1.5)
        == "Debt compared with monthly income: at most 1.5"
    )
    assert requirement_text(METRICS["is_positive_deviant"], "==", 1).endswith(": yes")
    assert requirement_text(METRICS["is_positive_deviant"], "!=", 1).endswith(": no")


@pytest.mark.parametrize(
    ("value", "text"), [(0.9, "0.9"), (0.25, "0.25"), (2, "2"), (1.504, "1.5")]
)
def test_it_shows_a_ratio_with_no_more_decimals_than_it_needs(value, text):
    assert format_value(METRICS["debt_to_income"], value) == text


def test_it_does_not_write_into_the_callers_frame():
    values = frame(debt_to_income=[np.inf, 1.0])
    evaluate([RuleSpec("debt_to_income", "<=", 1.5)], values, "family_id")
    assert values["debt_to_income"].tolist() == [np.inf, 1.0]
