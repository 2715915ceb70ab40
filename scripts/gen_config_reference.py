"""Write the configuration reference (Markdown) from the pydantic schema of a study.

Walks ``femsi.config.schema.Study`` and every section it holds: key, type, SI unit, default,
allowed values and bounds, and the description (``Field(description=...)`` or the section's
docstring). The docs build calls :func:`render` through ``docs/hooks/config_reference.py``;
run this script to see the page: ``python scripts/gen_config_reference.py [OUT.md]``.
"""

from __future__ import annotations

import inspect
import sys
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from femsi.config.schema import Study
from femsi.config.schema.quantities import quantity_dimension
from femsi.units import SI_UNITS

HEADER = """\
# Configuration reference

Generated from the schema (`femsi/config/schema/`) when this site is built: every key a study
file may hold, with its type, SI unit, default and allowed values. Quantities accept SI
numbers or strings with units (`"1 um"`, `"130 GPa"`, `"10 min"`), read with pint; an unknown
key is an error. What the switches mean and how they combine is in the
[configuration guide](configuration-guide.md); material parameters are in
[Materials](materials.md).
"""


def _bounds(metadata: list[Any]) -> list[str]:
    out = []
    for item in metadata:
        for name, symbol in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
            value = getattr(item, name, None)
            if value is not None:
                out.append(f"{symbol} {value}")
        if isinstance(item, annotated_types.MinLen):
            out.append(f"length ≥ {item.min_length}")
        pattern = getattr(item, "pattern", None)
        if pattern:
            out.append(f"matches `{pattern}`")
    return out


def _type(tp: Any, notes: list[str]) -> str:
    """A readable name of a type; units and bounds are appended to ``notes``."""
    if get_origin(tp) is Annotated:
        base, *metadata = get_args(tp)
        dimension = quantity_dimension(metadata)
        notes.extend(_bounds(metadata))
        if dimension is not None:
            unit = SI_UNITS[dimension]
            name = dimension.replace("_", " ")
            return f"{name} ({unit})" if unit else "fraction"
        return _type(base, notes)
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(f"`{value}`" for value in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        text = " or ".join(_type(a, notes) for a in args)
        return text + " or `null`" if len(args) < len(get_args(tp)) else text
    if origin is list:
        return f"list of {_type(get_args(tp)[0], notes)}"
    if origin is tuple:
        return "[" + ", ".join(_type(a, notes) for a in get_args(tp)) + "]"
    if origin is dict:
        key, value = get_args(tp)
        return f"mapping {_type(key, notes)} → {_type(value, notes)}"
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{_anchor(tp)})"
    return {str: "string", int: "integer", float: "number", bool: "`true` | `false`"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    else:
        value = field.default
    if value is PydanticUndefined:
        return "**required**"
    if isinstance(value, BaseModel):
        return "see section"
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value!r}`" if value != {} and value != [] else f"`{value}`"


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _models(model: type[BaseModel], path: str, seen: dict[type[BaseModel], str]) -> None:
    """Every section reachable from ``model`` with the first key path that reaches it."""
    kind = model.model_fields.get("type")
    label = f"`{path or 'study file'}`"
    if kind is not None and get_origin(kind.annotation) is Literal:
        label += f" · type: `{get_args(kind.annotation)[0]}`"
    if model in seen:
        if label not in seen[model]:
            seen[model] += ", " + label
        return
    seen[model] = label

    def walk(tp: Any, where: str) -> None:
        if inspect.isclass(tp) and issubclass(tp, BaseModel):
            _models(tp, where, seen)
        suffix = "[]" if get_origin(tp) is list else ".NAME" if get_origin(tp) is dict else ""
        for arg in get_args(tp):
            walk(arg, where + suffix)

    for name, field in model.model_fields.items():
        walk(field.annotation, f"{path}.{name}" if path else name)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _section(model: type[BaseModel], path: str) -> str:
    doc = inspect.cleandoc(model.__doc__ or "")
    lines = [f"## {path} {{#{_anchor(model)}}}", ""]
    if doc and model.__doc__ != BaseModel.__doc__:
        lines += [doc, ""]
    lines += ["| key | type | default | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        notes: list[str] = []
        dimension = quantity_dimension(field.metadata)
        kind = _type(field.annotation, notes)
        if dimension is not None:
            unit = SI_UNITS[dimension]
            kind = f"{dimension.replace('_', ' ')} ({unit})" if unit else "fraction"
            kind += " or `null`" if "`null`" in _type(field.annotation, []) else ""
        notes.extend(_bounds(field.metadata))
        description = field.description or ""
        if notes:
            description = (description + "; " if description else "") + ", ".join(notes)
        lines.append(
            f"| `{name}` | {_cell(kind)} | {_cell(_default(field))} | {_cell(description)} |"
        )
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole reference page as Markdown."""
    seen: dict[type[BaseModel], str] = {}
    _models(Study, "", seen)
    return HEADER + "\n" + "\n".join(_section(model, path) for model, path in seen.items())


def main() -> None:
    """Print the reference, or write it to the path given."""
    text = render()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
