"""Journals' part of erasing a family: free text goes, every number and date stays."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from .models import Goal, GoalUpdate, HelpExchange, JournalEntry


def erase_family_text(sender: Any, family: Any, organization: Any, **kwargs: Any) -> dict[str, int]:
    """Blank the family's drafts, goals' words, progress notes and help notes; return counts.

    Journal values (columns and ``extra``) and revisions are numbers or choices from the
    organization's list, never free text: they stay, so the nightly figures do not move.
    Help notes go on every exchange the family took part in, whoever wrote them.
    """
    goals = Goal.objects.for_org(organization).filter(family=family)
    help_rows = HelpExchange.objects.for_org(organization).filter(
        Q(giver=family) | Q(receiver=family) | Q(recorded_by=family)
    )
    return {
        "drafts": JournalEntry.objects.for_org(organization)
        .filter(family=family)
        .exclude(draft={})
        .update(draft={}),
        "goals": goals.exclude(title="", success_looks_like="").update(
            title="", success_looks_like=""
        ),
        "goal_updates": GoalUpdate.objects.for_org(organization)
        .filter(goal__family=family)
        .exclude(note="")
        .update(note=""),
        "help_notes": help_rows.exclude(note="").update(note=""),
    }


# What the counts above mean, for the admin who reads them (families.erasure).
COUNT_LABELS = {
    "journals": gettext_lazy("Journals, goals and help"),
    "drafts": gettext_lazy("Journal drafts emptied"),
    "goals": gettext_lazy("Goals whose words were removed"),
    "goal_updates": gettext_lazy("Goal updates whose notes were removed"),
    "help_notes": gettext_lazy("Help notes removed"),
}
