"""YAML loading that remembers where every value was written (line and column, 1-based).

Built on PyYAML's node tree (``compose``), so scalars are typed by the safe constructor and
no tag can construct arbitrary objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class LoadedYaml:
    """Plain data plus the position of every mapping key / sequence entry by path."""

    data: Any
    positions: dict[Path, Position] = field(default_factory=dict)
    duplicates: list[tuple[Path, Position]] = field(default_factory=list)

    def position(self, path: Path) -> Position:
        """Position of ``path`` or of its nearest ancestor that was written."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found is not None:
                return found
        return Position(1, 1)


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(text: str) -> LoadedYaml:
    """Parse ``text``; raises ``yaml.YAMLError`` (which carries a mark) on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        result = LoadedYaml(data=None)
        if root is not None:
            result.positions[()] = _mark(root)
            result.data = _build(loader, root, (), result)
        return result
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, out: LoadedYaml) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = (*path, key)
            if key in mapping:
                out.duplicates.append((child, _mark(key_node)))
            out.positions[child] = _mark(key_node)
            mapping[key] = _build(loader, value_node, child, out)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            out.positions[child] = _mark(item_node)
            items.append(_build(loader, item_node, child, out))
        return items
    return loader.construct_object(node, deep=True)
