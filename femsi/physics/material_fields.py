"""Material parameters as fields over the mesh.

Each region carries its own material. Constant parameters become one piecewise-constant (DG0)
function over all regions; SOC-dependent ones add χ_r f_r(c / c_max) for their region r (χ_r the
DG0 indicator). The same expressions serve forms and stress Expressions, so one stress formula
is valid in every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.geometry.model import MeshModel
from femsi.materials import Material, SocFunction
from femsi.typing import UFLExpr, UFLValue


@dataclass
class MaterialFields:
    """Per-cell material data of a multi-region body.

    Attributes:
        model: The mesh and its regions.
        materials: Region name to material.
        space: The DG0 space the fields live in.
    """

    model: MeshModel
    materials: dict[str, Material]
    space: fem.FunctionSpace

    @classmethod
    def build(cls, model: MeshModel, materials: dict[str, Material]) -> MaterialFields:
        """Create the DG0 space of the mesh."""
        return cls(model, materials, fem.functionspace(model.mesh, ("DG", 0)))

    def piecewise(self, value_of) -> fem.Function:
        """A DG0 function with ``value_of(material)`` in each region's cells."""
        f = fem.Function(self.space)
        for region, material in self.materials.items():
            f.x.array[self.model.cells_of(region)] = value_of(material)
        f.x.scatter_forward()
        return f

    def indicator(self, names) -> fem.Function:
        """1 in the named regions, 0 elsewhere."""
        f = fem.Function(self.space)
        for region in names:
            f.x.array[self.model.cells_of(region)] = 1.0
        f.x.scatter_forward()
        return f

    @property
    def active_regions(self) -> list[str]:
        """Regions whose material stores lithium."""
        return [r for r, m in self.materials.items() if m.is_active]

    def concentration_scale(self) -> fem.Function:
        """c_max in active regions, 1 elsewhere (so c / c_max is always defined)."""
        return self.piecewise(lambda m: m.max_concentration if m.is_active else 1.0)

    def soc_dependent(self, name: str, c: UFLValue) -> UFLExpr:
        """The UFL expression of parameter ``name`` over all regions, for concentration c."""
        constant_part = self.piecewise(
            lambda m: _get(m, name).value[0] if _get(m, name).is_constant else 0.0
        )
        expr = constant_part
        soc = c / self.concentration_scale()
        for region, material in self.materials.items():
            f = _get(material, name)
            if not f.is_constant:
                expr = expr + self.indicator([region]) * f.ufl(soc)
        return expr


def _get(material: Material, name: str) -> SocFunction:
    value = getattr(material, name, None)
    if value is None:
        value = material.extra.get(name)
    if value is None:
        return SocFunction.constant(0.0)
    if isinstance(value, SocFunction):
        return value
    return SocFunction.constant(float(np.asarray(value)))
