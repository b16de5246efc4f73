"""Signals of the nightly run; other apps listen, insights never imports them.

``snapshots_ready`` is sent once per successful ``AggregationRun``, with
``sender=AggregationRun`` and ``run=<the run>``:

- inside the run's write transaction, after its family and group snapshots are written and the
  run is marked succeeded, so a receiver reads them with ``insights.selectors.snapshot_frames``
  and its own writes commit together with them;
- with ``Signal.send``, not ``send_robust``: an exception in a receiver fails the run and rolls
  back everything the run wrote, snapshots included;
- its receivers' time is the run's "capital" stage;
- a receiver may return a mapping of counts (e.g. ``{"opened": 3}``): the run keeps it in
  ``run.counts`` under the receiver's app label (``"capital"`` for ``capital.receivers``).
"""

from django.dispatch import Signal

snapshots_ready = Signal()
