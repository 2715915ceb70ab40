"""``--set dotted.path=value`` overrides applied to the raw YAML tree before validation."""

from __future__ import annotations

import copy

from femsi.errors import InputError
from femsi.yaml_input import parse_yaml


def parse_assignment(text: str) -> tuple[list[str], object]:
    """Split ``a.b.0.c=value`` into its path and its YAML-parsed value.

    Raises:
        InputError: No ``=`` or an empty path.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InputError("--set", f"expected dotted.path=value, got {text!r}")
    value = parse_yaml(raw, f"--set {key.strip()}") if raw.strip() else None
    return key.strip().split("."), value


def apply_overrides(tree: dict, assignments: list[str]) -> dict:
    """Return a copy of ``tree`` with each ``dotted.path=value`` assignment applied.

    Dictionary keys that do not exist yet are created (schema validation then rejects unknown
    ones); list items are addressed by index and must exist.

    Raises:
        InputError: A path that runs through a scalar or past the end of a list.
    """
    tree = copy.deepcopy(tree)
    for text in assignments:
        path, value = parse_assignment(text)
        node: object = tree
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            where = ".".join(path[: depth + 1])
            if isinstance(node, list):
                if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                    raise InputError(where, f"no list item {part!r} (the list has {len(node)})")
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                raise InputError(where, "cannot set a key inside a value that is not a mapping")
    return tree
