"""The assessment cycle: periods moving open → computed → under review → approved (locked)
→ published, manual entries, frozen versions and their diffs, appeals, and the hash-chained
audit log. A library: the CLI (``cskpi.cycle.cli``) and the web app call the same functions,
passing the acting user as ``by``::

    from cskpi import cycle
    cycle.open_period(store, "presales-standard", "2026-10", by="lead")
    cycle.compute(store, config, "presales-standard", "2026-10", by="lead")
    cycle.add_entry(store, agent_id="A0001", kind="praise", reason="…", by="lead",
                    period="2026-10")
    cycle.review(…); cycle.approve(…, settings=cycle.load_settings(db)); cycle.publish(…)
    cycle.file_appeal(…); cycle.decide_appeal(…); cycle.diff(…); cycle.status(store)
    cycle.verify_audit(store).ok

Names load on first use, so `import cskpi.cycle` (and the CLI's start-up) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Action": "states",
    "State": "states",
    "TransitionError": "states",
    "CycleError": "errors",
    "CycleSettings": "settings",
    "load_settings": "settings",
    "add_entry": "entries",
    "add_score": "entries",
    "list_entries": "entries",
    "void_entry": "entries",
    "decide_appeal": "appeals",
    "file_appeal": "appeals",
    "list_appeals": "appeals",
    "approve": "service",
    "compute": "service",
    "diff": "service",
    "open_period": "service",
    "publish": "service",
    "results": "service",
    "review": "service",
    "status": "service",
    "versions": "service",
    "verify_audit": "audit",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cskpi.cycle' has no attribute {name!r}")
    module = import_module(f"cskpi.cycle.{_EXPORTS[name]}")
    return getattr(module, "verify" if name == "verify_audit" else name)
