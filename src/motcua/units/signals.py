"""Signals of the unit tree."""

from django.dispatch import Signal

# kwargs: unit, old_path. Sent once per move, after the unit and its subtree were re-pathed, inside
# the transaction: figures kept per subtree (indicators' rollups) must follow.
unit_moved = Signal()
