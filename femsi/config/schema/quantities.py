"""Quantities with units (read by pint, converted to SI) and the base of every section."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from femsi.units import SI_UNITS, to_si


def _quantity(dimension: str):
    return BeforeValidator(lambda value: to_si(value, dimension))


def quantity_dimension(items: list[Any]) -> str | None:
    """The physical dimension of a quantity type, read from its unit-converting validator.

    Args:
        items: A field's metadata and/or types (``Annotated`` and unions are searched too).

    Returns:
        A key of :data:`femsi.units.SI_UNITS`, or None for a field without a unit.
    """
    for item in items:
        if isinstance(item, BeforeValidator):
            for cell in getattr(item.func, "__closure__", None) or ():
                if isinstance(cell.cell_contents, str) and cell.cell_contents in SI_UNITS:
                    return cell.cell_contents
        origin = get_origin(item)
        if origin is Annotated:
            found = quantity_dimension(list(get_args(item)[1:]))
            if found:
                return found
        if origin in (typing.Union, types.UnionType):
            found = quantity_dimension(list(get_args(item)))
            if found:
                return found
    return None


Length = Annotated[float, _quantity("length")]
PositiveLength = Annotated[float, _quantity("length"), Field(gt=0)]
NonNegativeLength = Annotated[float, _quantity("length"), Field(ge=0)]
PositiveTime = Annotated[float, _quantity("time"), Field(gt=0)]
Pressure = Annotated[float, _quantity("pressure")]
PositiveCurrentDensity = Annotated[float, _quantity("current_density"), Field(gt=0)]
Fraction = Annotated[float, _quantity("dimensionless"), Field(ge=0, le=1)]
CompressivePressure = Annotated[float, _quantity("pressure"), Field(ge=0)]
StiffnessPerArea = Annotated[float, _quantity("stiffness_per_area"), Field(gt=0)]
PositiveModulus = Annotated[float, _quantity("pressure"), Field(gt=0)]
PositiveMolarVolume = Annotated[float, _quantity("molar_volume"), Field(gt=0)]
Voltage = Annotated[float, _quantity("voltage")]
PositiveTemperature = Annotated[float, _quantity("temperature"), Field(gt=0)]
Angle = Annotated[float, _quantity("angle")]
Point = Annotated[tuple[Length, Length, Length] | tuple[Length, Length], Field()]


class Section(BaseModel):
    """A config section: unknown keys are errors, values are immutable once validated."""

    # NaN and infinities are no input femsi can use: refused in every float field.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
