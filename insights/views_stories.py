"""Stories pages: staff invite positive deviants; a family writes, shares and reads stories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from families.models import Family
from fii.access import OrgRequest, family_view, staff_view

from . import stories
from .models import StoryAudience


class StoryForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Our story"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "What changed for your family, and how you made it happen. Up to 5,000 characters."
        ),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Who may read it"),
        choices=StoryAudience.choices,
        widget=forms.RadioSelect,
    )
    show_name = forms.BooleanField(
        label=gettext_lazy("Show our family's name with the story"), required=False
    )

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        self.family = family
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        audience = cleaned.get("audience")
        if audience and audience != StoryAudience.NONE and not cleaned.get("body", "").strip():
            self.add_error("body", _("Write your story before choosing who may read it."))
        if audience == StoryAudience.GROUP and self.family.group_id is None:
            self.add_error("audience", _("Your family is not in a group yet."))
        return cleaned


@staff_view
def story_list(request: OrgRequest) -> HttpResponse:
    run, rows, others = stories.deviant_rows(organization=request.organization)
    return render(
        request, "insights/stories/staff_list.html", {"run": run, "rows": rows, "others": others}
    )


@staff_view
@require_POST
def story_invite(request: OrgRequest, family_id: int) -> HttpResponse:
    org = request.organization
    family = Family.objects.get_for_org_or_404(org, pk=family_id)
    try:
        stories.story_invite(organization=org, actor=request.user, family=family, request=request)
    except stories.StoryError as error:
        back = reverse("story_list", kwargs={"org_slug": org.slug})
        context = {"message": str(error), "back_url": back}
        return render(request, "families/refused.html", context, status=409)
    messages.success(
        request, _("%(family)s is invited to share its story.") % {"family": family.name}
    )
    return redirect("story_list", org_slug=org.slug)


def _story_page(request: OrgRequest, form: StoryForm | None, status: int = 200) -> HttpResponse:
    org, family = request.organization, request.family
    story = stories.story_for(organization=org, family=family)
    if story is not None and form is None:
        initial = {"body": story.body, "audience": story.audience, "show_name": story.show_name}
        form = StoryForm(initial=initial, family=family)
    context = {
        "story": story,
        "form": form,
        "consent_in_force": stories.sharing_consent_in_force(organization=org, family=family),
    }
    return render(request, "insights/stories/family_story.html", context, status=status)


@family_view
@require_http_methods(["GET", "POST"])
def family_story(request: OrgRequest) -> HttpResponse:
    if request.method != "POST":
        return _story_page(request, None)
    org, family = request.organization, request.family
    form = StoryForm(request.POST, family=family)
    if not form.is_valid():
        return _story_page(request, form, status=400)
    try:
        story = stories.story_save(
            organization=org,
            family=family,
            actor=request.user,
            request=request,
            **form.cleaned_data,
        )
    except stories.StoryError as error:
        form.add_error(None, str(error))
        return _story_page(request, form, status=409)
    if story.is_published:
        messages.success(request, _("Saved. Your story is shared with the readers you chose."))
    else:
        messages.success(request, _("Saved. Nobody else can read your story."))
    return redirect("family_story", org_slug=org.slug)


@family_view
@require_POST
def family_story_withdraw(request: OrgRequest) -> HttpResponse:
    org = request.organization
    try:
        stories.story_withdraw(
            organization=org, family=request.family, actor=request.user, request=request
        )
    except stories.StoryError as error:
        back = reverse("family_story", kwargs={"org_slug": org.slug})
        context = {"message": str(error), "back_url": back}
        return render(request, "families/refused.html", context, status=409)
    messages.success(request, _("Your story is withdrawn: nobody else can read it now."))
    return redirect("family_story", org_slug=org.slug)


@family_view
def family_stories(request: OrgRequest) -> HttpResponse:
    rows = stories.stories_for_reader(organization=request.organization, family=request.family)
    return render(request, "insights/stories/family_stories.html", {"stories": rows})
