"""Errors of the cycle: a message id and its parameters (the CLI and the web app translate)."""

from __future__ import annotations


class CycleError(Exception):
    """A refused cycle operation; ``code`` is a message id of the ``cycle`` catalog."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params
