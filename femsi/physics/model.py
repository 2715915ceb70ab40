"""The coupled model of one study: spaces, unknowns, material fields, forms and conditions.

``CoupledModel`` composes the pieces of ``femsi.physics`` for a mesh and its materials:
lithium diffusion in the active regions (``diffusion.py``), swelling (``swelling.py``), an
elastic energy (``elasticity.py``) or J2 plasticity at quadrature points (``plasticity/``)
in the regions ``physics.plastic_regions``, with boundary conditions (``constraints.py``).
The forms are built and compiled once; each step only changes Constants and Function values.

Coupling is one-way by default (the concentration drives the mechanics). With
``physics.stress_diffusion_coupling`` the flux also follows the gradient of the hydrostatic
stress (``diffusion.stress_flux``), and the model provides the blocks [F_c, F_u] and their
Jacobian for one monolithic Newton on (θ, u) (:meth:`CoupledModel.coupled_forms`).

Plastic regions: the residual is ∫ S : ∇v over their cells, S the quadrature stress of
:class:`~femsi.physics.plasticity.operator.QuadratureConstitutive` (σ at small strain, P at
finite strain); elastic regions keep their UFL energy (neo-Hookean at finite strain), through
the operator's measure restricted to the plastic cells and the ordinary measure restricted to
the others. The hydrostatic Cauchy stress of J2 plasticity is elastic (plastic flow is
isochoric): σ_h = K ln(J_e)/J_e for Hencky elasticity (K (tr ε - 3 e*) at small strain),
a UFL expression of (u, c) with no history, which the coupling uses.

Phase-field fracture (the ``phase_field`` section, small strain): the elastic energy density
becomes the degraded g(d) ψ⁺ + ψ⁻ of :class:`~femsi.physics.phase_field.PhaseField` (in the
cracking regions; ψ elsewhere), of the elastic strain ε(u) - ε*, and the reported stress is
its derivative. The damage and its solve live in that object and in
:mod:`femsi.solvers.staggered`.
"""

from __future__ import annotations

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Cell, PhaseFieldFracture, Physics
from femsi.geometry.model import MeshModel
from femsi.materials import Material
from femsi.materials.fracture import fracture_energy
from femsi.physics.constraints import consistent_dofs, displacement_bcs
from femsi.physics.diffusion import FARADAY, GAS_CONSTANT, diffusion_residual, stress_flux
from femsi.physics.elasticity import (
    lame,
    neo_hookean_energy,
    neo_hookean_energy_density,
    neo_hookean_stress,
    small_strain_energy,
    small_strain_energy_density,
    small_strain_stress,
)
from femsi.physics.kinematics import (
    as_3d,
    deformation_gradient,
    displacement_gradient,
    small_strain,
)
from femsi.physics.material_fields import MaterialFields
from femsi.physics.measures import Measures, default_mechanics_degree
from femsi.physics.phase_field import InitialCrack, PhaseField, PhaseFieldSettings
from femsi.physics.plasticity import PlasticMaterial
from femsi.physics.plasticity.operator import QuadratureConstitutive
from femsi.physics.plasticity.projection import QuadratureProjector
from femsi.physics.swelling import eigenstrain, swelling_ratio


