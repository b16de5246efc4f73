"""Binary COPY encoded and decoded with numpy; the round trip through PostgreSQL when present."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from insights.pgcopy import (
    HEADER,
    TRAILER,
    Col,
    CopyFormatError,
    decode,
    encode,
    encode_rows,
    fixed_width_select,
)

NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL COPY"
)


def test_it_encodes_one_row_as_the_binary_format_says() -> None:
    rows = encode_rows(
        [
            ("int8", pd.Series([7])),
            ("int4", pd.Series([3])),
            ("float8", pd.Series([np.nan])),
            ("bool", pd.Series([True])),
            ("text", pd.Series(["ab"])),
        ]
    )

    expected = (
        struct.pack("!h", 5)
        + struct.pack("!iq", 8, 7)
        + struct.pack("!ii", 4, 3)
        + struct.pack("!i", -1)  # NaN is NULL: a length of -1 and no bytes
        + struct.pack("!i?", 1, True)
        + struct.pack("!i", 2)
        + b"ab"
    )
    assert rows == expected


def test_it_writes_missing_integers_and_text_as_null() -> None:
    rows = encode_rows(
        [("int8", pd.Series([None, 2], dtype="Int64")), ("text", pd.Series([None, "é"]))]
    )

    assert rows == (
        struct.pack("!hi", 2, -1)
        + struct.pack("!i", -1)
        + struct.pack("!hiq", 2, 8, 2)
        + struct.pack("!i", 2)
        + "é".encode()
    )


def test_a_fixed_width_stream_decodes_to_native_arrays() -> None:
    columns = [Col("id", "int8"), Col("x", "float8"), Col("ok", "bool"), Col("n", "int4")]
    stream = encode(
        [
            ("int8", pd.Series([1, 2, 3])),
            ("float8", pd.Series([1.5, -2.0, 0.0])),
            ("bool", pd.Series([True, False, True])),
            ("int4", pd.Series([10, 20, 30])),
        ]
    )

    data = decode(stream, columns)

    assert data["id"].tolist() == [1, 2, 3]
    assert data["id"].dtype == np.int64
    assert data["x"].tolist() == [1.5, -2.0, 0.0]
    assert data["ok"].tolist() == [True, False, True]
    assert data["n"].tolist() == [10, 20, 30]


def test_it_reads_sentinels_back_as_missing_values() -> None:
    columns = [Col("group_id", "int8", null=True), Col("day", "date")]
    stream = (
        HEADER
        + struct.pack("!hiqii", 2, 8, 0, 4, np.iinfo(np.int32).max)
        + struct.pack("!hiqii", 2, 8, 5, 4, 9)
        + TRAILER
    )

    data = decode(stream, columns)

    assert data["group_id"].tolist() == [pd.NA, 5]
    assert np.isnat(data["day"][0])
    assert data["day"][1] == np.datetime64("2000-01-10")


def test_it_refuses_a_stream_with_a_null_or_a_wrong_width() -> None:
    with_null = encode([("int8", pd.Series([1, None], dtype="Int64"))])
    with pytest.raises(CopyFormatError):
        decode(with_null, [Col("id", "int8")])
    with pytest.raises(CopyFormatError):
        decode(encode([("int4", pd.Series([1]))]), [Col("id", "int8")])
    with pytest.raises(CopyFormatError):
        decode(b"not a copy stream", [Col("id", "int8")])


def test_an_empty_stream_has_no_rows() -> None:
    data = decode(HEADER + TRAILER, [Col("id", "int8"), Col("label", "text")])

    assert len(data["id"]) == 0
    assert len(data["label"]) == 0


def test_fixed_width_select_wraps_every_column() -> None:
    sql = fixed_width_select("SELECT a, b FROM t", [Col("a", "float8"), Col("b", "text", width=4)])

    assert sql.startswith("SELECT COALESCE(q.\"a\"::float8, 'NaN'::float8), ")
    assert "from 1 for 4" in sql
    assert sql.endswith("FROM (SELECT a, b FROM t) AS q")


@NEEDS_POSTGRES
@pytest.mark.django_db
def test_it_round_trips_through_postgresql() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.array([1, None, 3], dtype="Int64"),
            "b": [1, 2, 3],
            "c": [1.5, np.nan, -2.0],
            "d": [True, False, True],
            "e": ["inc:1|hh:2", None, "ñx"],
        }
    )
    columns = [
        Col("a", "int8", null=True),
        Col("b", "int4"),
        Col("c", "float8"),
        Col("d", "bool"),
        Col("e", "text"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t (a bigint, b int, c float8, d bool, e varchar(16))")
        with cursor.cursor.copy("COPY t (a, b, c, d, e) FROM STDIN (FORMAT binary)") as copy:
            copy.write(encode([(c.kind, frame[c.name]) for c in columns]))
        cursor.execute("SELECT a, b, c, d, e FROM t ORDER BY b")
        assert cursor.fetchall() == [
            (1, 1, 1.5, True, "inc:1|hh:2"),
            (None, 2, None, False, None),
            (3, 3, -2.0, True, "ñx"),
        ]
        statement = fixed_width_select("SELECT * FROM t ORDER BY b", columns)
        stream = bytearray()
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT binary)") as copy:
            for chunk in copy:
                stream += chunk

    data = decode(stream, columns)

    assert data["a"].tolist() == [1, pd.NA, 3]
    assert np.isnan(data["c"][1])
    assert data["e"].tolist() == ["inc:1|hh:2", "", "ñx"]
