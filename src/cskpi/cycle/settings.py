"""The cycle's settings: the ``[cycle]`` table of ``cskpi.toml``.

```toml
[cycle]
four_eyes_pay_change = 500   # a re-approval moving anyone's pay by more needs a 2nd approver
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields

from cskpi.config import config_path
from cskpi.cycle.errors import CycleError

DEFAULT_FOUR_EYES = 500.0


@dataclass(frozen=True)
class CycleSettings:
    # Largest change of one agent's pay (vs the previous approved version) one approver may
    # sign alone; None turns the four-eyes rule off.
    four_eyes_pay_change: float | None = DEFAULT_FOUR_EYES


def load_settings(db: str) -> CycleSettings:
    """The ``[cycle]`` settings beside the store ``db`` (defaults when absent)."""
    path = config_path(db)
    if not path.exists():
        return CycleSettings()
    try:
        data = tomllib.loads(path.read_text("utf-8")).get("cycle", {})
    except tomllib.TOMLDecodeError as error:
        raise CycleError("cycle.config_parse", path=str(path), error=str(error)) from error
    known = {f.name for f in fields(CycleSettings)}
    unknown = set(data) - known
    if unknown:
        raise CycleError(
            "cycle.config_key",
            path=str(path),
            key=", ".join(sorted(unknown)),
            allowed=", ".join(sorted(known)),
        )
    value = data.get("four_eyes_pay_change", DEFAULT_FOUR_EYES)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise CycleError(
            "cycle.config_value", path=str(path), key="four_eyes_pay_change", value=str(value)
        )
    return CycleSettings(four_eyes_pay_change=None if value is None else float(value))
