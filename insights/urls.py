"""The funder area, included at ``funders/<slug:funder_slug>/``.

One export URL per table (not a ``<table>`` parameter) so that every route can be listed and
crawled: the anonymization test walks them all.
"""

from django.urls import path

from . import views
from .funder import TABLES

urlpatterns = [
    path("", views.funder_home, name="funder_home"),
    path("o/<slug:org_slug>/", views.funder_organization, name="funder_organization"),
]
urlpatterns += [
    path(
        f"export/{table}.csv", views.funder_export, {"table": table}, name=f"funder_export_{table}"
    )
    for table in TABLES
]
urlpatterns += [
    path(
        f"o/<slug:org_slug>/export/{table}.csv",
        views.funder_export,
        {"table": table},
        name=f"funder_org_export_{table}",
    )
    for table in TABLES
]
