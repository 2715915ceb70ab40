"""Lithium transport in the active regions: the concentration unknown and its residual.

Fick diffusion (Crank, The Mathematics of Diffusion, 2nd ed. 1975, eq. 1.4) with D(c) and,
for ``physics.chemical_potential: ideal_solution``, the thermodynamic factor 1/(1 - x) of
μ = μ₀ + RT ln(x/(1 - x)). The unknown is θ = c/c_max (order one); the residual is divided by
c_max/Δt and L³ so that Newton tolerances measure a change of state of charge.

Other parts add flux terms (the stress-driven flux, the Butler-Volmer surface reaction) with
:meth:`Transport.add_flux`; the residual is assembled from the base term and those in
:meth:`Transport.finalize`, once, so the order in which parts are built does not matter.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Physics
from femsi.geometry.model import MeshModel
from femsi.materials import Material
from femsi.physics.constraints import consistent_dofs
from femsi.physics.diffusion import diffusion_residual
from femsi.physics.material_fields import MaterialFields
from femsi.physics.measures import Measures
from femsi.typing import UFLExpr, UFLForm


class Transport:
    """The concentration θ = c/c_max, its conditions and the diffusion residual.

    Args:
        model: The mesh with its regions and surfaces.
        materials: Region name to material.
        fields: Piecewise material fields of the mesh.
        measures: The study's measures (quadrature degrees).
        physics: The ``physics`` section.
        depth: Integrals per metre along z in plane strain (else 1).
        length_scale: The body's half-extent L, m.
        surface_flux: Whether a prescribed inward flux drives the surface (not with
            Butler-Volmer kinetics, which add their own surface term).
    """

    def __init__(
        self,
        model: MeshModel,
        materials: dict[str, Material],
        fields: MaterialFields,
        measures: Measures,
        physics: Physics,
        depth: float,
        length_scale: float,
        surface_flux: bool = True,
    ) -> None:
        self.model, self.materials, self.fields, self.measures = model, materials, fields, measures
        mesh = self.mesh = model.mesh
        self.active_regions = fields.active_regions
        self.Vc = fem.functionspace(mesh, ("Lagrange", physics.concentration_degree))
        c_max = self.reference_max_concentration
        self.theta = fem.Function(self.Vc, name="normalised_concentration")
        self.theta_n = fem.Function(self.Vc)
        self.c = fem.Function(self.Vc, name="concentration")
        self.concentration = c_max * self.theta
        self.dt = fem.Constant(mesh, 1.0)
        self.inward_flux = fem.Constant(mesh, 0.0)
        self._held_theta = fem.Constant(mesh, 0.0)
        tdim = mesh.topology.dim
        active_cells = np.concatenate(
            [model.cells_of(r) for r in self.active_regions] or [np.empty(0, np.int32)]
        )
        self.active_dofs = consistent_dofs(
            self.Vc, fem.locate_dofs_topological(self.Vc, tdim, active_cells)
        )
        inactive = np.setdiff1d(
            np.arange(self.theta.x.array.size, dtype=np.int32), self.active_dofs
        )
        self._pin_inactive = fem.dirichletbc(fem.Constant(mesh, 0.0), inactive, self.Vc)
        surface_facets = np.concatenate(
            [model.facets_of(s) for s in model.active_surfaces] or [np.empty(0, np.int32)]
        )
        self.surface_dofs = consistent_dofs(
            self.Vc, fem.locate_dofs_topological(self.Vc, tdim - 1, surface_facets)
        )
        self._hold = fem.dirichletbc(self._held_theta, self.surface_dofs, self.Vc)
        self._set_initial_concentration()
        self.test = ufl.TestFunction(self.Vc)
        q = measures.diffusion_degree
        dx_active = measures.regions(self.active_regions, q)
        #: The residual's scale: a change of state of charge per unit volume L³.
        self.scale = self.dt * depth / (c_max * length_scale**3)
        self.diffusivity = fields.soc_dependent("diffusivity", self.concentration)
        if physics.chemical_potential == "ideal_solution":
            # The thermodynamic factor 1/(1-x) multiplies D; x is capped just below 1 so that
            # the factor stays finite (at most 1e4).
            x = ufl.min_value(self.concentration / fields.concentration_scale(), 1 - 1e-4)
            self.diffusivity = self.diffusivity / (1 - x)
        self._base = self.scale * diffusion_residual(
            self.concentration,
            c_max * self.theta_n,
            self.test,
            self.dt,
            self.diffusivity,
            self.inward_flux if surface_flux else fem.Constant(mesh, 0.0),
            dx_active,
            lambda integrand: measures.surface_integral(integrand, model.active_surfaces, q),
            measures.lumped_regions(self.active_regions) if physics.mass_lumping else None,
        )
        self._extra_fluxes: list[UFLForm] = []
        self.inactive_regions = [r for r in model.regions if r not in self.active_regions]
        # The Jacobian of the active-region form has no entries on inactive cells, so the
        # sparsity pattern would lack the diagonal the Dirichlet pin needs there (DOLFINx then
        # leaves a zero row). A zero-valued term over those cells puts it in.
        self._sparsity_zero = fem.Constant(mesh, 0.0)
        self.active_capacity_form = fields.concentration_scale() * dx_active
        self.active_amount_form = self.concentration * dx_active
        self.active_area_form = measures.surface_integral(
            fem.Constant(mesh, 1.0), model.active_surfaces, q
        )
        self.finalize()

    # ------------------------------------------------------------------ the residual

    def add_flux(self, term: UFLForm) -> None:
        """Add ``term`` (linear in the test function) to the outward flux: F -= scale · term."""
        self._extra_fluxes.append(term)
        self.finalize()

    def finalize(self) -> None:
        """The residual and its Jacobian from the base term and the added flux terms."""
        form = self._base
        for term in self._extra_fluxes:
            form = form - self.scale * term
        self.residual = form
        self.jacobian = None
        if self.inactive_regions:
            trial = ufl.TrialFunction(self.Vc)
            self.jacobian = ufl.derivative(form, self.theta, trial) + self.sparsity_term(
                trial, self.test, self.measures.diffusion_degree
            )

    def sparsity_term(self, trial: UFLExpr, test: UFLExpr, degree: int) -> UFLForm:
        """A zero-valued mass term over the inactive regions (the pinned dofs' diagonal)."""
        return (
            self._sparsity_zero
            * trial
            * test
            * self.measures.regions(self.inactive_regions, degree)
        )

    # ------------------------------------------------------------------ state

    def _set_initial_concentration(self) -> None:
        theta0 = 0.0
        for region in self.active_regions:
            material = self.materials[region]
            theta0 = material.initial_concentration / self.reference_max_concentration
        self.theta.x.array[:] = 0.0
        self.theta.x.array[self.active_dofs] = theta0
        self.theta_n.x.array[:] = self.theta.x.array
        self.sync()

    def sync(self) -> None:
        """Update the output concentration c = c_max θ from the unknown."""
        self.c.x.array[:] = self.reference_max_concentration * self.theta.x.array

    def begin_step(self) -> None:
        """θ_n ← θ: the start of a time step."""
        self.theta_n.x.array[:] = self.theta.x.array

    def restore(self) -> None:
        """θ ← θ_n: back to the start of the step."""
        self.theta.x.array[:] = self.theta_n.x.array
        self.sync()

    def set_held_concentration(self, value: float) -> None:
        """Set the surface concentration of a potentiostatic hold, mol/m³."""
        # fem.Constant.value is typed as an array; the setter takes a number (np.copyto).
        theta = value / self.reference_max_concentration
        self._held_theta.value = theta  # type: ignore[assignment]

    def bcs(self, held: bool) -> list[fem.DirichletBC]:
        """Conditions: inactive dofs pinned, the surface held or not."""
        return [self._pin_inactive, self._hold] if held else [self._pin_inactive]

    def surface_concentration_range(self) -> np.ndarray:
        """Local concentrations on the active surfaces, mol/m³."""
        return self.reference_max_concentration * self.theta.x.array[self.surface_dofs]

    @property
    def reference_max_concentration(self) -> float:
        """c_max of the (first) active region."""
        return (
            self.materials[self.active_regions[0]].max_concentration if self.active_regions else 1.0
        )
