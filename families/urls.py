from django.urls import path

from . import views

urlpatterns = [
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
]
