from django.urls import path

from . import views

urlpatterns = [
    path("", views.funder_home, name="funder_home"),
]
