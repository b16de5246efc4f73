"""The family's journals, goals, help and data, and the staff's reporting status, over REST.

Every write goes through the same forms and services as the pages: the API adds no rule.
"""

from .data import FamilyDataView
from .goals import GoalViewSet
from .help import HelpViewSet
from .journal import JournalViewSet
from .reporting import ReportingView

__all__ = ["FamilyDataView", "GoalViewSet", "HelpViewSet", "JournalViewSet", "ReportingView"]
