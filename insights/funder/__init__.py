"""The figures funders see, built from snapshots, journals and ledgers, published safely.

Every table is computed over the families counted for funders (consent to aggregate reporting
in force, see insights.anonymize), in pandas, and leaves this module only through
``insights.anonymize.publish_by_organization``: no per-family row goes out. The inputs are read
in a fixed number of queries whatever the number of families (see :func:`load_inputs`).

Tables (the names of the CSV exports):

- ``organizations``: families counted, and the share who reported last month;
- ``trajectories``: by cohort (year of joining) and months since joining, the median monthly
  income, savings and debt, the share above the poverty line for the household's size, and the
  share that had reached at least one of their own goals;
- ``mutuality``: confirmed help between counted families in the last 12 months, by kind;
- ``capital``: committed, paid, repaid and in arrears, by program (from capital's provider);
- ``deviants``: positive deviants of the latest nightly run, and how their peers are doing;
- ``costs``: of every dollar spent, the share that reached families directly, and the cost
  per family per month.

Each table has an "all organizations" level summing the organizations with enough families.
"""

from .constants import TABLES
from .inputs import Inputs, load_inputs
from .rows import (
    FunderTables,
    OrganizationSummary,
    export_columns,
    funder_tables,
    organization_summaries,
    summaries_from,
    table_rows,
)

__all__ = [
    "TABLES",
    "FunderTables",
    "Inputs",
    "OrganizationSummary",
    "export_columns",
    "funder_tables",
    "load_inputs",
    "organization_summaries",
    "summaries_from",
    "table_rows",
]
