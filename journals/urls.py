from django.urls import path

from .views import dashboard, data, family, goals, help, journal
from .views import exports as export_views
from .views import imports as import_views
from .views import settings as settings_views

urlpatterns = [
    path("families/<int:family_id>/", family.family_detail, name="family_detail"),
    path("families/<int:family_id>/edit/", family.family_edit, name="family_edit"),
    path("family/journal/", journal.journal_current, name="journal_current"),
    path("family/journal/<int:year>-<int:month>/", journal.journal_month, name="journal_month"),
    path(
        "family/journal/<int:year>-<int:month>/autosave/",
        journal.journal_autosave,
        name="journal_autosave",
    ),
    path("family/progress/", dashboard.dashboard, name="family_dashboard"),
    path("family/goals/", goals.goal_list, name="goal_list"),
    path("family/goals/new/", goals.goal_create, name="goal_create"),
    path("family/goals/<int:goal_id>/", goals.goal_detail, name="goal_detail"),
    path("family/goals/<int:goal_id>/progress/", goals.goal_progress, name="goal_progress"),
    path("family/goals/<int:goal_id>/status/", goals.goal_status, name="goal_status"),
    path("family/help/", help.help_list, name="help_list"),
    path("family/help/<int:help_id>/confirm/", help.help_confirm_view, name="help_confirm"),
    path("family/stipends/", data.stipend_list, name="stipend_list"),
    path("family/settings/", data.family_settings, name="family_settings"),
    path("family/data.json", data.data_json, name="family_data_json"),
    path("family/data.csv.zip", data.data_csv, name="family_data_csv"),
]

# Staff console: settings and catalog (org admins), stipend payouts, import_views.
urlpatterns += [
    path("settings/", settings_views.org_settings, name="org_settings"),
    path("settings/indicators/", settings_views.indicator_list, name="indicator_list"),
    path("settings/indicators/new/", settings_views.indicator_create, name="indicator_create"),
    path(
        "settings/indicators/<int:indicator_id>/",
        settings_views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "settings/indicators/<int:indicator_id>/toggle/",
        settings_views.indicator_toggle,
        name="indicator_toggle",
    ),
    path(
        "settings/indicators/<int:indicator_id>/delete/",
        settings_views.indicator_remove,
        name="indicator_remove",
    ),
    path("stipends/", export_views.stipend_months, name="stipend_months"),
    path("stipends/<int:year>-<int:month>/", export_views.stipend_month, name="stipend_month"),
    path(
        "stipends/<int:year>-<int:month>/export.csv",
        export_views.stipend_export_csv,
        name="stipend_export_csv",
    ),
    path(
        "stipends/<int:year>-<int:month>/export.xlsx",
        export_views.stipend_export_xlsx,
        name="stipend_export_xlsx",
    ),
    path(
        "stipends/<int:year>-<int:month>/mark-paid/",
        export_views.stipend_mark_paid,
        name="stipend_mark_paid",
    ),
    path("import/", import_views.import_start, name="import_start"),
    path(
        "import/template-families.csv",
        import_views.import_template_families,
        name="import_template_families",
    ),
    path(
        "import/template-journals.csv",
        import_views.import_template_journals,
        name="import_template_journals",
    ),
    path("import/<int:import_job_id>/", import_views.import_job, name="import_job"),
    path(
        "import/<int:import_job_id>/status.json",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path(
        "import/<int:import_job_id>/skip-bad-rows/",
        import_views.import_job_retry,
        name="import_job_retry",
    ),
]
