from django.urls import path

from .views import costs, exports, family, family_home, home, ledger, programs, queue, review

CSV, XLSX = {"fmt": "csv"}, {"fmt": "xlsx"}

urlpatterns = [
    path("", home.staff_home, name="staff_home"),
    # The readiness queue and the decisions on it
    path("queue/", queue.flag_queue, name="flag_queue"),
    path("queue/export.csv", exports.queue_export, CSV, name="queue_export_csv"),
    path("queue/export.xlsx", exports.queue_export, XLSX, name="queue_export_xlsx"),
    path("queue/<int:flag_id>/", review.flag_detail, name="flag_detail"),
    path("decisions/", exports.decision_log, name="decision_log"),
    path("decisions/export.csv", exports.decisions_export, CSV, name="decisions_export_csv"),
    path("decisions/export.xlsx", exports.decisions_export, XLSX, name="decisions_export_xlsx"),
    # The ledger
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/export.csv", exports.ledger_export, CSV, name="ledger_export_csv"),
    path("ledger/export.xlsx", exports.ledger_export, XLSX, name="ledger_export_xlsx"),
    path(
        "ledger/payments/<int:disbursement_id>/",
        ledger.disbursement_status,
        name="disbursement_status",
    ),
    path("ledger/loans/<int:loan_id>/", ledger.loan_detail, name="loan_detail"),
    # Programs, rules and costs
    path("programs/", programs.program_list, name="program_list"),
    path("programs/new/", programs.program_create, name="program_create"),
    path("programs/<int:program_id>/", programs.program_edit, name="program_edit"),
    path("programs/<int:program_id>/rules/new/", programs.rule_create, name="rule_create"),
    path("programs/<int:program_id>/rules/<int:rule_id>/", programs.rule_edit, name="rule_edit"),
    path(
        "programs/<int:program_id>/rules/<int:rule_id>/delete/",
        programs.rule_remove,
        name="rule_delete",
    ),
    path("costs/", costs.cost_list, name="cost_list"),
    path("costs/<int:cost_id>/delete/", costs.cost_remove, name="cost_delete"),
    # The family's own pages
    path("family/", family_home.family_home, name="family_home"),
    path("family/capital/", family.family_capital, name="family_capital"),
    path("family/capital/<int:flag_id>/answer/", family.family_answer, name="family_answer"),
]
