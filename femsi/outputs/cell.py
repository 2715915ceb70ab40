"""What a cell engineer reads off a fixture, and what the particle surfaces feel.

For a body in a die (``electrode``, ``rve``, ``film``):

- ``stack_pressure_Pa``: the force the body exerts on the plate over the cell area,
  compressive positive, as a load cell would measure it. It is the plate's share of the
  internal force vector, ``-Φ · f_int / A`` with Φ the indicator of the plate's slave dofs,
  exact for the discrete solution (not a stress average).
- ``plate_displacement_m``: the plate's normal displacement (mean over the plate surface).
- ``electrode_thickness_m``: initial layer thickness plus the difference of the mean normal
  displacements of the surfaces bounding the layer from above and below.
- ``electrode_volume_change``: ∫ J dV / V₀ - 1 over the layer's regions (for small strain
  J = 1 + div u).
- with a reduced stack (``cell.stack``): ``cell_thickness_change_m`` (plate displacement plus
  the layers' thickness change), ``stack.<name>.thickness_m`` per layer and
  ``stack.<name>.soc`` for a cathode (:meth:`~femsi.solvers.plate_control.PlateControl.
  stack_state`).

For every body with mechanics, over the active (lithium-exchanging) surfaces:

- ``mean_potential_shift_V``: the area mean of Ω σ_h / F on the active material's side,
  the stress-induced shift of the equilibrium potential (Larché–Cahn; Sheldon et al., J.
  Electrochem. Soc. 158 (2011) A1249). Sign: tension positive, so a compressive hydrostatic
  stress lowers the potential (makes lithiation harder); σ_h is the Cauchy hydrostatic stress.
- ``interface_tension_fraction``: the share of that area where the normal traction n·σ·n is
  tensile (above 1e-6 of the reference modulus): where a particle would lose contact with the
  solid electrolyte.
"""

from __future__ import annotations

import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm
from femsi.physics.kinematics import as_3d
from femsi.physics.model import CoupledModel
from femsi.solvers.protocol import FARADAY

#: Columns of a body in a die.
CELL_COLUMNS = (
    "stack_pressure_Pa",
    "plate_displacement_m",
    "electrode_thickness_m",
    "electrode_volume_change",
)
#: Columns of every body with mechanics and an active surface.
SURFACE_COLUMNS = ("mean_potential_shift_V", "interface_tension_fraction")
#: Regions outside the electrode layer of a cell.
NON_LAYER_REGIONS = ("separator", "current_collector", "substrate")


class CellMetrics:
    """Plate force, thickness and surface quantities, each a form compiled once.

    Args:
        model: The coupled model (with mechanics).
        plate_control: The plate's controller (its stack pressure); a body in a die without a
            plate (``cell.plate: none``) has a null one that carries no force.
    """

    def __init__(self, model: CoupledModel, plate_control):
        mesh_model, m, comm = model.model, model.measures, model.mesh.comm
        q = m.mechanics_degree
        one = fem.Constant(model.mesh, 1.0)
        uz = model.u[model.u.ufl_shape[0] - 1]  # the thickness direction: z, or y in 2D
        self.in_cell = mesh_model.plate is not None
        self.columns = (
            (CELL_COLUMNS if self.in_cell else ())
            + plate_control.stack_columns()
            + (SURFACE_COLUMNS if mesh_model.active_surfaces else ())
        )
        if self.in_cell:
            plate = [mesh_model.plate]
            self._area = ScalarForm(m.surface_integral(one, plate, q), comm)()
            self._plate_uz = ScalarForm(m.surface_integral(uz, plate, q), comm)
            self._plate = plate_control
            assert mesh_model.layer_interfaces is not None  # every body with a plate has them
            below, above = mesh_model.layer_interfaces
            self._thickness0 = mesh_model.layer_thickness
            self._mean_uz = {
                name: (
                    ScalarForm(m.surface_integral(uz, [name], q), comm),
                    ScalarForm(m.surface_integral(one, [name], q), comm)(),
                )
                for name in (below, above)
            }
            self._below, self._above = below, above
            layer = [r for r in mesh_model.regions if r not in NON_LAYER_REGIONS]
            self._layer_volume = ScalarForm(one * m.regions(layer, q), comm)()
            self._layer_deformed = ScalarForm(model.volume_ratio * m.regions(layer, q), comm)
        if mesh_model.active_surfaces:
            surfaces = mesh_model.active_surfaces
            omega = model.fields.piecewise(
                lambda mat: mat.partial_molar_volume if mat.is_active else 0.0
            )
            sigma = model.stress
            shift = omega * model.hydrostatic_stress / FARADAY
            self._active_area = ScalarForm(m.surface_integral(one, surfaces, q), comm)()
            self._shift = ScalarForm(m.one_sided_surface_integral(shift, surfaces, q), comm)
            n = as_3d(ufl.FacetNormal(model.mesh))
            tol = 1e-6 * model.stress_scale
            tensile = ufl.conditional(ufl.gt(ufl.dot(n, sigma * n), tol), 1.0, 0.0)
            self._tensile = ScalarForm(m.surface_integral(tensile, surfaces, q), comm)

    def evaluate(self) -> dict[str, float]:
        """The columns' values for the current state."""
        row: dict[str, float] = {}
        if self.in_cell:
            row["stack_pressure_Pa"] = self._plate.pressure()
            row["plate_displacement_m"] = self._plate_uz() / self._area
            mean = {name: form() / area for name, (form, area) in self._mean_uz.items()}
            row["electrode_thickness_m"] = self._thickness0 + mean[self._above] - mean[self._below]
            row["electrode_volume_change"] = self._layer_deformed() / self._layer_volume - 1.0
            row.update(self._plate.stack_state())
        if hasattr(self, "_shift"):
            row["mean_potential_shift_V"] = self._shift() / self._active_area
            row["interface_tension_fraction"] = self._tensile() / self._active_area
        return row
