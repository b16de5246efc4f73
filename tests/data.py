"""Plain data the tests and benchmarks/faults.py share: no Django import, so that a process
without Django's settings (the fault benchmark's driver) can use it too."""

# Every test person's password (tests.factories, tests.conftest.build_world).
PASSWORD = "a-long-test-password-42"

# A month's journal answers as a person types them into the form.
JOURNAL_ANSWERS = {
    "income_wages": "2400",
    "income_business": "0",
    "income_benefits": "150",
    "income_other": "0",
    "savings_balance": "350",
    "savings_deposited": "50",
    "debt_total": "3900",
    "debt_payments": "100",
    "debt_high_interest": "0",
    "debt_overdue_bills": "0",
    "assets_business_value": "0",
}
