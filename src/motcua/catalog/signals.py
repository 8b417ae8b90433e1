"""Signals of the catalogue (the Zulip pattern: the service that writes also says so)."""

from django.dispatch import Signal

# kwargs: procedure, class_before ((online_level, result_kind) before the change; None when new).
# Sent by `procedure_upsert` inside its transaction: figures kept per procedure class (the
# indicators' rollups) must follow a procedure whose class changed.
procedure_changed = Signal()
