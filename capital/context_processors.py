from typing import Any

from django.http import HttpRequest

from .selectors import open_questions_for


def family_questions(request: HttpRequest) -> dict[str, Any]:
    """Offer a family's open questions from staff, read only by templates that show them."""
    family = getattr(request, "family", None)
    organization = getattr(request, "organization", None)
    if family is None or organization is None:
        return {}
    # A callable: the template engine calls it only where a page uses it (the family home).
    return {
        "family_questions": lambda: open_questions_for(organization=organization, family=family)
    }
