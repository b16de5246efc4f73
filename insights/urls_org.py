"""Insights pages inside an organization (/o/<org_slug>/...): stories of positive deviants."""

from django.urls import path

from . import views_stories

urlpatterns = [
    path("stories/", views_stories.story_list, name="story_list"),
    path("stories/invite/<int:family_id>/", views_stories.story_invite, name="story_invite"),
    path("family/story/", views_stories.family_story, name="family_story"),
    path(
        "family/story/withdraw/",
        views_stories.family_story_withdraw,
        name="family_story_withdraw",
    ),
    path("family/stories/", views_stories.family_stories, name="family_stories"),
]
