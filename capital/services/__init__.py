"""Writes of the capital app, by topic; import them from here."""

from .decisions import FlagConflict, Terms, flag_answer, flag_decide
from .defaults import DEFAULT_PROGRAMS, programs_install_defaults
from .ledger import disbursement_set_status, loan_set_status, repayment_record
from .nightly import flags_refresh
from .programs import (
    cost_create,
    cost_delete,
    program_save,
    rule_delete,
    rule_save,
)

__all__ = [
    "DEFAULT_PROGRAMS",
    "FlagConflict",
    "Terms",
    "cost_create",
    "cost_delete",
    "disbursement_set_status",
    "flag_answer",
    "flag_decide",
    "flags_refresh",
    "loan_set_status",
    "program_save",
    "programs_install_defaults",
    "repayment_record",
    "rule_delete",
    "rule_save",
]
