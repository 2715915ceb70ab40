"""Quantities with units (read by pint, converted to SI) and the base of every section."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from femsi.units import to_si


def _quantity(dimension: str):
    return BeforeValidator(lambda value: to_si(value, dimension))


Length = Annotated[float, _quantity("length")]
PositiveLength = Annotated[float, _quantity("length"), Field(gt=0)]
NonNegativeLength = Annotated[float, _quantity("length"), Field(ge=0)]
PositiveTime = Annotated[float, _quantity("time"), Field(gt=0)]
Pressure = Annotated[float, _quantity("pressure")]
PositiveCurrentDensity = Annotated[float, _quantity("current_density"), Field(gt=0)]
Fraction = Annotated[float, _quantity("dimensionless"), Field(ge=0, le=1)]
CompressivePressure = Annotated[float, _quantity("pressure"), Field(ge=0)]
StiffnessPerArea = Annotated[float, _quantity("stiffness_per_area"), Field(gt=0)]
Voltage = Annotated[float, _quantity("voltage")]
PositiveTemperature = Annotated[float, _quantity("temperature"), Field(gt=0)]
Angle = Annotated[float, _quantity("angle")]
Point = Annotated[tuple[Length, Length, Length] | tuple[Length, Length], Field()]


class Section(BaseModel):
    """A config section: unknown keys are errors, values are immutable once validated."""

    # NaN and infinities are no input femsi can use: refused in every float field.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
