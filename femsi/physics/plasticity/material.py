"""Plastic parameters of one material and their evaluation at quadrature points.

A material flows when it carries a ``yield_stress`` σ_Y(SOC) (constant, linear or a table in the
state of charge, :class:`femsi.materials.SocFunction`); ``hardening_modulus`` H (default 0,
perfectly plastic) adds linear isotropic hardening, σ_f = σ_Y(SOC) + H α. With
``viscoplastic_rate`` ε̇₀ (and ``viscoplastic_exponent`` m, default 1) the flow is the
Bower-Guduru power law dα/dt = ε̇₀ ⟨q/σ_f - 1⟩^m (Bower, Guduru & Sethuraman, JMPS 59 (2011)
804); without it the flow is rate independent. The SOC dependence of σ_Y lets one material
flow at about -1.75 GPa on first lithiation and +1 GPa on delithiation (Sethuraman et al.,
J. Power Sources 195 (2010) 5062) through a yield stress that falls with Li content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from femsi.materials import Material, SocFunction
from femsi.physics.plasticity.flow import FlowParameters


@dataclass(frozen=True)
class PlasticMaterial:
    """Flow parameters of one material, SI.

    Attributes:
        yield_stress: σ_Y as a function of the state of charge, Pa.
        hardening_modulus: H, Pa.
        viscoplastic_rate: ε̇₀ in 1/s, or ``None`` for rate-independent flow.
        viscoplastic_exponent: m ≥ 1.
    """

    yield_stress: SocFunction
    hardening_modulus: float = 0.0
    viscoplastic_rate: float | None = None
    viscoplastic_exponent: float = 1.0

    def __post_init__(self):
        if self.yield_stress.min() <= 0:
            raise ValueError("yield_stress must be positive")
        if self.hardening_modulus < 0:
            raise ValueError("hardening_modulus must not be negative")
        if self.viscoplastic_rate is not None and self.viscoplastic_rate <= 0:
            raise ValueError("viscoplastic_rate must be positive")
        if self.viscoplastic_exponent < 1:
            raise ValueError("viscoplastic_exponent must be at least 1 (return-map convergence)")

    @classmethod
    def from_material(cls, material: Material, viscoplastic: bool) -> PlasticMaterial | None:
        """The plastic parameters of a library material (``None`` if it has no yield stress).

        Args:
            material: A resolved material; reads ``yield_stress``, ``hardening_modulus``,
                ``viscoplastic_rate`` and ``viscoplastic_exponent`` from its extras.
            viscoplastic: Whether the study asks for viscoplastic flow (then the material
                must carry ``viscoplastic_rate``).

        Raises:
            ValueError: Viscoplastic flow without a rate, or an invalid value.
        """
        extra = material.extra
        sigma_y = extra.get("yield_stress")
        if sigma_y is None:
            return None
        if not isinstance(sigma_y, SocFunction):
            sigma_y = SocFunction.constant(float(sigma_y))
        rate = extra.get("viscoplastic_rate") if viscoplastic else None
        if viscoplastic and rate is None:
            raise ValueError(f"{material.name}: viscoplastic flow needs 'viscoplastic_rate'")
        return cls(
            yield_stress=sigma_y,
            hardening_modulus=float(extra.get("hardening_modulus", 0.0)),
            viscoplastic_rate=None if rate is None else float(rate),
            viscoplastic_exponent=float(extra.get("viscoplastic_exponent", 1.0)),
        )

    def flow_parameters(self, soc: np.ndarray) -> FlowParameters:
        """Per-point flow parameters at the states of charge ``soc``, shape (n,)."""
        soc = np.asarray(soc, dtype=float)
        n = soc.shape[0]
        rate = np.inf if self.viscoplastic_rate is None else self.viscoplastic_rate
        return FlowParameters(
            self.yield_stress(np.clip(soc, 0.0, 1.0)),
            np.full(n, self.hardening_modulus),
            np.full(n, rate),
            np.full(n, self.viscoplastic_exponent),
        )
