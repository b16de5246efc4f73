from django.urls import path

from .views import dashboard, data, goals, help, homes, journal

urlpatterns = [
    path("", homes.staff_home, name="staff_home"),
    path("families/<int:family_id>/", homes.family_detail, name="family_detail"),
    path("family/", homes.family_home, name="family_home"),
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
