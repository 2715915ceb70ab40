"""Readable names and display units for the columns of a sweep catalogue.

A swept key (``geometry.radius``) is looked up in the study schema: its physical dimension
comes from the quantity type of the field (the unit-converting validator of
:mod:`femsi.config.schema.quantities`), its words from its name (the descriptions are
sentences for the reference, too long for an axis). A summary column
(``peaks.particle.max_von_mises_Pa.value``) is named by femsi's convention: region, quantity
words, SI unit as the suffix. Values are shown in the SI unit with the
prefix that puts the typical magnitude between 1 and 1000 (µm, MPa, GPa; minutes and hours
for long times).
"""

from __future__ import annotations

import inspect
import math
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

import numpy as np
from pydantic import BaseModel

from femsi.config.schema.quantities import quantity_dimension
from femsi.units import SI_UNITS

#: Words of femsi's column names that read better otherwise.
_WORDS = {
    "c_rate": "C-rate",
    "soc": "SOC",
    "von_mises": "von Mises stress",
    "mechanics": "mechanics",
    "dt": "time step",
    "c": "concentration",
}
#: Unit suffixes of summary columns (``_Pa``, ``_mol_m3``) and their dimension or unit.
_SUFFIXES = {
    "Pa": "pressure",
    "m": "length",
    "s": "time",
    "V": "voltage",
    "K": "temperature",
    "mol_m3": "concentration",
    "mol_m2_s": "flux",
    "J_m2": "energy_per_area",
    "m2": "m²",
    "m3": "m³",
    "mAh": "mAh",
    "mol": "mol",
}
_PREFIXES = {-9: "n", -6: "µ", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T"}
#: Dimensions shown with SI prefixes; others keep their SI unit.
_PREFIXED = {"length", "pressure", "voltage", "energy_per_area"}


@dataclass(frozen=True)
class Label:
    """How to show one column.

    Attributes:
        text: What it is (``particle radius``).
        unit: The display unit (``µm``), empty for pure numbers and text.
        factor: Display value = SI value / factor.
    """

    text: str
    unit: str = ""
    factor: float = 1.0

    @property
    def title(self) -> str:
        """``text (unit)``, or the text alone."""
        return f"{self.text} ({self.unit})" if self.unit else self.text

    def show(self, value: object) -> object:
        """The value in the display unit (text and missing values unchanged)."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value) / self.factor
        return value

    def format(self, value: object) -> str:
        """The value as table text, 4 significant digits."""
        shown = self.show(value)
        if shown is None or (isinstance(shown, float) and math.isnan(shown)):
            return ""
        if isinstance(shown, float):
            return f"{shown:.4g}"
        return str(shown)


def display_unit(dimension: str, values: Sequence[float]) -> tuple[str, float]:
    """The display unit of a dimension for these SI values, and its factor."""
    si = SI_UNITS.get(dimension, dimension)
    finite = np.abs(np.array([v for v in values if v is not None], dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    typical = float(np.median(finite)) if finite.size else 1.0
    if dimension == "time":
        for unit, factor in (("h", 3600.0), ("min", 60.0)):
            if typical >= 2 * factor:
                return unit, factor
        return "s", 1.0
    if dimension in _PREFIXED:
        power = int(3 * math.floor(math.log10(typical) / 3))
        power = min(max(power, min(_PREFIXES)), max(_PREFIXES))
        return _PREFIXES[power] + si, 10.0**power
    return si.replace("^3", "³").replace("^2", "²"), 1.0


# ----------------------------------------------------------------------------- swept keys


def input_label(key: str, values: Sequence[object], geometry_type: str | None = None) -> Label:
    """The label of a swept key, from the study schema.

    Args:
        key: The dotted key.
        values: Its SI values (or texts) in the runs: they choose the display unit.
        geometry_type: The study's ``geometry.type``, which picks the geometry section.
    """
    dimension, _, particle = _schema_field(key, geometry_type)
    parts = key.split(".")
    name = parts[-1]
    words = _WORDS.get(name) or name.replace("_", " ")
    if parts[0] == "materials" and len(parts) == 2:
        words = f"{name.replace('_', ' ')} material"
    elif parts[0] == "geometry" and particle and name in ("radius", "mesh_size"):
        words = f"particle {words}"
    elif parts[0] == "protocol" and len(parts) >= 4:
        words = f"{_noun(parts[2])} {words}"
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if dimension is None or dimension == "dimensionless" or not numbers:
        return Label(words)
    unit, factor = display_unit(dimension, [float(v) for v in numbers])
    return Label(words, unit, factor)


def _noun(kind: str) -> str:
    """``lithiate`` → ``lithiation``."""
    return kind[:-1] + "ion" if kind.endswith("ate") else kind


def _schema_field(key: str, geometry_type: str | None) -> tuple[str | None, str | None, bool]:
    """The dimension and description of the schema field a dotted key names.

    Returns:
        (dimension, description, whether the field is one of a single particle's geometry).
    """
    from femsi.config.schema import Study

    candidates: list[tuple[Any, list[Any]]] = [(Study, [])]
    owners: list[type] = []
    for part in key.split("."):
        found: list[tuple[Any, list[Any]]] = []
        owners = []
        for tp, _ in candidates:
            for model in _models(tp, geometry_type):
                field = model.model_fields.get(part)
                if field is not None:
                    found.append((field.annotation, list(field.metadata) + [field]))
                    owners.append(model)
            if part.isdigit() and get_origin(_unwrap(tp)) is list:
                found.append((get_args(_unwrap(tp))[0], []))
            if get_origin(_unwrap(tp)) is dict:
                found.append((get_args(_unwrap(tp))[1], []))
        if not found:
            return None, None, False
        candidates = found
    tp, extra = candidates[0]
    dimension = quantity_dimension([*extra, tp])
    described = next((m.description for m in extra if getattr(m, "description", None)), None)
    particle = bool(owners) and all(
        "_ParticleGeometry" in [c.__name__ for c in inspect.getmro(m)] for m in owners
    )
    return dimension, described, particle


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _models(tp: Any, geometry_type: str | None = None) -> list[type[BaseModel]]:
    """The pydantic models a type may hold (through unions and ``Annotated``).

    Of a union of sections told apart by ``type``, only the one of ``geometry_type`` if given.
    """
    tp = _unwrap(tp)
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        return [tp]
    if get_origin(tp) in (typing.Union, types.UnionType):
        models = [m for arg in get_args(tp) for m in _models(arg)]
        typed = [m for m in models if geometry_type in _type_values(m)]
        return typed or models
    return []


def _type_values(model: type[BaseModel]) -> tuple[Any, ...]:
    field = model.model_fields.get("type")
    return get_args(field.annotation) if field is not None else ()


# ----------------------------------------------------------------------------- results


def output_label(column: str, values: Sequence[object]) -> Label:
    """The label of a summary column, read from femsi's naming convention."""
    parts = column.split(".")
    peak = parts[0] == "peaks" and parts[-1] in ("value", "time", "soc")
    if peak:
        parts = parts[1:-1]
    elif parts[0] == "final":
        parts = parts[1:]
    region = parts[0] if len(parts) > 1 else None
    stem = parts[-1]
    stem, dimension = _split_unit(stem)
    words = _quantity_words(stem)
    if peak:
        words = words if words.startswith(("most ", "peak ")) else f"peak {words}"
    elif column.startswith("final."):
        words = f"final {words}"
    if region is not None and region not in ("crack", "stack_pressure"):
        words = f"{words}, {region}"
    elif region is not None:
        words = f"{region.replace('_', ' ')} {words}"
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if dimension is None:
        return Label(words)
    if dimension in SI_UNITS:
        unit, factor = display_unit(dimension, numbers)
        return Label(words, unit, factor)
    return Label(words, dimension)


def _split_unit(stem: str) -> tuple[str, str | None]:
    for suffix, dimension in sorted(_SUFFIXES.items(), key=lambda item: -len(item[0])):
        if stem.endswith("_" + suffix):
            return stem[: -len(suffix) - 1], dimension
    return stem, None


def _quantity_words(stem: str) -> str:
    """``min_hydrostatic`` → ``most compressive hydrostatic stress``."""
    if stem in _WORDS:
        return _WORDS[stem]
    head, _, rest = stem.partition("_")
    if rest == "hydrostatic" and head in ("min", "max"):
        return f"most {'compressive' if head == 'min' else 'tensile'} hydrostatic stress"
    if head == "max" and rest in ("von_mises", "principal"):
        return "peak " + ("max principal stress" if rest == "principal" else _WORDS[rest])
    return " ".join(_WORDS.get(word, word) for word in stem.split("_"))
