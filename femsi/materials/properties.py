"""Material parameters that may depend on the state of charge.

A parameter is given as a constant, ``{linear: [value_at_soc_0, value_at_soc_1]}`` or
``{table: {soc: [...], value: [...]}}`` (piecewise linear, constant beyond the ends). For
quantities that change by orders of magnitude (a diffusivity that rises steeply with the
lithium content, which makes crystalline silicon lithiate by a sharp two-phase front), the
interpolation may be in log space: ``{exponential: [value_at_soc_0, value_at_soc_1]}`` is
v0 (v1/v0)^SOC = v0 exp(SOC ln(v1/v0)), and ``{log_table: {soc: [...], value: [...]}}`` is
piecewise linear in ln(value). The same object evaluates on NumPy arrays (reports) and
builds the UFL expression used in forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
import ufl

from femsi.units import UnitError, to_si


@dataclass(frozen=True)
class SocFunction:
    """A piecewise-linear function of the state of charge (a constant has one point).

    Attributes:
        soc: Strictly increasing breakpoints in [0, 1].
        value: Values at the breakpoints, SI.
        log: Interpolate ln(value) instead of value (positive values only).
    """

    soc: tuple[float, ...]
    value: tuple[float, ...]
    log: bool = False

    @classmethod
    def constant(cls, value: float) -> SocFunction:
        """A parameter that does not depend on the state of charge."""
        return cls((0.0,), (float(value),))

    @property
    def is_constant(self) -> bool:
        """Whether the function has a single value."""
        return len(self.value) == 1

    @overload
    def __call__(self, soc: np.ndarray) -> np.ndarray: ...
    @overload
    def __call__(self, soc: float) -> np.ndarray | np.float64: ...
    def __call__(self, soc: np.ndarray | float) -> np.ndarray | np.float64:
        """Evaluate at ``soc`` (NumPy)."""
        if self.is_constant:
            return np.full_like(np.asarray(soc, dtype=float), self.value[0])
        if self.log:
            return np.exp(np.interp(soc, self.soc, np.log(self.value)))
        return np.interp(soc, self.soc, self.value)

    def ufl(self, soc: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """The UFL expression of the function of a UFL state of charge."""
        if self.is_constant:
            return ufl.as_ufl(self.value[0])
        values = [float(np.log(v)) for v in self.value] if self.log else list(self.value)
        expr = ufl.as_ufl(values[0])
        for (s0, v0), (s1, v1) in zip(
            zip(self.soc[:-1], values[:-1], strict=True),
            zip(self.soc[1:], values[1:], strict=True),
            strict=True,
        ):
            slope = (v1 - v0) / (s1 - s0)
            clipped = ufl.min_value(ufl.max_value(soc, s0), s1)
            expr = expr + slope * (clipped - s0)
        return ufl.exp(expr) if self.log else expr

    def min(self) -> float:
        """Smallest value."""
        return min(self.value)

    def describe(self, unit: str = "") -> str:
        """A short human-readable form."""
        suffix = f" {unit}" if unit else ""
        if self.is_constant:
            return f"{self.value[0]:.4g}{suffix}"
        pairs = ", ".join(
            f"{v:.4g} at SOC {s:g}" for s, v in zip(self.soc, self.value, strict=True)
        )
        return f"{pairs}{suffix}" + (" (log-linear)" if self.log else "")


def parse_soc_function(raw: object, dimension: str) -> SocFunction:
    """Read a parameter given as a quantity, ``{linear: [...]}`` or ``{table: {...}}``.

    Args:
        raw: The value from YAML.
        dimension: The physical dimension (a key of :data:`femsi.units.SI_UNITS`).

    Raises:
        UnitError: Any part is malformed.
    """
    if isinstance(raw, dict):
        if set(raw) in ({"exponential"}, {"log_table"}):
            key = next(iter(raw))
            linear = parse_soc_function(
                {"linear" if key == "exponential" else "table": raw[key]}, dimension
            )
            if min(linear.value) <= 0:
                raise UnitError(f"'{key}' interpolates ln(value): the values must be positive")
            return SocFunction(linear.soc, linear.value, log=True)
        if set(raw) == {"linear"}:
            ends = raw["linear"]
            if not isinstance(ends, list | tuple) or len(ends) != 2:
                raise UnitError("'linear' takes two values: [value at SOC 0, value at SOC 1]")
            return SocFunction((0.0, 1.0), tuple(to_si(v, dimension) for v in ends))
        if set(raw) == {"table"}:
            table = raw["table"]
            if not isinstance(table, dict) or set(table) != {"soc", "value"}:
                raise UnitError("'table' takes {soc: [...], value: [...]}")
            soc = [to_si(s, "dimensionless") for s in table["soc"]]
            values = [to_si(v, dimension) for v in table["value"]]
            if len(soc) < 2 or len(soc) != len(values):
                raise UnitError("'table' needs at least two points and as many values as SOCs")
            if any(b <= a for a, b in zip(soc[:-1], soc[1:], strict=True)):
                raise UnitError("'table.soc' must increase strictly")
            if soc[0] < 0 or soc[-1] > 1:
                raise UnitError("'table.soc' must lie in [0, 1]")
            return SocFunction(tuple(soc), tuple(values))
        raise UnitError(
            "expected a quantity, {linear: [a, b]}, {table: {soc: [...], value: [...]}}, "
            "{exponential: [a, b]} or {log_table: {soc: [...], value: [...]}}"
        )
    return SocFunction.constant(to_si(raw, dimension))
