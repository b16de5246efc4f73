"""Signals of the families app; higher apps listen, families never imports them.

``family_erased`` is sent once per erasure of a family's personal data, with
``sender=Family``, ``family=<the family>`` and ``organization=<its organization>``:

- inside the erasure's transaction, after the families app has erased its own rows, so each
  receiver's writes commit or roll back together with them;
- with ``Signal.send``, not ``send_robust``: an exception in a receiver undoes the whole erasure;
- a receiver erases its own app's free text and personal values of the family, keeps the
  numbers, and is safe to run twice; it returns a mapping of counts (e.g. ``{"stories": 1}``)
  that the erasure keeps under the receiver's app label. Counts only, never the values.
"""

from django.dispatch import Signal

family_erased = Signal()
