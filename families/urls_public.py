"""Pages outside any organization: the link of an invitation, where the token is the key."""

from django.urls import path

from .views import invitations

urlpatterns = [
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
]
