"""``check_scorecard``: every problem in a scorecard file, each with line, column and field."""

from __future__ import annotations

import types
import typing
from pathlib import Path as FilePath
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from cskpi.scoring.enums import Severity
from cskpi.scoring.models.scorecard import Scorecard
from cskpi.scoring.validation.finding import Finding, Issue, field_path
from cskpi.scoring.validation.rules import RULES
from cskpi.scoring.yaml_loader import LoadedYaml, Path, load_yaml


def check_scorecard(path: str | FilePath) -> list[Finding]:
    """Validate the scorecard file at ``path``; an empty list means it is valid."""
    file = FilePath(path)
    return check_text(file.read_text(encoding="utf-8"), str(file))


def check_text(text: str, file: str = "<scorecard>") -> list[Finding]:
    """Validate scorecard YAML ``text``; ``file`` names it in the findings."""
    card, loaded, findings = parse(text, file)
    if card is not None and loaded is not None:
        for rule in RULES:
            findings += [_place(issue, loaded, file) for issue in rule.check(card)]
    return sorted(findings, key=lambda f: (f.line, f.column, f.field))


def parse(text: str, file: str) -> tuple[Scorecard | None, LoadedYaml | None, list[Finding]]:
    """YAML → model; syntax and schema problems come back as findings."""
    try:
        loaded = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        return (
            None,
            None,
            [
                Finding(
                    file,
                    line,
                    column,
                    "",
                    Severity.ERROR,
                    f"YAML 语法错误:{problem}",
                    f"YAML syntax error: {problem}",
                )
            ],
        )
    findings = [
        _place(Issue(path, "重复的键", "duplicate key"), loaded, file, position=pos)
        for path, pos in loaded.duplicates
    ]
    if not isinstance(loaded.data, dict):
        issue = Issue((), "方案应为一个映射(键: 值)", "a scorecard must be a mapping")
        return None, loaded, [*findings, _place(issue, loaded, file)]
    try:
        card = Scorecard.model_validate(loaded.data)
    except ValidationError as error:
        findings += [_place(_issue(e, loaded.data), loaded, file) for e in error.errors()]
        return None, loaded, findings
    return card, loaded, findings


def _place(issue: Issue, loaded: LoadedYaml, file: str, position: Any = None) -> Finding:
    where = position or loaded.position(issue.path)
    return Finding(
        file=file,
        line=where.line,
        column=where.column,
        field=field_path(issue.path),
        severity=issue.severity,
        message_zh=issue.message_zh,
        message_en=issue.message_en,
        allowed=issue.allowed,
    )


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """Pydantic's loc as a path inside the YAML data: union tags it passed through (``tiers``
    in items.0.rule.tiers.bands) are dropped; a field absent from its mapping (a missing
    parameter) is kept as the last part so the finding names it."""
    path: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and index == len(loc) - 1:
            path.append(part)
    return tuple(path)


def _issue(error: dict[str, Any], data: Any) -> Issue:
    path = _data_path(tuple(error["loc"]), data)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return Issue(
            path,
            "缺少必填参数",
            "missing required parameter",
            allowed=_allowed_fields(error["loc"][:-1]),
        )
    if kind == "extra_forbidden":
        return Issue(path, "未知字段", "unknown field", allowed=_allowed_fields(error["loc"][:-1]))
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        return Issue(
            (*path, "type"),
            "未知或缺少规则类型 type",
            "unknown or missing rule 'type'",
            allowed=str(ctx.get("expected_tags", "")),
        )
    if kind in {"enum", "literal_error"}:
        return Issue(
            path, "取值不在允许范围", "value not allowed", allowed=str(ctx.get("expected"))
        )
    message = error["msg"]
    return Issue(path, f"取值无效:{message}", f"invalid value: {message}")


def _allowed_fields(loc: tuple[Any, ...]) -> str | None:
    """Field names of the model at ``loc`` (walking the model types, union tags included)."""
    model: Any = Scorecard
    for part in loc:
        model = _step(model, part)
        if model is None:
            return None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return None


def _unwrap(annotation: Any) -> list[Any]:
    """Concrete types inside Optional / Annotated / tuple / dict / unions."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType, tuple, list, dict):
        out: list[Any] = []
        for arg in get_args(annotation):
            if arg is not Ellipsis:
                out += _unwrap(arg)
        return out
    return [annotation]


def _step(model: Any, part: Any) -> Any:
    if isinstance(model, list):  # several candidates: pick by union tag or field
        for candidate in model:
            tag = candidate.model_fields.get("type") if _is_model(candidate) else None
            if tag is not None and part in get_args(tag.annotation):
                return candidate
        candidates = [c for c in model if _is_model(c) and part in c.model_fields]
        return _step(candidates[0], part) if candidates else None
    if isinstance(part, int) or not _is_model(model):
        return model
    field = model.model_fields.get(part)
    if field is None:
        return None
    found = [t for t in _unwrap(field.annotation) if _is_model(t)]
    if not found:
        return field.annotation
    return found[0] if len(found) == 1 else found


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)
