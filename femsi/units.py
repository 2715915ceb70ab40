"""Physical quantities at the boundary of the program.

Users write numbers in SI or strings with units ("1 um", "130 GPa", "10 min"); femsi converts
them once, at load time, to SI floats. Inside femsi every number is SI.
"""

from __future__ import annotations

import functools
import math

import pint


@functools.cache
def registry() -> pint.UnitRegistry:
    """The single unit registry femsi uses."""
    return pint.UnitRegistry()


#: SI units of the physical dimensions femsi accepts, keyed by a short name.
SI_UNITS: dict[str, str] = {
    "length": "m",
    "time": "s",
    "rate": "1/s",
    "pressure": "Pa",
    "dimensionless": "",
    "molar_volume": "m^3/mol",
    "concentration": "mol/m^3",
    "diffusivity": "m^2/s",
    "current_density": "A/m^2",
    "flux": "mol/m^2/s",
    "energy_per_area": "J/m^2",
    "toughness": "Pa*m^0.5",
    "density": "kg/m^3",
    "stiffness_per_area": "Pa/m",
    "temperature": "K",
    "thermal_expansion": "1/K",
    "voltage": "V",
    "angle": "rad",
}


#: The largest magnitude of a quantity in SI units (moduli are ~1e11 Pa, fixture stiffnesses
#: ~1e16 Pa/m): beyond it a number is a typo, and its cube or square overflows a float.
LARGEST_SI = 1e30


class UnitError(ValueError):
    """A value that is not a quantity of the expected dimension."""


def to_si(value: object, dimension: str) -> float:
    """Convert a number or a string with units to a finite SI float.

    NaN and infinities are refused wherever femsi reads a quantity (``.nan``, ``.inf``,
    ``"inf um"``): no physical input is infinite, and a NaN would reach the compiled forms.

    Args:
        value: A number (taken as SI), a string such as ``"1 um"``, or a bare number in a
            string (``"1e-6"``, SI).
        dimension: A key of :data:`SI_UNITS`.

    Returns:
        The value in SI units.

    Raises:
        UnitError: The string does not parse, has the wrong dimension, or is not finite.
    """
    result = _to_si(value, dimension)
    if not math.isfinite(result):
        raise UnitError(f"expected a finite {dimension.replace('_', ' ')}, got {value!r}")
    if abs(result) > LARGEST_SI:
        raise UnitError(
            f"{value!r} is beyond any physical {dimension.replace('_', ' ')} "
            f"(at most {LARGEST_SI:.0e} in SI units)"
        )
    return result


def _to_si(value: object, dimension: str) -> float:
    if isinstance(value, bool):
        raise UnitError(f"expected a {dimension.replace('_', ' ')}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise UnitError(f"expected a number or a string with units, got {value!r}")
    try:
        # A bare number in a string is SI too: YAML 1.1 reads "1e-6" (no dot) as a string.
        return float(value)
    except ValueError:
        pass
    ureg = registry()
    try:
        quantity = ureg.Quantity(value.strip())
    except Exception as err:  # pint raises several unrelated types for bad strings
        raise UnitError(f"cannot read {value!r} as a quantity ({err})") from None
    target = SI_UNITS[dimension]
    try:
        return float(quantity.to(target).magnitude if target else quantity.to("").magnitude)
    except pint.DimensionalityError:
        wanted = target or "dimensionless"
        raise UnitError(
            f"{value!r} has units of {quantity.units:~} but a {dimension.replace('_', ' ')} "
            f"({wanted}) is expected"
        ) from None