class CoupledModel:
    """Diffusion and swelling mechanics of a multi-region body.

    Args:
        model: Mesh with named regions and surfaces.
        materials: Region name to material.
        physics: The ``physics`` config section.
        cell: The ``cell`` section of a body in a die (plate and walls), or None.
        phase_field: The ``phase_field`` section (small strain only), or None.
    """

    def __init__(
        self,
        model: MeshModel,
        materials: dict[str, Material],
        physics: Physics,
        cell: Cell | None = None,
        phase_field: PhaseFieldFracture | None = None,
    ):
        self.model = model
        self.cell = cell
        self.phase_field_config = phase_field
        #: The damage field and its forms with phase-field fracture, else None.
        self.phase_field: PhaseField | None = None
        self.mesh = model.mesh
        self.physics = physics
        self.materials = materials
        self.fields = MaterialFields.build(model, materials)
        self.active_regions = self.fields.active_regions
        any_soc_d = any(
            m.diffusivity is not None and not m.diffusivity.is_constant for m in materials.values()
        )
        self.formulation = model.formulation
        axisymmetric = int(self.formulation == "axisymmetric")  # the weight r: one degree more
        q_u = physics.quadrature_degree or default_mechanics_degree(
            physics.displacement_degree, self.formulation
        )
        nonlinear_d = any_soc_d or physics.chemical_potential == "ideal_solution"
        q_c = physics.quadrature_degree or (
            2 * physics.concentration_degree + int(nonlinear_d) + axisymmetric
        )
        self.measures = Measures(model, mechanics_degree=q_u, diffusion_degree=q_c)
        self.length_scale = _length_scale(model)
        # Plane-strain integrals are per metre along z (an area, not a volume): one power of
        # L less, so the residual scales below keep their dimensionless meaning.
        self.depth = self.length_scale if self.formulation == "plane_strain" else 1.0
        self.stress_scale = max(m.youngs_modulus.value[0] for m in materials.values())
        self.butler_volmer = physics.surface_kinetics == "butler_volmer"
        self._build_diffusion()
        self.has_mechanics = physics.mechanics != "none"
        self.plastic_regions = list(physics.plastic_regions)
        self.plasticity: QuadratureConstitutive | None = None
        self.coupled = physics.stress_diffusion_coupling
        if self.has_mechanics:
            self._build_mechanics()
        if self.coupled:
            self._build_coupling()
        if self.butler_volmer:
            self._build_kinetics()

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
        scale = self.dt * self.depth / (c_max * self.length_scale**3)
        self._diffusion_scale = scale
        self.diffusivity = self.fields.soc_dependent("diffusivity", self.concentration)
        if self.physics.chemical_potential == "ideal_solution":
            # μ = μ0 + RT ln(x/(1-x)): the thermodynamic factor 1/(1-x) multiplies D; x is
            # capped just below 1 so that the factor stays finite (at most 1e4).
            x = ufl.min_value(self.concentration / self.fields.concentration_scale(), 1 - 1e-4)
            self.diffusivity = self.diffusivity / (1 - x)
        self.diffusion_form = scale * diffusion_residual(
            self.concentration,
            c_max * self.theta_n,
            v,
            self.dt,
            self.diffusivity,
            # With Butler-Volmer kinetics the surface term is added by _build_kinetics.
            fem.Constant(mesh, 0.0) if self.butler_volmer else self.inward_flux,
            dx_active,
            lambda integrand: m.surface_integral(integrand, self.model.active_surfaces, q),
            m.lumped_regions(self.active_regions) if self.physics.mass_lumping else None,
        )
        inactive_regions = [r for r in self.model.regions if r not in self.active_regions]
        self._inactive_regions = inactive_regions
        self._set_diffusion_jacobian()
        # Reported integrals, compiled once.
        self.active_capacity_form = self.fields.concentration_scale() * dx_active
        self.active_amount_form = self.concentration * dx_active
        self.active_area_form = m.surface_integral(
            fem.Constant(mesh, 1.0), self.model.active_surfaces, q
        )

    def _set_diffusion_jacobian(self) -> None:
        m, q, v = self.measures, self.measures.diffusion_degree, ufl.TestFunction(self.Vc)
        if self._inactive_regions:
            # The Jacobian of the active-region form has no entries on inactive cells, so the
            # sparsity pattern would lack the diagonal the Dirichlet pin needs there (DOLFINx
            # then leaves a zero row). A zero-valued term over those cells puts it in.
            self._sparsity_zero = fem.Constant(self.mesh, 0.0)
            trial = ufl.TrialFunction(self.Vc)
            self.diffusion_jacobian = ufl.derivative(self.diffusion_form, self.theta, trial) + (
                self._sparsity_zero * trial * v * m.regions(self._inactive_regions, q)
            )
        else:
            self.diffusion_jacobian = None

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
        gdim = mesh.geometry.dim
        self.Vu = fem.functionspace(mesh, ("Lagrange", p.displacement_degree, (gdim,)))
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
        self._elastic_parameters = (omega, c_ref, nu)
        mu, lmbda = lame(E, nu)
        self._bulk = lmbda + 2 * mu / 3
        u, c = self.u, self.concentration
        f = self.formulation
        q = m.mechanics_degree
        elastic_regions = [r for r in self.model.regions if r not in self.plastic_regions]
        # The elastic energy integrates over the elastic regions only when some flow.
        dx = m.regions(elastic_regions, q) if self.plastic_regions else m.dx(q)
        if p.mechanics == "small_strain":
            eps_star = eigenstrain(c, omega, c_ref)
            density = small_strain_energy(u, eps_star, mu, lmbda, f)
            self.elastic_stress = small_strain_stress(u, eps_star, mu, lmbda, f)
            self.output_stress = small_strain_stress(u, eps_star, mu, lmbda, f, axis_limit=True)
            if self.phase_field_config is not None:
                pf = self._build_phase_field(small_strain(u, f) - eps_star, mu, lmbda)
                density = pf.energy_density
                self.elastic_stress = pf.stress(small_strain(u, f) - eps_star)
                self.output_stress = pf.stress(small_strain(u, f, axis_limit=True) - eps_star)
            self.output_volume_ratio = 1 + ufl.tr(small_strain(u, f, axis_limit=True))
            dilatation = ufl.tr(small_strain(u, f))
            self.volume_ratio = 1 + dilatation
            self.swelling_ratio = swelling_ratio(c, omega, c_ref)
            swelling_input = omega * (c - c_ref) / 3
            hydrostatic_plastic = self._bulk * (dilatation - omega * (c - c_ref))
        else:
            js = swelling_ratio(c, omega, c_ref)
            density = neo_hookean_energy(u, js, mu, lmbda, f)
            self.elastic_stress = neo_hookean_stress(u, js, mu, lmbda, f)
            self.output_stress = neo_hookean_stress(u, js, mu, lmbda, f, axis_limit=True)
            self.output_volume_ratio = ufl.det(deformation_gradient(u, f, axis_limit=True))
            self.volume_ratio = ufl.det(deformation_gradient(u, f))
            self.swelling_ratio = js
            swelling_input = js
            je = self.volume_ratio / js
            hydrostatic_plastic = self._bulk * ufl.ln(je) / je
        energy = density * dx if elastic_regions else None
        self.stress = self.elastic_stress
        self.hydrostatic_stress = ufl.tr(self.elastic_stress) / 3
        v, du = ufl.TestFunction(self.Vu), ufl.TrialFunction(self.Vu)
        # Scaled by 1 / (E_ref L²): a dimensionless (strain-like) residual.
        scale = self.depth / (self.stress_scale * self.length_scale**2)
        self.mechanics_scale = scale
        internal = ufl.derivative(energy, u, v) if energy is not None else None
        plastic_residual = plastic_jacobian = None
        self._swelling_input = swelling_input
        if self.plastic_regions:
            op = self._build_plasticity(swelling_input, E, nu)
            tags = tuple(self.model.regions[r] for r in self.plastic_regions)
            self.plastic_dx = op.dx(tags, subdomain_data=self.model.cell_tags)
            plastic_residual = op.residual(v, self.plastic_dx)
            plastic_jacobian = op.jacobian(du, v, self.plastic_dx)
            chi = self.fields.indicator(self.plastic_regions)
            # Outputs: the quadrature Cauchy stress projected into the stress space in plastic
            # cells (filled by :meth:`update_plastic_stress`), the elastic law elsewhere.
            k = max(p.displacement_degree - 1, 0)
            self.plastic_stress = fem.Function(
                fem.functionspace(mesh, ("DG", k, (3, 3))), name="plastic_cauchy_stress"
            )
            self._projector = QuadratureProjector(op, self.plastic_stress)
            self.stress = (1 - chi) * self.elastic_stress + chi * self.plastic_stress
            self.output_stress = (1 - chi) * self.output_stress + chi * self.plastic_stress
            self.hydrostatic_stress = (1 - chi) * self.hydrostatic_stress + chi * (
                hydrostatic_plastic
            )
        self.internal_work_form = lambda w: (
            (ufl.derivative(energy, u, w) if energy is not None else 0)
            + (ufl.inner(self.plasticity.stress, displacement_gradient(w, f)) * self.plastic_dx
               if self.plastic_regions else 0)
        )  # fmt: skip
        external = None
        self.follower_pressure = False
        if self.model.pressure_surfaces:
            pressure = fem.Constant(mesh, self.model.outer_pressure)
            n = ufl.FacetNormal(mesh)
            ds = m.ds(m.mechanics_degree)(
                tuple(self.model.surfaces[s] for s in self.model.pressure_surfaces)
            )
            if p.mechanics == "small_strain":
                traction = pressure * as_3d(n)
            else:
                F = deformation_gradient(u, f)
                traction = pressure * ufl.det(F) * ufl.inv(F).T * as_3d(n)
                self.follower_pressure = True
            external = ufl.inner(traction, as_3d(v)) * ds
        self.has_plate = self.cell is not None and self.cell.plate != "none"
        if self.has_plate:
            plate = self._plate_load(v)
            external = plate if external is None else external + plate
        smooth = [f for f in (internal, external) if f is not None]
        smooth_form = sum(smooth[1:], smooth[0]) if smooth else None
        if plastic_residual is None:
            self.mechanics_form = scale * smooth_form
            self.mechanics_jacobian = None
        else:
            self.mechanics_form = scale * plastic_residual
            self.mechanics_jacobian = scale * plastic_jacobian
            if smooth_form is not None:
                self.mechanics_form = self.mechanics_form + scale * smooth_form
                self.mechanics_jacobian = self.mechanics_jacobian + scale * ufl.derivative(
                    smooth_form, u, du
                )
        self.energy_form = energy
        self.mechanics_bcs = displacement_bcs(self.model, self.Vu)
        self.stress_degree = max(p.displacement_degree - 1, 0)

    def strain_energy_density(self, grad_u, c):
        """ψ per unit reference volume of the elastic law, for any ∇u and concentration (UFL).

        The law of the mechanics forms (small strain with the eigenstrain Ω (c - c_ref)/3 I,
        or the swelling neo-Hookean solid), with E(c), for a 3×3 displacement gradient and a
        concentration expression of one's choice: domain integrals differentiate it with
        respect to both (:mod:`femsi.physics.fracture`). Plastic regions are not covered.
        """
        omega, c_ref, nu = self._elastic_parameters
        mu, lmbda = lame(self.fields.soc_dependent("youngs_modulus", c), nu)
        if self.physics.mechanics == "small_strain":
            return small_strain_energy_density(grad_u, eigenstrain(c, omega, c_ref), mu, lmbda)
        return neo_hookean_energy_density(grad_u, swelling_ratio(c, omega, c_ref), mu, lmbda)

    def _build_phase_field(self, elastic_strain, mu, lmbda) -> PhaseField:
        """The damage field over the cracking regions (:mod:`femsi.physics.phase_field`)."""
        config = self.phase_field_config
        settings = PhaseFieldSettings(
            length_scale=config.length_scale,
            model=config.model,
            split=config.split,
            irreversibility=config.irreversibility,
            residual_stiffness=config.residual_stiffness,
        )
        energies = {r: fracture_energy(self.materials[r]) for r in config.regions}
        cracks = [InitialCrack(c.start, c.end) for c in config.initial_cracks]
        self.phase_field = PhaseField(
            self.model,
            self.measures,
            self.u,
            elastic_strain,
            mu,
            lmbda,
            config.regions,
            energies,
            settings,
            cracks,
            # Like the other residuals: per unit volume L³ (area L² in plane strain).
            reference_volume=self.length_scale**3 / self.depth,
            energy_regions=(
                [r for r in self.model.regions if r not in self.plastic_regions]
                if self.plastic_regions
                else None
            ),
        )
        return self.phase_field

    def _build_plasticity(self, swelling_input, E, nu) -> QuadratureConstitutive:
        """The quadrature-point J2 operator over the mesh, flowing in the plastic regions."""
        viscoplastic = self.physics.constitutive == "viscoplastic"
        plastic = []
        for region in self.plastic_regions:
            material = PlasticMaterial.from_material(self.materials[region], viscoplastic)
            plastic.append((self.model.cells_of(region), material))
        soc = self.concentration / self.fields.concentration_scale()
        self.plasticity = QuadratureConstitutive(
            self.u,
            kinematics=self.physics.mechanics,
            swelling=swelling_input,
            soc=soc,
            youngs_modulus=E,
            poissons_ratio=nu,
            plastic=plastic,
            quadrature_degree=self.measures.mechanics_degree,
            formulation=self.formulation,
        )
        op = self.plasticity
        self._youngs_modulus = E
        # σ_Y(SOC) of the plastic regions as UFL (for its θ-derivative in the coupled Jacobian)
        self._yield_stress = sum(
            self.fields.indicator([r]) * m.yield_stress.ufl(ufl.min_value(ufl.max_value(soc, 0), 1))
            for r, (_, m) in zip(self.plastic_regions, plastic, strict=True)
        )
        # ∂σ_f/∂σ_Y = 3G/(3G + H) at the points that flowed in the last evaluation, 0 elsewhere
        element = basix.ufl.quadrature_element(
            self.mesh.basix_cell(), value_shape=(), degree=op.degree
        )
        self._yield_sensitivity = fem.Function(fem.functionspace(self.mesh, element))
        self._sensitivity_dofs = self._yield_sensitivity.function_space.dofmap.list[
            op._cells
        ].reshape(-1)
        self._hardening = np.zeros(op.n_points)
        for index, material in op._material_points:
            self._hardening[index] = material.hardening_modulus
        return op

    def refresh_plasticity(self) -> None:
        """The operator's refresh plus the flow flags the coupled Jacobian reads."""
        op = self.plasticity
        op.refresh()
        if op._last_inputs is None:
            return
        shear = op._last_inputs[:, 11] / (2 * (1 + op._last_inputs[:, 12]))
        gain = 3 * shear / (3 * shear + self._hardening)
        self._yield_sensitivity.x.array[self._sensitivity_dofs] = np.where(op.dgamma > 0, gain, 0.0)

    def internal_work(self, w):
        """∫ S : ∇w: the internal virtual work of the current stress for a virtual field w."""
        return self.internal_work_form(w)

    def update_plastic_stress(self) -> None:
        """Project the operator's last Cauchy stress into the output stress space."""
        if self.plasticity is not None:
            self._projector.project(self.plasticity.cauchy)

    def _plastic_swelling_tangent(self, dtheta):
        """∫ (∂S/∂(swelling) δswelling) : ∇v over the plastic regions.

        Swelling is isotropic, so it changes only the trace of the (trial) elastic strain and
        the return map leaves the deviator alone whatever the plastic state (the principal
        algorithmic tangent D_ab maps (1, 1, 1) to 3K (1, 1, 1), because the flow direction is
        deviatoric): at finite strain ∂τ/∂J_s = -K/J_s I, so ∂P/∂J_s = P/J_s - K F⁻ᵀ with the
        quadrature P; at small strain ∂σ/∂e* = -3K I.

        E(SOC) and σ_Y(SOC): with ν constant an elastic point has ∂τ/∂E = τ/E; a point that
        flows keeps dev τ = σ_f n with n the trial direction (independent of E), so only the
        volumetric part scales with E, and ∂τ/∂σ_Y = (∂σ_f/∂σ_Y) n with ∂σ_f/∂σ_Y =
        3G/(3G + H) (the flags come from :meth:`refresh_plasticity`). For viscoplastic flow
        the same expressions are an approximation (the overstress is left out).
        """
        v = ufl.TestFunction(self.Vu)
        f = self.formulation
        op = self.plasticity
        identity = ufl.Identity(3)
        d_swelling = ufl.derivative(self._swelling_input, self.theta, dtheta)
        d_modulus = ufl.derivative(self._youngs_modulus, self.theta, dtheta)
        d_yield = ufl.derivative(self._yield_stress, self.theta, dtheta)
        flowing = self._yield_sensitivity
        if self.physics.mechanics == "small_strain":
            tau = op.stress
            to_stress = identity
        else:
            F = deformation_gradient(self.u, f)
            js = self._swelling_input
            tau = op.stress * F.T / js
            to_stress = js * ufl.inv(F).T  # P = J_s τ F⁻ᵀ
        dev_tau = ufl.dev(tau)
        q = ufl.sqrt(1.5 * ufl.inner(dev_tau, dev_tau)) + 1e-30 * self.stress_scale
        # ∂τ/∂E: τ/E where elastic; only the volumetric part (dev τ = σ_f n) where flowing
        is_flowing = ufl.conditional(ufl.gt(flowing, 0), 1.0, 0.0)
        dtau = (tau - is_flowing * dev_tau) / self._youngs_modulus * d_modulus
        dtau = dtau + flowing * dev_tau / q * d_yield
        if self.physics.mechanics == "small_strain":
            dstress = -3 * self._bulk * identity * d_swelling + dtau
        else:
            dstress = (op.stress / js - self._bulk * ufl.inv(F).T) * d_swelling
            dstress = dstress + dtau * to_stress
        return ufl.inner(dstress, displacement_gradient(v, f)) * self.plastic_dx

    # ------------------------------------------------------------------ coupling

    def _build_coupling(self) -> None:
        """The projected hydrostatic stress field and the stress-driven flux.

        σ_h enters the flux through its gradient. It is a third unknown s = σ_h / E_ref,
        continuous P1 over the active regions, defined by the L2 projection
        ∫ (E_ref s - σ_h(u, c)) w dx = 0 of the Cauchy hydrostatic stress (σ_h(u, c) is
        elastic even where the material flows: see the module docstring). Its gradient is
        then well defined at any displacement degree and does not differentiate the stress of
        an element that flows: the elementwise gradient of the P1-in-cell stress of a P2
        displacement coupled to plastic elements, tried first, let concentration pile up at
        single nodes.
        """
        mesh, m = self.mesh, self.measures
        q = max(m.diffusion_degree, m.mechanics_degree)
        omega = self.fields.piecewise(
            lambda mat: mat.partial_molar_volume if mat.is_active else 0.0
        )
        self.temperature = fem.Constant(mesh, float(self.physics.temperature))
        self.Vs = fem.functionspace(mesh, ("Lagrange", 1))
        self.hydrostatic = fem.Function(self.Vs, name="projected_hydrostatic_stress")
        sigma_h = self.stress_scale * self.hydrostatic
        w = ufl.TestFunction(self.Vs)
        dx_active = m.regions(self.active_regions, q)
        # Scaled like the mechanics residual: dimensionless, per unit volume L³.
        scale = self.depth / (self.stress_scale * self.length_scale**3)
        self.projection_form = scale * (sigma_h - self.hydrostatic_stress) * w * dx_active
        active_cells = np.concatenate([self.model.cells_of(r) for r in self.active_regions])
        active = consistent_dofs(
            self.Vs, fem.locate_dofs_topological(self.Vs, mesh.topology.dim, active_cells)
        )
        inactive = np.setdiff1d(np.arange(self.hydrostatic.x.array.size, dtype=np.int32), active)
        self.projection_bcs = [fem.dirichletbc(fem.Constant(mesh, 0.0), inactive, self.Vs)]
        ds = ufl.TrialFunction(self.Vs)
        self.projection_jacobian = ufl.derivative(self.projection_form, self.hydrostatic, ds)
        if self._inactive_regions:
            # The diagonal of the pinned dofs (as for the diffusion Jacobian).
            self.projection_jacobian = self.projection_jacobian + (
                self._sparsity_zero * ds * w * m.regions(self._inactive_regions, q)
            )
        v = ufl.TestFunction(self.Vc)
        flux = stress_flux(
            self.concentration, self.diffusivity, omega, sigma_h, GAS_CONSTANT * self.temperature
        )
        # The flux term is -∫ J_σ · ∇v dx with J_σ = D c Ω/(RT) ∇σ_h (toward tension).
        dx_c = m.regions(self.active_regions, m.diffusion_degree)
        self.diffusion_form = (
            self.diffusion_form - self._diffusion_scale * ufl.inner(flux, ufl.grad(v)) * dx_c
        )
        self._set_diffusion_jacobian()

    # ------------------------------------------------------------------ kinetics

    def _build_kinetics(self) -> None:
        """Butler-Volmer surface reaction with the electrode potential φ as a global unknown.

        The molar flux into the active material across its surface is j = -i/F with

            i = i0 [exp(α_a f η) - exp(-α_c f η)],  f = F/(RT),  α_c = 1 - α_a,
            η = φ - U(x) - Ω σ_h / F,
            i0 = k0 (2x)^α_c (2(1 - x))^α_a,  x = c/c_max (clipped to [1e-4, 1 - 1e-4]),

        (anodic, delithiating current positive; Newman & Thomas-Alyea, Electrochemical Systems,
        2004, §8; the stress term from the Larché-Cahn chemical potential as in Bower, Guduru &
        Sethuraman, JMPS 59 (2011) 804): compressive σ_h lowers the equilibrium potential, so
        lithiation needs a lower φ. k0 (``exchange_current_density``) is i0 at x = 1/2; the
        electrolyte concentration (a solid single-ion conductor) is folded into it. φ is the
        electrode potential against a Li/Li+ reference in the electrolyte at the surface
        (electrolyte potential drop neglected). It is one global unknown (a DOLFINx real
        space) with the equation ∫_Γ j dA = j_imposed A (galvanostatic, rest: j_imposed = 0)
        or φ = φ_hold (``hold: {potential}``). σ_h is the projected hydrostatic stress with
        two-way coupling, else the stress of the last mechanics solve.
        """
        import basix.ufl

        mesh, m = self.mesh, self.measures
        q = m.diffusion_degree
        material = self.materials[self.active_regions[0]]
        ocv = material.extra["open_circuit_potential"]
        k0 = float(material.extra["exchange_current_density"])
        alpha_a = float(material.extra.get("transfer_coefficient", 0.5))
        alpha_c = 1.0 - alpha_a
        self.R_space = fem.functionspace(
            mesh, basix.ufl.real_element(mesh.basix_cell(), value_shape=())
        )
        self.potential = fem.Function(self.R_space, name="electrode_potential")
        self.potential.x.array[:] = float(ocv(material.initial_soc))
        self.held_potential = fem.Constant(mesh, 0.0)
        if not hasattr(self, "temperature"):
            self.temperature = fem.Constant(mesh, float(self.physics.temperature))
        f = FARADAY / (GAS_CONSTANT * self.temperature)
        omega = material.partial_molar_volume
        if self.coupled:
            sigma_h = self.stress_scale * self.hydrostatic
        elif self.has_mechanics:
            sigma_h = self.hydrostatic_stress
        else:
            sigma_h = fem.Constant(mesh, 0.0)

        def inward_flux(theta, phi, sh):
            x = ufl.min_value(ufl.max_value(theta, 1e-4), 1 - 1e-4)
            i0 = k0 * (2 * x) ** alpha_c * (2 * (1 - x)) ** alpha_a
            eta = phi - ocv.ufl(x) - omega * sh / FARADAY
            current = i0 * (ufl.exp(alpha_a * f * eta) - ufl.exp(-alpha_c * f * eta))
            return -current / FARADAY

        chi = self.fields.indicator(self.active_regions)
        tags = tuple(self.model.surfaces[s] for s in self.model.active_surfaces)
        one_sided = (chi * sigma_h)("+") + (chi * sigma_h)("-")

        def surface(test):
            """∫_Γ j test dA over exterior and interior active surfaces (σ_h one-sided)."""
            exterior = inward_flux(self.theta, self.potential, sigma_h) * test * m.ds(q)(tags)
            interior = inward_flux(self.theta("+"), self.potential("+"), one_sided)
            return exterior + interior * test("+") * m.dS(q)(tags)

        self.kinetic_flux = lambda: inward_flux  # for reports and tests
        v = ufl.TestFunction(self.Vc)
        self.diffusion_form = self.diffusion_form - self._diffusion_scale * surface(v)
        self._set_diffusion_jacobian()
        w = ufl.TestFunction(self.R_space)
        c_max, length = self.reference_max_concentration, self.length_scale
        # Scaled by a 1C-like flux c_max L / 3600 s over an area L²: dimensionless.
        scale = 3600.0 * self.depth / (c_max * length**3)
        area = m.surface_integral(w, self.model.active_surfaces, q)
        self.kinetics_form = scale * (surface(w) - self.inward_flux * area)
        dx_active = m.regions(self.active_regions, q)
        hold_scale = self.depth / length**3
        self.kinetics_hold_form = (
            (self.potential - self.held_potential) * hold_scale * w * dx_active
        )

    def transport_forms(self, held: bool):
        """Blocks [F_c, F_φ] and their Jacobian for Butler-Volmer without monolithic coupling."""
        forms = [self.diffusion_form, self.kinetics_hold_form if held else self.kinetics_form]
        unknowns = [self.theta, self.potential]
        trials = [ufl.TrialFunction(f.function_space) for f in unknowns]
        blocks = [[_derivative(f, x, t) for x, t in zip(unknowns, trials, strict=True)]
                  for f in forms]  # fmt: skip
        if self.diffusion_jacobian is not None:
            blocks[0][0] = self.diffusion_jacobian
        return forms, blocks, unknowns

    def coupled_forms(self, held: bool = False):
        """Residual blocks [F_c, F_u, F_s] and their Jacobian blocks, unknowns (θ, u, s).

        With Butler-Volmer kinetics φ and F_φ (galvanostatic, or the hold if ``held``) follow.

        Blocks that vanish identically are None. In plastic regions dF_u/dθ is the swelling
        part of :meth:`_plastic_swelling_tangent` (exact for E and σ_Y independent of the
        state of charge).
        """
        unknowns = [self.theta, self.u, self.hydrostatic]
        forms = [self.diffusion_form, self.mechanics_form, self.projection_form]
        if self.butler_volmer:
            unknowns.append(self.potential)
            forms.append(self.kinetics_hold_form if held else self.kinetics_form)
        trials = [ufl.TrialFunction(f.function_space) for f in unknowns]
        blocks = [[_derivative(f, x, t) for x, t in zip(unknowns, trials, strict=True)]
                  for f in forms]  # fmt: skip
        if self.diffusion_jacobian is not None:
            blocks[0][0] = self.diffusion_jacobian
        blocks[2][2] = self.projection_jacobian
        if self.mechanics_jacobian is not None:
            blocks[1][1] = self.mechanics_jacobian
        if self.plasticity is not None:
            extra = self.mechanics_scale * self._plastic_swelling_tangent(trials[0])
            blocks[1][0] = extra if blocks[1][0] is None else blocks[1][0] + extra
        return forms, blocks, unknowns

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
        """Whether the mechanics residual is linear in u (small strain, elastic, no split)."""
        split = self.phase_field_config.split if self.phase_field_config else "none"
        return (
            self.physics.mechanics == "small_strain"
            and not self.plastic_regions
            and split == "none"
        )


def _derivative(form, unknown, trial):
    """ufl.derivative, or None where the form does not depend on ``unknown``."""
    from ufl.algorithms import expand_derivatives

    derivative = expand_derivatives(ufl.derivative(form, unknown, trial))
    return None if derivative.empty() else derivative


def _length_scale(model: MeshModel) -> float:
    """The largest half-extent of the body (m), for scaling residuals."""
    from mpi4py import MPI

    x = model.mesh.geometry.x
    local = float(np.max(np.abs(x))) if x.size else 0.0
    return model.mesh.comm.allreduce(local, op=MPI.MAX)
