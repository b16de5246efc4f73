from django.urls import path

from . import views

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("family/", views.family_home, name="family_home"),
    path("families/<int:family_id>/", views.family_detail, name="family_detail"),
]
