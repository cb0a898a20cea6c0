"""Shared base classes: every spec model is frozen and rejects unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Spec(BaseModel):
    """Immutable spec model; unknown fields are an error so typos surface in validation."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Text(Spec):
    """A label in both languages; Chinese first because the seeds and users are Chinese."""

    zh: str
    en: str
