"""Standard adjustment kinds of the data contract (seed 000 vocabulary)."""

from __future__ import annotations

STANDARD_KINDS = frozenset(
    {
        "execution.rule",
        "execution.attitude",
        "execution.neglect",
        "execution.answer",
        "execution.complaint",
        "execution.exam",
        "teamwork.shift",
        "teamwork.handover",
        "praise",
        "overtime",
        "suggestion",
        "report.late",
        "supervisor",
    }
)

# Manual items read ``supervisor.<item>`` and ``self.<item>``: the contract's ``supervisor``
# kind qualified by the item it scores.
MANUAL_PREFIXES = ("supervisor.", "self.")


def is_known(kind: str, declared: tuple[str, ...]) -> bool:
    return kind in STANDARD_KINDS or kind in declared or kind.startswith(MANUAL_PREFIXES)
