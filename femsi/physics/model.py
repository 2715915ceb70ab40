"""The coupled model of one study, composed of physics parts.

``CoupledModel`` is the one place that reads the ``physics``, ``cell``, ``phase_field`` and
``thermal`` switches. It builds the parts, each a module of its own:

- :class:`~femsi.physics.transport.Transport`: the concentration θ = c/c_max and the diffusion
  residual; other parts add flux terms to it;
- :class:`~femsi.physics.mechanics.Mechanics`: the displacement with a small- or finite-strain
  law (:mod:`femsi.physics.laws`, chosen once), eigenstrain parts (swelling, and
  :class:`~femsi.physics.thermal.ThermalStrain`), the plate load
  (:mod:`femsi.physics.plate_load`), J2 flow (:mod:`femsi.physics.plastic_regions`) and the
  phase field (:mod:`femsi.physics.phase_field`);
- :class:`~femsi.physics.coupling.StressCoupling`: the projected σ_h and the stress-driven flux;
- :class:`~femsi.physics.kinetics.ButlerVolmer`: the electrode potential and the surface
  reaction.

A feature that is off is absent from ``parts`` and ``history``; the run driver loops over
``history`` (update / commit / restore) and never asks which features are on. The forms are
built and compiled once; each step only changes Constants and Function values.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Cell, PhaseFieldFracture, Physics, Thermal
from femsi.geometry.model import MeshModel
from femsi.materials import Material
from femsi.materials.fracture import fracture_energy
from femsi.parallel import global_extent
from femsi.physics.coupling import StressCoupling
from femsi.physics.kinetics import ButlerVolmer
from femsi.physics.laws import law_for
from femsi.physics.material_fields import MaterialFields
from femsi.physics.measures import Measures, default_mechanics_degree
from femsi.physics.mechanics import Mechanics
from femsi.physics.phase_field import InitialCrack, PhaseField, PhaseFieldSettings
from femsi.physics.plastic_regions import PlasticRegions
from femsi.physics.plasticity.operator import QuadratureConstitutive
from femsi.physics.plate_load import PlateLoad
from femsi.physics.thermal import ThermalStrain
from femsi.physics.transport import Transport
from femsi.typing import UFLExpr, UFLForm, UFLValue

#: Residual blocks, Jacobian blocks (None where a block vanishes) and the unknowns.
type CoupledForms = tuple[list[UFLForm], list[list[UFLForm | None]], list[fem.Function]]
#: A part with history: plastic regions or the phase field.
type HistoryPart = PlasticRegions | PhaseField


class CoupledModel:
    """Diffusion and swelling mechanics of a multi-region body, as composed parts.

    Args:
        model: Mesh with named regions and surfaces.
        materials: Region name to material.
        physics: The ``physics`` config section.
        cell: The ``cell`` section of a body in a die (plate and walls), or None.
        phase_field: The ``phase_field`` section (small strain only), or None.
        thermal: The ``thermal`` section (thermal strain), or None.
    """

    # Attributes of the parts exposed on the model (set in _build_mechanics and
    # _expose_transport with setattr); the mechanics ones exist only with mechanics.
    Vu: fem.FunctionSpace
    u: fem.Function
    swelling_factor: fem.Constant
    elastic_stress: UFLExpr
    output_stress: UFLExpr
    stress: UFLExpr
    hydrostatic_stress: UFLExpr
    volume_ratio: UFLExpr
    output_volume_ratio: UFLExpr
    energy_form: UFLForm | None
    mechanics_bcs: list[fem.DirichletBC]
    stress_degree: int
    follower_pressure: bool
    Vc: fem.FunctionSpace
    theta: fem.Function
    theta_n: fem.Function
    c: fem.Function
    concentration: UFLExpr
    dt: fem.Constant
    inward_flux: fem.Constant
    active_dofs: np.ndarray
    surface_dofs: np.ndarray
    diffusivity: UFLExpr
    active_capacity_form: UFLForm
    active_amount_form: UFLForm
    active_area_form: UFLForm

    def __init__(
        self,
        model: MeshModel,
        materials: dict[str, Material],
        physics: Physics,
        cell: Cell | None = None,
        phase_field: PhaseFieldFracture | None = None,
        thermal: Thermal | None = None,
    ) -> None:
        self.model, self.mesh, self.physics, self.materials = model, model.mesh, physics, materials
        self.cell, self.phase_field_config = cell, phase_field
        self.fields = MaterialFields.build(model, materials)
        self.active_regions = self.fields.active_regions
        self.formulation = model.formulation
        self.measures = Measures(model, *_quadrature_degrees(physics, materials, model))
        self.length_scale = global_extent(model.mesh)  # the largest half-extent, m
        # Plane-strain integrals are per metre along z (an area, not a volume): one power of
        # L less, so the residual scales keep their dimensionless meaning.
        self.depth = self.length_scale if self.formulation == "plane_strain" else 1.0
        self.stress_scale = max(m.youngs_modulus.value[0] for m in materials.values())
        #: The uniform cell temperature, K (set per protocol step with thermal strain).
        self.temperature = fem.Constant(self.mesh, float(physics.temperature))
        self.butler_volmer = physics.surface_kinetics == "butler_volmer"
        self.transport = Transport(
            model,
            materials,
            self.fields,
            self.measures,
            physics,
            self.depth,
            self.length_scale,
            surface_flux=not self.butler_volmer,
        )
        self.parts: list[object] = [self.transport]
        #: Parts with history: each has update(dt), commit() and restore().
        self.history: list[HistoryPart] = []
        self.has_mechanics = physics.mechanics != "none"
        self.plastic_regions = list(physics.plastic_regions)
        self.coupled = physics.stress_diffusion_coupling
        #: The J2 operator, where some region flows.
        self.plasticity: QuadratureConstitutive | None = None
        self.phase_field: PhaseField | None = None
        self.thermal: ThermalStrain | None = None
        #: Parts that follow the protocol (``start_protocol_step``, ``advance_to``).
        self.schedule: list[ThermalStrain] = []
        if thermal is not None:
            self.thermal = ThermalStrain(
                self.fields, materials, self.mesh, self.temperature, thermal.reference_temperature
            )
            self.parts.append(self.thermal)
            self.schedule.append(self.thermal)
        self.has_plate = cell is not None and cell.plate != "none"
        if self.has_mechanics:
            self._build_mechanics()
        if self.coupled:
            self.coupling = StressCoupling(
                self.transport, self.mechanics, self.temperature, self.depth, self.length_scale
            )
            self.parts.append(self.coupling)
            self.hydrostatic = self.coupling.hydrostatic
            self.projection_form = self.coupling.projection_form
            self.projection_jacobian = self.coupling.projection_jacobian
            self.projection_bcs = self.coupling.projection_bcs
        if self.butler_volmer:
            if self.coupled:
                sigma_h = self.coupling.surface_hydrostatic
            elif self.has_mechanics:
                sigma_h = self.mechanics.hydrostatic_stress
            else:
                sigma_h = fem.Constant(self.mesh, 0.0)
            self.kinetics = ButlerVolmer(
                self.transport, sigma_h, self.temperature, self.depth, self.length_scale
            )
            self.parts.append(self.kinetics)
            self.potential = self.kinetics.potential
            self.held_potential = self.kinetics.held_potential
            self.kinetic_flux = self.kinetics.kinetic_flux
        self._expose_transport()

    # ------------------------------------------------------------------ building

    def _build_mechanics(self) -> None:
        eigen_parts = [self.thermal] if self.thermal is not None else []
        self.plate_load = PlateLoad(self.model, self.measures, self.has_plate)
        self.mechanics = mech = Mechanics(
            self.transport,
            law_for(self.physics.mechanics, self.formulation),
            self.physics,
            eigen_parts,
            self.plate_load,
            self.depth,
            self.length_scale,
            self.stress_scale,
        )
        viscoplastic = self.physics.constitutive == "viscoplastic"
        mech.build(
            phase_field=self._phase_field if self.phase_field_config is not None else None,
            plastic=(
                (lambda m: PlasticRegions(m, self.plastic_regions, viscoplastic))
                if self.plastic_regions
                else None
            ),
        )
        self.parts.append(mech)
        if mech.plasticity is not None:
            self.plastic = mech.plasticity
            self.plasticity = mech.plasticity.operator
            self.plastic_dx = mech.plasticity.dx
            self.history.append(mech.plasticity)
        if self.phase_field is not None:
            self.history.append(self.phase_field)
        for name in (
            "Vu", "u", "swelling_factor", "elastic_stress", "output_stress", "stress",
            "hydrostatic_stress", "volume_ratio", "output_volume_ratio", "energy_form",
            "mechanics_bcs", "stress_degree", "follower_pressure",
        ):  # fmt: skip
            setattr(self, name, getattr(mech, name))
        self.mechanics_form, self.mechanics_jacobian = mech.residual, mech.jacobian
        self.mechanics_scale = mech.scale
        self.plate_pressure = self.plate_load.pressure
        self.plate_stiffness = self.plate_load.stiffness
        self.plate_rest = self.plate_load.rest

    def _phase_field(self, elastic_strain: UFLExpr, mu: UFLValue, lmbda: UFLValue) -> PhaseField:
        """The damage field over the cracking regions (:mod:`femsi.physics.phase_field`)."""
        config = self.phase_field_config
        assert config is not None  # called only with a phase_field section
        settings = PhaseFieldSettings(
            length_scale=config.length_scale,
            model=config.model,
            split=config.split,
            irreversibility=config.irreversibility,
            residual_stiffness=config.residual_stiffness,
        )
        # G_c of every cracking region is checked on load (femsi.config.loader).
        energies = cast(
            dict[str, float], {r: fracture_energy(self.materials[r]) for r in config.regions}
        )
        cracks = [InitialCrack(c.start, c.end) for c in config.initial_cracks]
        self.phase_field = PhaseField(
            self.model,
            self.measures,
            self.mechanics.u,
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

    def _expose_transport(self) -> None:
        t = self.transport
        for name in (
            "Vc", "theta", "theta_n", "c", "concentration", "dt", "inward_flux", "active_dofs",
            "surface_dofs", "diffusivity", "active_capacity_form", "active_amount_form",
            "active_area_form",
        ):  # fmt: skip
            setattr(self, name, getattr(t, name))
        self.diffusion_form, self.diffusion_jacobian = t.residual, t.jacobian

    # ------------------------------------------------------------------ the parts' services

    def sync_concentration(self) -> None:
        """Update the output concentration c = c_max θ from the unknown."""
        self.transport.sync()

    def set_held_concentration(self, value: float) -> None:
        """Set the surface concentration of a potentiostatic hold, mol/m³."""
        self.transport.set_held_concentration(value)

    def diffusion_bcs(self, held: bool) -> list[fem.DirichletBC]:
        """Conditions of the diffusion problem: inactive dofs pinned, surface held or not."""
        return self.transport.bcs(held)

    def surface_concentration_range(self) -> np.ndarray:
        """Local concentrations on the active surfaces, mol/m³."""
        return self.transport.surface_concentration_range()

    @property
    def reference_max_concentration(self) -> float:
        """c_max of the (first) active region."""
        return self.transport.reference_max_concentration

    def refresh_plasticity(self) -> None:
        """The J2 operator's refresh plus the flow flags the coupled Jacobian reads."""
        self.plastic.refresh_with_flags()

    def internal_work(self, w: UFLExpr) -> UFLForm | int:
        """∫ S : ∇w: the internal virtual work of the current stress for a virtual field w."""
        return self.mechanics.internal_work(w)

    def update_plastic_stress(self) -> None:
        """Project the J2 operator's last Cauchy stress into the output stress space."""
        if self.plasticity is not None:
            self.plastic.update_stress()

    def strain_energy_density(self, grad_u: UFLExpr, c: UFLValue) -> UFLExpr:
        """ψ per unit reference volume of the elastic law (see :class:`Mechanics`)."""
        return self.mechanics.strain_energy_density(grad_u, c)

    @property
    def mechanics_is_linear(self) -> bool:
        """Whether the mechanics residual is linear in u (small strain, elastic, no split)."""
        return self.mechanics.is_linear

    @property
    def mechanics_has_fixed_operator(self) -> bool:
        """Whether the mechanics matrix never changes in a run (see :class:`Mechanics`)."""
        return self.mechanics.has_fixed_operator

    @property
    def predicts_displacement(self) -> bool:
        """Whether Newton starts from u extrapolated in time (finite strain)."""
        return self.has_mechanics and self.mechanics.law.predicts_displacement

    # ------------------------------------------------------------------ block systems

    def transport_forms(self, held: bool) -> CoupledForms:
        """Blocks [F_c, F_φ] and their Jacobian for Butler-Volmer without monolithic coupling."""
        forms = [self.diffusion_form, self.kinetics.equation(held)]
        unknowns = [self.theta, self.potential]
        trials = [ufl.TrialFunction(f.function_space) for f in unknowns]
        blocks = [[_derivative(f, x, t) for x, t in zip(unknowns, trials, strict=True)]
                  for f in forms]  # fmt: skip
        if self.diffusion_jacobian is not None:
            blocks[0][0] = self.diffusion_jacobian
        return forms, blocks, unknowns

    def coupled_forms(self, held: bool = False) -> CoupledForms:
        """Residual blocks [F_c, F_u, F_s] and their Jacobian blocks, unknowns (θ, u, s).

        With Butler-Volmer kinetics φ and F_φ (galvanostatic, or the hold if ``held``) follow.

        Blocks that vanish identically are None. In plastic regions dF_u/dθ is
        :meth:`~femsi.physics.plastic_regions.PlasticRegions.swelling_tangent`.
        """
        unknowns = [self.theta, self.u, self.hydrostatic]
        forms = [self.diffusion_form, self.mechanics_form, self.projection_form]
        if self.butler_volmer:
            unknowns.append(self.potential)
            forms.append(self.kinetics.equation(held))
        trials = [ufl.TrialFunction(f.function_space) for f in unknowns]
        blocks = [[_derivative(f, x, t) for x, t in zip(unknowns, trials, strict=True)]
                  for f in forms]  # fmt: skip
        if self.diffusion_jacobian is not None:
            blocks[0][0] = self.diffusion_jacobian
        blocks[2][2] = self.projection_jacobian
        if self.mechanics_jacobian is not None:
            blocks[1][1] = self.mechanics_jacobian
        if self.plasticity is not None:
            extra = self.mechanics_scale * self.plastic.swelling_tangent(trials[0])
            blocks[1][0] = extra if blocks[1][0] is None else blocks[1][0] + extra
        return forms, blocks, unknowns


def _quadrature_degrees(
    physics: Physics, materials: dict[str, Material], model: MeshModel
) -> tuple[int, int]:
    """(mechanics, diffusion) degrees: ``physics.quadrature_degree`` or exact for the forms."""
    axisymmetric = int(model.formulation == "axisymmetric")  # the weight r: one degree more
    q_u = physics.quadrature_degree or default_mechanics_degree(
        physics.displacement_degree, model.formulation
    )
    any_soc_d = any(
        m.diffusivity is not None and not m.diffusivity.is_constant for m in materials.values()
    )
    nonlinear_d = any_soc_d or physics.chemical_potential == "ideal_solution"
    q_c = physics.quadrature_degree or (
        2 * physics.concentration_degree + int(nonlinear_d) + axisymmetric
    )
    return q_u, q_c


def _derivative(form: UFLForm, unknown: fem.Function, trial: UFLExpr) -> UFLForm | None:
    """ufl.derivative, or None where the form does not depend on ``unknown``."""
    from ufl.algorithms import expand_derivatives

    derivative = expand_derivatives(ufl.derivative(form, unknown, trial))
    return None if derivative.empty() else derivative
