"""The coupled model of one study: spaces, unknowns, material fields, forms and conditions.

``CoupledModel`` composes the pieces of ``femsi.physics`` for a mesh and its materials:
lithium diffusion in the active regions (``diffusion.py``), swelling (``swelling.py``) and an
elastic energy (``elasticity.py``), with boundary conditions (``constraints.py``). Coupling is
one-way: the concentration of the current step drives the mechanics. The forms are built and
compiled once; each step only changes Constants and Function values.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Cell, Physics
from femsi.geometry.model import MeshModel
from femsi.materials import Material
from femsi.physics.constraints import consistent_dofs, displacement_bcs
from femsi.physics.diffusion import diffusion_residual
from femsi.physics.elasticity import (
    lame,
    neo_hookean_energy,
    neo_hookean_stress,
    small_strain_energy,
    small_strain_stress,
)
from femsi.physics.kinematics import deformation_gradient
from femsi.physics.material_fields import MaterialFields
from femsi.physics.measures import Measures, default_mechanics_degree
from femsi.physics.swelling import eigenstrain, swelling_ratio


class CoupledModel:
    """Diffusion and swelling mechanics of a multi-region body.

    Args:
        model: Mesh with named regions and surfaces.
        materials: Region name to material.
        physics: The ``physics`` config section.
        cell: The ``cell`` section of a body in a die (plate and walls), or None.
    """

    def __init__(
        self,
        model: MeshModel,
        materials: dict[str, Material],
        physics: Physics,
        cell: Cell | None = None,
    ):
        self.model = model
        self.cell = cell
        self.mesh = model.mesh
        self.physics = physics
        self.materials = materials
        self.fields = MaterialFields.build(model, materials)
        self.active_regions = self.fields.active_regions
        any_soc_d = any(
            m.diffusivity is not None and not m.diffusivity.is_constant for m in materials.values()
        )
        q_u = physics.quadrature_degree or default_mechanics_degree(physics.displacement_degree)
        q_c = physics.quadrature_degree or 2 * physics.concentration_degree + int(any_soc_d)
        self.measures = Measures(model, mechanics_degree=q_u, diffusion_degree=q_c)
        self.length_scale = _length_scale(model)
        self.stress_scale = max(m.youngs_modulus.value[0] for m in materials.values())
        self._build_diffusion()
        self.has_mechanics = physics.mechanics != "none"
        if self.has_mechanics:
            self._build_mechanics()

    # ------------------------------------------------------------------ diffusion

    def _build_diffusion(self) -> None:
        mesh, m = self.mesh, self.measures
        self.Vc = fem.functionspace(mesh, ("Lagrange", self.physics.concentration_degree))
        # The unknown is θ = c / c_max (order one), which keeps the algebraic system well
        # scaled; ``c`` is the concentration in mol/m³ for outputs, synchronised after solves.
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
            [self.model.cells_of(r) for r in self.active_regions] or [np.empty(0, np.int32)]
        )
        active_dofs = consistent_dofs(
            self.Vc, fem.locate_dofs_topological(self.Vc, tdim, active_cells)
        )
        self.active_dofs = active_dofs
        inactive = np.setdiff1d(np.arange(self.theta.x.array.size, dtype=np.int32), active_dofs)
        self._pin_inactive = fem.dirichletbc(fem.Constant(mesh, 0.0), inactive, self.Vc)
        surface_facets = np.concatenate(
            [self.model.facets_of(s) for s in self.model.active_surfaces] or [np.empty(0, np.int32)]
        )
        self.surface_dofs = consistent_dofs(
            self.Vc, fem.locate_dofs_topological(self.Vc, tdim - 1, surface_facets)
        )
        self._hold = fem.dirichletbc(self._held_theta, self.surface_dofs, self.Vc)
        self._set_initial_concentration()
        v = ufl.TestFunction(self.Vc)
        q = m.diffusion_degree
        dx_active = m.regions(self.active_regions, q)
        # Divided by c_max / Δt and L³: the residual measures a change of state of charge, so
        # Newton tolerances mean the same on a 10 nm and a 10 um particle.
        scale = self.dt / (c_max * self.length_scale**3)
        self.diffusion_form = scale * diffusion_residual(
            self.concentration,
            c_max * self.theta_n,
            v,
            self.dt,
            self.fields.soc_dependent("diffusivity", self.concentration),
            self.inward_flux,
            dx_active,
            lambda integrand: m.surface_integral(integrand, self.model.active_surfaces, q),
        )
        inactive_regions = [r for r in self.model.regions if r not in self.active_regions]
        if inactive_regions:
            # The Jacobian of the active-region form has no entries on inactive cells, so the
            # sparsity pattern would lack the diagonal the Dirichlet pin needs there (DOLFINx
            # then leaves a zero row). A zero-valued term over those cells puts it in.
            self._sparsity_zero = fem.Constant(mesh, 0.0)
            trial = ufl.TrialFunction(self.Vc)
            self.diffusion_jacobian = ufl.derivative(self.diffusion_form, self.theta, trial) + (
                self._sparsity_zero * trial * v * m.regions(inactive_regions, q)
            )
        else:
            self.diffusion_jacobian = None
        # Reported integrals, compiled once.
        self.active_capacity_form = self.fields.concentration_scale() * dx_active
        self.active_amount_form = self.concentration * dx_active
        self.active_area_form = m.surface_integral(
            fem.Constant(mesh, 1.0), self.model.active_surfaces, q
        )

    def _set_initial_concentration(self) -> None:
        theta0 = 0.0
        for region in self.active_regions:
            material = self.materials[region]
            theta0 = material.initial_concentration / self.reference_max_concentration
        self.theta.x.array[:] = 0.0
        self.theta.x.array[self.active_dofs] = theta0
        self.theta_n.x.array[:] = self.theta.x.array
        self.sync_concentration()

    def sync_concentration(self) -> None:
        """Update the output concentration c = c_max θ from the unknown."""
        self.c.x.array[:] = self.reference_max_concentration * self.theta.x.array

    def set_held_concentration(self, value: float) -> None:
        """Set the surface concentration of a potentiostatic hold, mol/m³."""
        self._held_theta.value = value / self.reference_max_concentration

    def diffusion_bcs(self, held: bool) -> list[fem.DirichletBC]:
        """Conditions of the diffusion problem: inactive dofs pinned, surface held or not."""
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

    # ------------------------------------------------------------------ mechanics

    def _build_mechanics(self) -> None:
        mesh, m, p = self.mesh, self.measures, self.physics
        self.Vu = fem.functionspace(mesh, ("Lagrange", p.displacement_degree, (3,)))
        self.u = fem.Function(self.Vu, name="displacement")
        # Continuation parameter in [0, 1]: ramps the swelling of the initial state when Newton
        # cannot reach it from the undeformed body in one solve.
        self.swelling_factor = fem.Constant(mesh, 1.0)
        omega = self.swelling_factor * self.fields.piecewise(
            lambda mat: mat.partial_molar_volume if (mat.is_active and p.swelling) else 0.0
        )
        c_ref = self.fields.piecewise(
            lambda mat: mat.stress_free_concentration if mat.is_active else 0.0
        )
        E = self.fields.soc_dependent("youngs_modulus", self.concentration)
        nu = self.fields.piecewise(lambda mat: mat.poissons_ratio)
        mu, lmbda = lame(E, nu)
        u, c = self.u, self.concentration
        dx = m.dx(m.mechanics_degree)
        if p.mechanics == "small_strain":
            eps_star = eigenstrain(c, omega, c_ref)
            energy = small_strain_energy(u, eps_star, mu, lmbda) * dx
            self.stress = small_strain_stress(u, eps_star, mu, lmbda)
            self.volume_ratio = 1 + ufl.div(u)
            self.swelling_ratio = swelling_ratio(c, omega, c_ref)
        else:
            js = swelling_ratio(c, omega, c_ref)
            energy = neo_hookean_energy(u, js, mu, lmbda) * dx
            self.stress = neo_hookean_stress(u, js, mu, lmbda)
            self.volume_ratio = ufl.det(deformation_gradient(u))
            self.swelling_ratio = js
        v = ufl.TestFunction(self.Vu)
        # Scaled by 1 / (E_ref L²): a dimensionless (strain-like) residual.
        scale = 1.0 / (self.stress_scale * self.length_scale**2)
        residual = scale * ufl.derivative(energy, u, v)
        self.follower_pressure = False
        if self.model.pressure_surfaces:
            pressure = fem.Constant(mesh, self.model.outer_pressure)
            n = ufl.FacetNormal(mesh)
            ds = m.ds(m.mechanics_degree)(
                tuple(self.model.surfaces[s] for s in self.model.pressure_surfaces)
            )
            if p.mechanics == "small_strain":
                traction = pressure * n
            else:
                F = deformation_gradient(u)
                traction = pressure * ufl.det(F) * ufl.inv(F).T * n
                self.follower_pressure = True
            residual = residual + scale * ufl.inner(traction, v) * ds
        self.has_plate = self.cell is not None and self.cell.plate != "none"
        if self.has_plate:
            residual = residual + scale * self._plate_load(v)
        self.mechanics_form = residual
        self.energy_form = energy
        self.mechanics_bcs = displacement_bcs(self.model, self.Vu)
        self.stress_degree = max(p.displacement_degree - 1, 0)

    def _plate_load(self, v):
        """The plate's dead load on the body: preload plus a spring, per unit area.

        Normal traction -(p + k (u_z - w_rest)) on the plate surface of the reference body:
        ``plate_pressure`` p (Pa, compressive), ``plate_stiffness`` k (Pa/m) and the plate
        position ``plate_rest`` (m) where the spring carries just p. With the plate's slaves
        tied together (:mod:`femsi.solvers.plate`) this sums to the total plate force.
        """
        mesh = self.mesh
        self.plate_pressure = fem.Constant(mesh, 0.0)
        self.plate_stiffness = fem.Constant(mesh, 0.0)
        self.plate_rest = fem.Constant(mesh, 0.0)
        m = self.measures
        ds = m.ds(m.mechanics_degree)(self.model.surfaces[self.model.plate])
        normal_traction = self.plate_pressure + self.plate_stiffness * (self.u[2] - self.plate_rest)
        return normal_traction * v[2] * ds

    @property
    def mechanics_is_linear(self) -> bool:
        """Whether the mechanics residual is linear in u (small strain, E independent of c)."""
        return self.physics.mechanics == "small_strain"


def _length_scale(model: MeshModel) -> float:
    """The largest half-extent of the body (m), for scaling residuals."""
    from mpi4py import MPI

    x = model.mesh.geometry.x
    local = float(np.max(np.abs(x))) if x.size else 0.0
    return model.mesh.comm.allreduce(local, op=MPI.MAX)
