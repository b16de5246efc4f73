"""PostgreSQL binary COPY, decoded and encoded with numpy: no Python object per row or value.

Pure functions: bytes and arrays in, arrays and bytes out; no database.

Reading. When every selected value has a fixed width (``fixed_width_select`` replaces NULL by a
sentinel in SQL and pads text), every row of the stream has the same length, so the whole
stream is parsed as one numpy structured array.
Writing. Rows are laid out side by side in a byte matrix; the bytes of NULL values and of the
unused tail of text are dropped with one boolean mask, leaving exactly the variable-length rows.

Format: https://www.postgresql.org/docs/15/sql-copy.html (section "Binary Format").
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)

# Binary COPY sends a date as days since 2000-01-01, and 'infinity' as the largest int32.
PG_EPOCH = np.datetime64("2000-01-01", "D")
DATE_INFINITY = np.iinfo(np.int32).max

# Big-endian layout of each kind on the wire.
WIRE: dict[str, str] = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "u1", "date": ">i4"}

# Each kind read back as a fixed-width SQL expression of the subquery column ``q."name"``.
_FIXED_SQL: dict[str, str] = {
    "int8": 'COALESCE(q."{name}", 0)::int8',
    "int4": 'COALESCE(q."{name}", 0)::int4',
    "float8": "COALESCE(q.\"{name}\"::float8, 'NaN'::float8)",
    "bool": 'COALESCE(q."{name}", false)',
    "date": "COALESCE(q.\"{name}\", 'infinity'::date)",
    # Padded with spaces then cut to exactly ``width`` bytes, whatever the characters.
    "text": "substring(convert_to(COALESCE(q.\"{name}\", '') || repeat(' ', {width}), 'UTF8') "
    "from 1 for {width})",
}


@dataclass(frozen=True)
class Col:
    """A column of a COPY stream: its name, kind (a key of WIRE, or "text") and nullability.

    A nullable integer uses 0 for NULL when read (ids start at 1), and comes back as Int64.
    Text is read with a fixed width in bytes, trailing spaces dropped: longer values are cut, so
    keep it to short labels.
    """

    name: str
    kind: str
    null: bool = False
    width: int = 16


class CopyFormatError(ValueError):
    """The stream is not the fixed-width binary COPY that was expected."""


# --- reading ----------------------------------------------------------------------------------


def fixed_width_select(sql: str, columns: Sequence[Col]) -> str:
    """Wrap a SELECT so that each of ``columns`` comes out with a fixed width, NULL as sentinel."""
    exprs = [_FIXED_SQL[c.kind].format(name=c.name, width=c.width) for c in columns]
    return f"SELECT {', '.join(exprs)} FROM ({sql}) AS q"  # noqa: S608 - names come from code


def row_dtype(columns: Sequence[Col]) -> np.dtype[Any]:
    """Return the structured dtype of one fixed-width binary COPY row."""
    fields: list[tuple[str, str]] = [("_fields", ">i2")]
    for i, col in enumerate(columns):
        wire = f"S{col.width}" if col.kind == "text" else WIRE[col.kind]
        fields += [(f"_len{i}", ">i4"), (col.name, wire)]
    return np.dtype(fields)


def _body(buffer: bytes | bytearray | memoryview) -> memoryview:
    data = memoryview(buffer)
    if bytes(data[: len(SIGNATURE)]) != SIGNATURE or bytes(data[-2:]) != TRAILER:
        raise CopyFormatError("not a complete binary COPY stream")
    (extension,) = struct.unpack_from("!i", data, len(SIGNATURE) + 4)
    return data[len(HEADER) + extension : len(data) - len(TRAILER)]


def _check_widths(rows: np.ndarray, columns: Sequence[Col]) -> None:
    if rows.size and not (rows["_fields"] == len(columns)).all():
        raise CopyFormatError("unexpected number of fields in a row")
    for i, col in enumerate(columns):
        width = rows.dtype.fields[col.name][0].itemsize  # type: ignore[index]
        if rows.size and not (rows[f"_len{i}"] == width).all():
            raise CopyFormatError(f"column {col.name} is NULL or not {width} bytes wide")


def _native(values: np.ndarray, col: Col) -> Any:
    if col.kind == "text":
        text = np.char.decode(np.char.rstrip(values, b" "), "utf-8", errors="ignore")
        return pd.array(text, dtype="string")
    if col.kind == "date":
        days = values.astype("int64")
        out = PG_EPOCH + days.astype("timedelta64[D]")
        out[days == DATE_INFINITY] = np.datetime64("NaT")
        return out
    if col.kind == "bool":
        return values.astype(bool)
    if col.kind == "float8":
        return values.astype("float64")
    ints = values.astype("int64")
    return pd.arrays.IntegerArray(ints, mask=ints == 0) if col.null else ints


def decode(buffer: bytes | bytearray | memoryview, columns: Sequence[Col]) -> dict[str, Any]:
    """Return one native array per column of a fixed-width binary COPY stream."""
    body = _body(buffer)
    dtype = row_dtype(columns)
    if len(body) % dtype.itemsize:
        raise CopyFormatError("rows are not fixed-width: a NULL or a wider value slipped in")
    rows = np.frombuffer(body, dtype=dtype)
    _check_widths(rows, columns)
    return {col.name: _native(rows[col.name], col) for col in columns}


# --- writing ----------------------------------------------------------------------------------


def _fixed_block(kind: str, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return the (rows, width) big-endian bytes of a fixed-width column and its NULL mask."""
    null = values.isna().to_numpy(dtype=bool)
    if kind == "float8":
        native = values.to_numpy(dtype="float64", na_value=np.nan)
        null = null | np.isnan(native)
    elif kind == "bool":
        native = values.to_numpy(dtype=bool, na_value=False)
    else:
        native = values.to_numpy(dtype="int64", na_value=0)
    wire = np.ascontiguousarray(native.astype(WIRE[kind]))
    return wire.view(np.uint8).reshape(len(values), -1), null


