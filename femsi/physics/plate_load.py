"""The pressure plate's dead load on the body: preload plus a spring, per unit area.

Normal traction -(p + k (u_z - w_rest)) on the plate surface of the reference body:
``pressure`` p (Pa, compressive), ``stiffness`` k (Pa/m) and the plate position ``rest`` (m)
where the spring carries just p. With the plate's slave dofs tied together
(:mod:`femsi.solvers.plate`) this sums to the total plate force. The values are set by the
plate's controller (:mod:`femsi.solvers.plate_control`), the only owner of the plate's state.
"""

from __future__ import annotations

from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.geometry.model import MeshModel
from femsi.physics.measures import Measures
from femsi.typing import UFLExpr, UFLForm


class PlateLoad:
    """The plate's load constants and its term of the mechanics residual.

    Args:
        mesh_model: The mesh with its plate surface (``mesh_model.plate``).
        measures: The study's measures.
        active: Whether the study has a plate (``cell.plate`` other than ``none``).
    """

    def __init__(self, mesh_model: MeshModel, measures: Measures, active: bool) -> None:
        self.mesh_model, self.measures, self.active = mesh_model, measures, active
        mesh = mesh_model.mesh
        self.pressure = fem.Constant(mesh, 0.0)
        self.stiffness = fem.Constant(mesh, 0.0)
        self.rest = fem.Constant(mesh, 0.0)

    def form(self, u: UFLExpr, v: UFLExpr) -> UFLForm | None:
        """∫ -(p + k (u_z - w_rest)) v_z dA over the plate, or None without a plate."""
        if not self.active:
            return None
        m, plate = self.measures, self.mesh_model.plate
        assert plate is not None  # a study with a plate has a mesh with its surface
        ds = m.ds(m.mechanics_degree)(self.mesh_model.surfaces[plate])
        up = self.mesh_model.thickness_axis  # z, or y in a 2D section
        normal_traction = self.pressure + self.stiffness * (u[up] - self.rest)
        return normal_traction * v[up] * ds
