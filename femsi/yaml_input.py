"""Reading YAML input strictly: UTF-8 text, no duplicate keys, safe tags only.

PyYAML keeps the last of two equal keys silently, and reads undecodable bytes with a
``UnicodeDecodeError`` traceback; both are input errors here, reported with the line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from femsi.errors import InputError


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # an unhashable key: the constructor reports it
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse_yaml(text: str, where: str) -> object:
    """The document in ``text``; a YAML error is an InputError at ``where`` with the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise InputError(where, f"malformed YAML{at}: {problem}") from None


def read_yaml_file(path: Path) -> object:
    """The YAML document of a UTF-8 file (a byte-order mark is allowed)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(str(path), f"cannot read the file ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            str(path), f"not UTF-8 text (byte {err.start}, line {line}): save the file as UTF-8"
        ) from None
    return parse_yaml(text, str(path))
