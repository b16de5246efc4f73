"""API routes: /api/v1/o/<org_slug>/... for members, /api/v1/funders/<funder_slug>/... for funders.

Detail routes name their id (`entry_id`, `goal_id`, ...) so that the isolation test can fill
every route with another organization's objects.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from capital.api import DecisionViewSet, FamilyChecklistView, FlagViewSet, LedgerView
from families.api import FamilyViewSet, GroupViewSet
from insights.api import FunderSummaryView
from journals.api import FamilyDataView, GoalViewSet, HelpViewSet, JournalViewSet, ReportingView

from .exceptions import not_found

org_router = SimpleRouter(use_regex_path=False)
org_router.register("journals", JournalViewSet, basename="api-journal")
org_router.register("goals", GoalViewSet, basename="api-goal")
org_router.register("help", HelpViewSet, basename="api-help")
org_router.register("families", FamilyViewSet, basename="api-family")
org_router.register("groups", GroupViewSet, basename="api-group")
org_router.register("flags", FlagViewSet, basename="api-flag")
org_router.register("decisions", DecisionViewSet, basename="api-decision")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file: the CSP forbids inline scripts.
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("v1/o/<slug:org_slug>/", include(org_router.urls)),
    path("v1/o/<slug:org_slug>/reporting/", ReportingView.as_view(), name="api-reporting"),
    path("v1/o/<slug:org_slug>/family/data/", FamilyDataView.as_view(), name="api-family-data"),
    path("v1/o/<slug:org_slug>/ledger/", LedgerView.as_view(), name="api-ledger"),
    path(
        "v1/o/<slug:org_slug>/family/checklist/",
        FamilyChecklistView.as_view(),
        name="api-family-checklist",
    ),
    path(
        "v1/funders/<slug:funder_slug>/summary/",
        FunderSummaryView.as_view(),
        name="api-funder-summary",
    ),
    # Anything else under /api/ answers a JSON 404, not the site's HTML page.
    re_path(r"", not_found),
]
