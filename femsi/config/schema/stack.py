"""The rest of the cell stack, above the resolved body, as reduced one-dimensional layers.

A solid-state cell in its fixture is a series of layers between the die floor and the frame:
the resolved body (the composite anode, film or RVE femsi meshes) and, above its pressure
plate, the separator pellet, the cathode composite, the counter electrode and current
collectors. Each layer of ``cell.stack`` is reduced to its thickness, its elastic modulus
across the thickness and a free thickness strain driven by the lithium the anode takes up
(:mod:`femsi.physics.stack`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from femsi.config.schema.quantities import (
    Fraction,
    PositiveLength,
    PositiveModulus,
    PositiveMolarVolume,
    Section,
)


class CathodeSwelling(Section):
    """A cathode composite whose thickness follows its own state of charge.

    The lithium the anode takes up comes out of the cathode: its state of charge rises by the
    anode's lithium uptake over the cathode's capacity, which is the anode's (the resolved
    body's active capacity per cell area) divided by ``np_ratio``. ``thickness_strain`` is
    the layer's free thickness strain against the cathode's state of charge (0 discharged,
    1 charged), interpolated linearly; layered oxides (NCM) contract on charge, so the
    strains are negative.
    """

    kind: Literal["cathode"] = Field(description="`cathode`: strain against the cathode's SOC")
    np_ratio: Annotated[float, Field(gt=0)] = Field(
        description="anode to cathode capacity ratio (N/P) of the cell"
    )
    initial_soc: Fraction = Field(
        default=0.0, description="the cathode's state of charge at the study's start"
    )
    thickness_strain: Annotated[list[tuple[Fraction, float]], Field(min_length=2)] = Field(
        description=(
            "[[cathode SOC, free thickness strain], ...] from SOC 0 to 1, ascending; "
            "strain 0 at SOC 0"
        )
    )

    @model_validator(mode="after")
    def _spans_zero_to_one(self):
        socs = [soc for soc, _ in self.thickness_strain]
        rising = all(b > a for a, b in zip(socs, socs[1:], strict=False))
        if socs[0] != 0.0 or socs[-1] != 1.0 or not rising:
            raise ValueError("thickness_strain SOCs ascend from 0 to 1")
        if any(abs(strain) >= 0.5 for _, strain in self.thickness_strain):
            raise ValueError("thickness_strain values are strains (|strain| < 0.5)")
        return self


class CounterElectrodeSwelling(Section):
    """A counter electrode (Li metal, Li–In) that gives the anode its lithium.

    Its thickness falls by ``molar_volume`` per mole of lithium the anode takes up per cell
    area: 13.0 cm³/mol for lithium metal (6.94 g/mol over 0.534 g/cm³; CRC Handbook of
    Chemistry and Physics).
    """

    kind: Literal["counter_electrode"] = Field(
        description="`counter_electrode`: thins by a molar volume per mole of lithium given"
    )
    molar_volume: PositiveMolarVolume = Field(
        description="the layer's volume lost per mole of lithium given to the anode"
    )


LayerSwelling = Annotated[CathodeSwelling | CounterElectrodeSwelling, Field(discriminator="kind")]


class StackLayer(Section):
    """One reduced layer of the cell stack above the plate.

    Elastic across its thickness: with ``cell.lateral: confined`` (the die holds the layer's
    sides) its modulus is the constrained modulus M = E (1 - ν) / ((1 + ν)(1 - 2ν)), with
    ``free`` Young's modulus E. Either ``material`` (a library name: E at SOC 0 and ν) or
    ``youngs_modulus`` with ``poissons_ratio``.
    """

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)] = Field(
        description="the layer's name in the output columns (lower case, digits, underscores)"
    )
    thickness: PositiveLength = Field(description="the layer's thickness at assembly")
    material: str | None = Field(
        default=None, description="library material for E and ν (or give both below)"
    )
    youngs_modulus: PositiveModulus | None = Field(
        default=None, description="Young's modulus of the layer (with poissons_ratio)"
    )
    poissons_ratio: Annotated[float, Field(gt=-1, lt=0.5)] | None = Field(
        default=None, description="Poisson's ratio of the layer (with youngs_modulus)"
    )
    swelling: LayerSwelling | None = Field(
        default=None,
        description="free thickness strain: `cathode` or `counter_electrode`; null: none",
    )

    @model_validator(mode="after")
    def _one_source_of_moduli(self):
        given = (self.youngs_modulus is not None, self.poissons_ratio is not None)
        if self.material is not None and any(given):
            raise ValueError("give material or youngs_modulus and poissons_ratio, not both")
        if self.material is None and not all(given):
            raise ValueError("give material, or both youngs_modulus and poissons_ratio")
        return self
