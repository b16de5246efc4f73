"""Capital's side of the nightly run: evaluate the programs once the snapshots are written."""

from __future__ import annotations

from typing import Any

from .services import flags_refresh


def flags_on_snapshots_ready(sender: Any, run: Any, **kwargs: Any) -> dict[str, int]:
    """Refresh the organization's flags from the run's snapshots and return the counts.

    insights sends ``snapshots_ready`` inside the run's transaction and keeps the returned
    counts in ``run.counts["capital"]``; an exception here fails the run, snapshots included.
    """
    from insights.selectors import snapshot_frames

    family_frame, group_frame = snapshot_frames(run=run)
    return flags_refresh(
        organization=run.organization,
        run=run,
        family_frame=family_frame,
        group_frame=group_frame,
    )
