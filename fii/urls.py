from django.contrib import admin
from django.urls import include, path

from . import views, views_audit, views_source, views_tokens

urlpatterns = [
    path("", views.home, name="home"),
    path("choose/", views.choose, name="choose"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("source/", views_source.source, name="source"),
    path("source/fii-source.zip", views_source.source_download, name="source_download"),
    path("accounts/", include("allauth.urls")),
    path("account/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("api/", include("fii.api.urls")),
    path("admin/", admin.site.urls),
    path("o/<slug:org_slug>/", include("journals.urls")),
    path("o/<slug:org_slug>/", include("families.urls")),
    path("o/<slug:org_slug>/", include("capital.urls")),
    path("funders/<slug:funder_slug>/", include("insights.urls")),
    path("", include("families.urls_public")),
    path("o/<slug:org_slug>/", include("insights.urls_org")),
    path("o/<slug:org_slug>/audit/", views_audit.audit_log, name="audit_log"),
]

# allauth answers a request over one of its rate limits through this view (fii.signals).
handler429 = "fii.signals.too_many_requests"
