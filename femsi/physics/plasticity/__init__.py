"""Plasticity of lithiated silicon: quadrature-point return maps and their FE operator.

- ``flow``: the scalar plastic increment (rate independent, or Bower-Guduru viscoplastic);
- ``small_strain``: J2 radial return with eigenstrain and its closed-form consistent tangent;
- ``finite_strain``: F = F_e F_p F_s, Hencky elasticity, exponential-map return, dP/dF;
- ``material``: a material's flow parameters, the yield stress a function of state of charge;
- ``operator``: quadrature-space stress and tangent for DOLFINx forms, with history.

The constitutive updates are vectorised NumPy over arrays of points; none imports DOLFINx.
"""

from femsi.physics.plasticity.finite_strain import FiniteStrainState, finite_strain_update
from femsi.physics.plasticity.flow import FlowParameters, plastic_increment
from femsi.physics.plasticity.material import PlasticMaterial
from femsi.physics.plasticity.small_strain import SmallStrainState, small_strain_update

__all__ = [
    "FiniteStrainState",
    "FlowParameters",
    "PlasticMaterial",
    "SmallStrainState",
    "finite_strain_update",
    "plastic_increment",
    "small_strain_update",
]
