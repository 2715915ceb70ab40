"""The cell stack above the plate, reduced to elastic layers in series with the frame.

Between the resolved body's plate and the frame stand the other layers of the cell: the
separator pellet, the cathode composite, the counter electrode, current collectors. Each is
reduced to one dimension: thickness t₀, modulus M across the thickness (the constrained
modulus E(1 - ν)/((1 + ν)(1 - 2ν)) in a die, E without one) and a free thickness strain
f(n) driven by the lithium n (mol per m² of cell area) the anode has taken up since the
study's start. Under the stack pressure p a layer is

    t(p, n) = t₀ (1 + f(n) - p / M).

The frame (with its load cell) adds a compliance 1/k_f. The layers and the frame carry the
same force, so with the total height held by the frame,

    w + Σ t₀ f(n) - p C = const,    C = Σ t₀ / M + 1/k_f,

w being the plate's displacement. After the plate is engaged at (w_e, n_e, p_e) the body
therefore feels a spring of stiffness k = 1/C whose rest position moves with the lithium:

    p = p_e + k (w - w_rest(n)),    w_rest(n) = w_e - [F(n) - F(n_e)],  F = Σ t₀ f,

the form :class:`femsi.physics.plate_load.PlateLoad` already has. This is the series
(Reuss) combination of springs, exact for uniaxial layers in a die (Timoshenko & Goodier,
Theory of Elasticity, 3rd ed., 1970, §6, for the laterally confined layer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from femsi.config.schema.stack import CathodeSwelling, CounterElectrodeSwelling, StackLayer
from femsi.materials import resolve_material

logger = logging.getLogger(__name__)


def constrained_modulus(youngs_modulus: float, poissons_ratio: float) -> float:
    """M = E (1 - ν) / ((1 + ν)(1 - 2ν)): a layer's modulus with its sides held."""
    nu = poissons_ratio
    return youngs_modulus * (1 - nu) / ((1 + nu) * (1 - 2 * nu))


@dataclass(frozen=True)
class ReducedLayer:
    """One layer of the stack: thickness, modulus and free strain.

    Attributes:
        name: The layer's name (its output columns).
        thickness: Thickness at assembly, m.
        modulus: Modulus across the thickness, Pa.
        free_strain: Free thickness strain against the lithium taken up by the anode,
            mol/m² of cell area (0 at 0).
        soc: The layer's own state of charge against the same, or None (a cathode has one).
    """

    name: str
    thickness: float
    modulus: float
    free_strain: Callable[[float], float]
    soc: Callable[[float], float] | None = None

    def thickness_at(self, pressure: float, lithium: float) -> float:
        """t₀ (1 + f(n) - p / M)."""
        return self.thickness * (1.0 + self.free_strain(lithium) - pressure / self.modulus)


class CathodeStrain:
    """The free thickness strain of a cathode composite at the lithium it has given.

    Args:
        swelling: The layer's ``swelling`` section.
        anode_capacity: The anode's lithium capacity per cell area, mol/m².
        name: The layer's name (for the warning when the cathode runs out).
    """

    def __init__(self, swelling: CathodeSwelling, anode_capacity: float, name: str) -> None:
        self.capacity = anode_capacity / swelling.np_ratio
        self.start = swelling.initial_soc
        self.socs = np.array([s for s, _ in swelling.thickness_strain])
        self.strains = np.array([e for _, e in swelling.thickness_strain])
        self.name = name
        self._warned = False

    def soc(self, lithium: float) -> float:
        """The cathode's state of charge: its start plus the lithium given over its capacity."""
        return self.start + lithium / self.capacity if self.capacity > 0 else self.start

    def __call__(self, lithium: float) -> float:
        """The free thickness strain since the study's start at ``lithium`` (mol/m²)."""
        soc = self.soc(lithium)
        if not 0.0 <= soc <= 1.0 and not self._warned:
            logger.warning(
                "cell.stack %s: cathode state of charge %.3f is outside [0, 1] (np_ratio and "
                "initial_soc against the anode's uptake); its strain is held at the end value",
                self.name,
                soc,
            )
            self._warned = True
        at = float(np.interp(soc, self.socs, self.strains))
        return at - float(np.interp(self.start, self.socs, self.strains))


