from django.urls import path

from .views import homes, journal

urlpatterns = [
    path("", homes.staff_home, name="staff_home"),
    path("family/", homes.family_home, name="family_home"),
    path("family/journal/", journal.journal_current, name="journal_current"),
    path("family/journal/<int:year>-<int:month>/", journal.journal_month, name="journal_month"),
    path(
        "family/journal/<int:year>-<int:month>/autosave/",
        journal.journal_autosave,
        name="journal_autosave",
    ),
    path("families/<int:family_id>/", homes.family_detail, name="family_detail"),
]