def _text_block(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the padded UTF-8 bytes of a text column, the bytes used per row and its NULL mask."""
    null = values.isna().to_numpy(dtype=bool)
    text = values.astype(object).where(~null, "").to_numpy(dtype=str)
    encoded = np.char.encode(text, "utf-8") if len(text) else np.zeros(0, dtype="S1")
    width = max(encoded.dtype.itemsize, 1)
    used = np.char.str_len(encoded).astype("int64") if len(text) else np.zeros(0, "int64")
    block = np.ascontiguousarray(encoded.astype(f"S{width}")).view(np.uint8)
    return block.reshape(len(values), width), used, null


def _column_blocks(kind: str, values: pd.Series) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the length and data blocks of one column, and which of their bytes to keep."""
    n = len(values)
    if kind == "text":
        data, used, null = _text_block(values)
    else:
        data, null = _fixed_block(kind, values)
        used = np.full(n, data.shape[1], dtype="int64")
    used = np.where(null, 0, used)
    lengths = np.where(null, -1, used).astype(">i4").view(np.uint8).reshape(n, 4)
    keep = np.arange(data.shape[1]) < used[:, None]
    return [lengths, data], [np.ones((n, 4), dtype=bool), keep]


def encode_rows(columns: Sequence[tuple[str, pd.Series]]) -> bytes:
    """Return the binary COPY rows (no header or trailer) of ``(kind, values)`` columns."""
    n = len(columns[0][1]) if columns else 0
    count = np.full(n, len(columns), dtype=">i2").view(np.uint8).reshape(n, 2)
    blocks, keeps = [count], [np.ones((n, 2), dtype=bool)]
    for kind, values in columns:
        column_blocks, column_keeps = _column_blocks(kind, pd.Series(values).reset_index(drop=True))
        blocks += column_blocks
        keeps += column_keeps
    return np.hstack(blocks)[np.hstack(keeps)].tobytes()


def encode(columns: Sequence[tuple[str, pd.Series]]) -> bytes:
    """Return a whole binary COPY stream of ``(kind, values)`` columns; NaN and NA become NULL."""
    return HEADER + encode_rows(columns) + TRAILER