class CounterElectrodeStrain:
    """A counter electrode thins by its molar volume per mole of lithium it gives.

    Args:
        swelling: The layer's ``swelling`` section.
        thickness: The layer's thickness at assembly, m.
    """

    def __init__(self, swelling: CounterElectrodeSwelling, thickness: float) -> None:
        self.per_mole = swelling.molar_volume / thickness

    def __call__(self, lithium: float) -> float:
        """-V n / t₀ at ``lithium`` n (mol/m²)."""
        return -self.per_mole * lithium


def _no_strain(_lithium: float) -> float:
    return 0.0


class ReducedStack:
    """The reduced layers above the plate and the frame's compliance.

    Args:
        layers: The layers, bottom (on the plate) to top.
        frame_compliance: 1/k_f of the frame with its load cell, m/Pa (0: rigid).
    """

    def __init__(self, layers: Sequence[ReducedLayer], frame_compliance: float = 0.0) -> None:
        self.layers = list(layers)
        self.frame_compliance = float(frame_compliance)

    @property
    def compliance(self) -> float:
        """C = Σ t₀ / M + 1/k_f, m/Pa: plate travel per unit stack pressure."""
        return sum(layer.thickness / layer.modulus for layer in self.layers) + (
            self.frame_compliance
        )

    def free_growth(self, lithium: float) -> float:
        """F(n) = Σ t₀ f(n): the stack's thickness growth at constant pressure, m."""
        return sum(layer.thickness * layer.free_strain(lithium) for layer in self.layers)

    def thicknesses(self, pressure: float, lithium: float) -> dict[str, float]:
        """Each layer's thickness under ``pressure`` at ``lithium``, m."""
        return {layer.name: layer.thickness_at(pressure, lithium) for layer in self.layers}

    def growth(self, pressure: float, lithium: float) -> float:
        """Σ (t - t₀): the stack's thickness change since assembly, m."""
        return sum(layer.thickness_at(pressure, lithium) - layer.thickness for layer in self.layers)


def reduced_stack(
    layers: Sequence[StackLayer],
    *,
    confined: bool,
    anode_capacity: float,
    frame_stiffness: float | None,
) -> ReducedStack:
    """The reduced stack of a ``cell.stack`` section.

    Args:
        layers: The ``cell.stack`` entries.
        confined: Whether the die holds the layers' sides (``cell.lateral: confined``).
        anode_capacity: The resolved body's lithium capacity per cell area, mol/m².
        frame_stiffness: Stiffness per area of the frame with its load cell, Pa/m; None:
            rigid.

    Raises:
        femsi.errors.InputError: A layer names a material the library does not have.
    """
    reduced = []
    for index, spec in enumerate(layers):
        if spec.material is not None:
            material = resolve_material(spec.material, f"cell.stack.{index}.material")
            youngs, nu = float(material.youngs_modulus(0.0)), material.poissons_ratio
        else:
            assert spec.youngs_modulus is not None and spec.poissons_ratio is not None
            youngs, nu = spec.youngs_modulus, spec.poissons_ratio
        modulus = constrained_modulus(youngs, nu) if confined else youngs
        swelling = spec.swelling
        strain: Callable[[float], float] = _no_strain
        soc = None
        if isinstance(swelling, CathodeSwelling):
            cathode = CathodeStrain(swelling, anode_capacity, spec.name)
            strain, soc = cathode, cathode.soc
        elif isinstance(swelling, CounterElectrodeSwelling):
            strain = CounterElectrodeStrain(swelling, spec.thickness)
        reduced.append(ReducedLayer(spec.name, spec.thickness, modulus, strain, soc))
    return ReducedStack(reduced, 1.0 / frame_stiffness if frame_stiffness else 0.0)
