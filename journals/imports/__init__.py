"""Import families and their past journals from CSV files, all or nothing.

Two files, each optional: one row per household (families), and one row per household and
month (journals, one column per indicator code). Every row is checked, and every problem
reported with its row and column, before anything is written; the writing is one
transaction of bulk inserts. With "skip the bad rows", the good rows are written and the
bad ones reported.

Re-importing is safe and changes nothing already there: a household whose name exists in the
organization is kept as it is (its row is counted as "already there"), and a month that
already has a journal is kept as it is. A family's own journal is never overwritten by a
spreadsheet; corrections are made in fii. Imported journals are submitted, and earn no
stipend.

This module lives in journals, not families: it writes journal entries, and families may not
import journals (the apps depend one way only).
"""

from .checks import CheckResult, Problem, check
from .files import (
    FAMILY_OPTIONAL,
    FAMILY_REQUIRED,
    JOURNAL_REQUIRED,
    MAX_IMPORT_BYTES,
    ImportFileError,
    count_rows,
    decode_upload,
    families_template,
    journals_template,
)
from .jobs import import_jobs_waiting, import_run
from .writing import import_write

__all__ = [
    "FAMILY_OPTIONAL",
    "FAMILY_REQUIRED",
    "JOURNAL_REQUIRED",
    "MAX_IMPORT_BYTES",
    "CheckResult",
    "ImportFileError",
    "Problem",
    "check",
    "count_rows",
    "decode_upload",
    "families_template",
    "import_jobs_waiting",
    "import_run",
    "import_write",
    "journals_template",
]
