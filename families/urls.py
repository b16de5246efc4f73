from django.urls import path

from .views import consent, erasure, invitations, people, roster

urlpatterns = [
    path("groups/", roster.group_list, name="group_list"),
    path("groups/new/", roster.group_create, name="group_create"),
    path("groups/<int:group_id>/", roster.group_detail, name="group_detail"),
    path("groups/<int:group_id>/edit/", roster.group_edit, name="group_edit"),
    path("groups/<int:group_id>/archive/", roster.group_archive, name="group_archive"),
    path("groups/<int:group_id>/restore/", roster.group_restore, name="group_restore"),
    path("families/", roster.family_list, name="family_list"),
    path("families/new/", roster.family_create, name="family_create"),
    path("families/<int:family_id>/move/", roster.family_move, name="family_move"),
    path("families/<int:family_id>/archive/", roster.family_archive, name="family_archive"),
    path("families/<int:family_id>/restore/", roster.family_restore, name="family_restore"),
    path("families/<int:family_id>/members/", roster.member_list, name="member_list"),
    path(
        "families/<int:family_id>/members/<int:member_id>/",
        roster.member_edit,
        name="member_edit",
    ),
    path(
        "families/<int:family_id>/members/<int:member_id>/remove/",
        roster.member_remove,
        name="member_remove",
    ),
    path("families/<int:family_id>/consent/", consent.consent_list, name="consent_list"),
    path(
        "families/<int:family_id>/consent/<int:consent_id>/revoke/",
        consent.consent_revoke,
        name="consent_revoke",
    ),
    path("family/consent/", consent.family_consent, name="family_consent"),
    path(
        "family/consent/<int:consent_id>/revoke/",
        consent.family_consent_revoke,
        name="family_consent_revoke",
    ),
    path("family/erasure/", erasure.family_erasure, name="family_erasure"),
    path("family/erasure/cancel/", erasure.family_erasure_cancel, name="family_erasure_cancel"),
    path("families/<int:family_id>/erasure/", erasure.erasure_record, name="erasure_record"),
    path("erasures/", erasure.erasure_list, name="erasure_list"),
    path("erasures/<int:erasure_id>/", erasure.erasure_detail, name="erasure_detail"),
    path("erasures/<int:erasure_id>/approve/", erasure.erasure_approve, name="erasure_approve"),
    path("erasures/<int:erasure_id>/decline/", erasure.erasure_decline, name="erasure_decline"),
    path("invitations/", invitations.invitation_list, name="invitation_list"),
    path(
        "invitations/<int:invitation_id>/cancel/",
        invitations.invitation_cancel,
        name="invitation_cancel",
    ),
    path("people/", people.people_list, name="people_list"),
    path("people/<int:membership_id>/role/", people.membership_role, name="membership_role"),
    path(
        "people/<int:membership_id>/deactivate/",
        people.membership_deactivate,
        name="membership_deactivate",
    ),
    path(
        "people/<int:membership_id>/reactivate/",
        people.membership_reactivate,
        name="membership_reactivate",
    ),
]
