"""Swelling mechanics: the displacement, its law, loads, conditions and residual.

The elastic energy of :mod:`femsi.physics.laws` (small or finite strain, chosen once) with
E(c) and the isotropic eigen-deformation of the swelling (Ω (c - c_ref)) and of any other
eigenstrain part (thermal strain: :mod:`femsi.physics.thermal`), optionally degraded by the
phase field (:mod:`femsi.physics.phase_field`), J2 flow in the plastic regions
(:mod:`femsi.physics.plastic_regions`), an outer pressure and the plate's load
(:mod:`femsi.physics.plate_load`). The residual is scaled by 1/(E_ref L²): dimensionless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.config.schema import Physics
from femsi.physics.constraints import displacement_bcs
from femsi.physics.elasticity import lame
from femsi.physics.kinematics import as_3d
from femsi.physics.laws import ElasticityLaw, SmallStrainLaw
from femsi.physics.plate_load import PlateLoad
from femsi.physics.transport import Transport
from femsi.typing import UFLExpr, UFLForm, UFLValue

if TYPE_CHECKING:  # these parts import this module
    from femsi.physics.phase_field import PhaseField
    from femsi.physics.plastic_regions import PlasticRegions
    from femsi.physics.thermal import ThermalStrain


class Mechanics:
    """The displacement u and the mechanics residual of a multi-region body.

    Args:
        transport: The transport part (the concentration that swells).
        law: The elasticity law (:func:`femsi.physics.laws.law_for`).
        physics: The ``physics`` section.
        eigen_parts: Parts that add an isotropic eigenstrain (each ``apply(law, eigen)``).
        plate_load: The plate's load on the body (a null load without a plate).
        depth: Integrals per metre along z in plane strain (else 1).
        length_scale: The body's half-extent L, m.
        stress_scale: E_ref, Pa.
    """

    def __init__(
        self,
        transport: Transport,
        law: ElasticityLaw,
        physics: Physics,
        eigen_parts: list[ThermalStrain],
        plate_load: PlateLoad,
        depth: float,
        length_scale: float,
        stress_scale: float,
    ) -> None:
        t = transport
        self.transport, self.law, self.physics = t, law, physics
        self.model, self.mesh, self.materials = t.model, t.mesh, t.materials
        self.fields, self.measures = t.fields, t.measures
        self.formulation = law.formulation
        self.theta, self.concentration = t.theta, t.concentration
        self.stress_scale = stress_scale
        self.displacement_degree = physics.displacement_degree
        mesh, fields = self.mesh, self.fields
        gdim = mesh.geometry.dim
        self.Vu = fem.functionspace(mesh, ("Lagrange", physics.displacement_degree, (gdim,)))
        self.u = fem.Function(self.Vu, name="displacement")
        # Continuation parameter in [0, 1]: ramps the swelling of the initial state when Newton
        # cannot reach it from the undeformed body in one solve.
        self.swelling_factor = fem.Constant(mesh, 1.0)
        self.omega = self.swelling_factor * fields.piecewise(
            lambda mat: mat.partial_molar_volume if (mat.is_active and physics.swelling) else 0.0
        )
        self.c_ref = fields.piecewise(
            lambda mat: mat.stress_free_concentration if mat.is_active else 0.0
        )
        self.youngs_modulus = fields.soc_dependent("youngs_modulus", self.concentration)
        self.poissons_ratio = fields.piecewise(lambda mat: mat.poissons_ratio)
        self.mu, self.lmbda = lame(self.youngs_modulus, self.poissons_ratio)
        self.bulk = self.lmbda + 2 * self.mu / 3
        self.eigen_parts = list(eigen_parts)
        #: The law's eigen-deformation: e* (small strain) or J_s (finite strain).
        self.eigen = self.eigen_of(self.concentration)
        self.scale = depth / (stress_scale * length_scale**2)
        self.plate_load = plate_load
        self.mechanics_bcs = displacement_bcs(self.model, self.Vu)
        self.stress_degree = max(physics.displacement_degree - 1, 0)

    def eigen_of(self, c: UFLValue) -> UFLValue:
        """The eigen-deformation of concentration ``c`` (swelling, then the other parts)."""
        eigen = self.law.eigen(self.omega * (c - self.c_ref))
        for part in self.eigen_parts:
            eigen = part.apply(self.law, eigen)
        return eigen

    def build(
        self,
        phase_field: Callable[[UFLExpr, UFLValue, UFLValue], PhaseField] | None = None,
        plastic: Callable[[Mechanics], PlasticRegions] | None = None,
    ) -> None:
        """Energy, stresses and residual, with the phase field and the plastic regions.

        Args:
            phase_field: A factory ``(elastic_strain, μ, λ) -> PhaseField``, or None.
            plastic: A factory ``(mechanics) -> PlasticRegions``, or None.
        """
        m, law, u = self.measures, self.law, self.u
        mu, lmbda, eigen = self.mu, self.lmbda, self.eigen
        q = m.mechanics_degree
        plastic_regions = list(self.physics.plastic_regions)
        elastic_regions = [r for r in self.model.regions if r not in plastic_regions]
        # The elastic energy integrates over the elastic regions only when some flow.
        dx = m.regions(elastic_regions, q) if plastic_regions else m.dx(q)
        density = law.energy(u, eigen, mu, lmbda)
        self.elastic_stress = law.stress(u, eigen, mu, lmbda)
        self.output_stress = law.stress(u, eigen, mu, lmbda, axis_limit=True)
        self.phase_field: PhaseField | None = None
        if phase_field is not None:
            small = cast(SmallStrainLaw, law)  # the phase field is small strain only
            pf = self.phase_field = phase_field(small.elastic_strain(u, eigen), mu, lmbda)
            density = pf.energy_density
            self.elastic_stress = pf.stress(small.elastic_strain(u, eigen))
            self.output_stress = pf.stress(small.elastic_strain(u, eigen, axis_limit=True))
        self.output_volume_ratio = law.volume_ratio(u, axis_limit=True)
        self.volume_ratio = law.volume_ratio(u)
        energy = density * dx if elastic_regions else None
        self.stress = self.elastic_stress
        self.hydrostatic_stress = ufl.tr(self.elastic_stress) / 3
        v, du = ufl.TestFunction(self.Vu), ufl.TrialFunction(self.Vu)
        internal = ufl.derivative(energy, u, v) if energy is not None else None
        self.plasticity = plastic(self) if plastic is not None else None
        if self.plasticity is not None:
            p = self.plasticity
            self.stress = p.blend(self.elastic_stress, p.cauchy)
            self.output_stress = p.blend(self.output_stress, p.cauchy)
            self.hydrostatic_stress = p.blend(
                self.hydrostatic_stress, law.elastic_hydrostatic(u, eigen, self.bulk)
            )
        self._energy = energy
        external = None
        self.follower_pressure = False
        if self.model.pressure_surfaces:
            pressure = fem.Constant(self.mesh, self.model.outer_pressure)
            n = ufl.FacetNormal(self.mesh)
            ds = m.ds(q)(tuple(self.model.surfaces[s] for s in self.model.pressure_surfaces))
            traction = law.traction(u, pressure, n)
            self.follower_pressure = law.follower_pressure
            external = ufl.inner(traction, as_3d(v)) * ds
        plate = self.plate_load.form(u, v)
        if plate is not None:
            external = plate if external is None else external + plate
        smooth = [f for f in (internal, external) if f is not None]
        smooth_form = sum(smooth[1:], smooth[0]) if smooth else None
        scale = self.scale
        if self.plasticity is None:
            assert smooth_form is not None  # without plastic regions every region is elastic
            self.residual = scale * smooth_form
            self.jacobian = None
        else:
            self.residual = scale * self.plasticity.residual
            self.jacobian = scale * self.plasticity.jacobian
            if smooth_form is not None:
                self.residual = self.residual + scale * smooth_form
                self.jacobian = self.jacobian + scale * ufl.derivative(smooth_form, u, du)
        self.energy_form = energy

    def internal_work(self, w: UFLExpr) -> UFLForm | int:
        """∫ S : ∇w: the internal virtual work of the current stress for a virtual field w."""
        work: UFLForm | int = (
            ufl.derivative(self._energy, self.u, w) if self._energy is not None else 0
        )
        if self.plasticity is not None:
            work = work + self.plasticity.internal_work(w)
        return work

    def strain_energy_density(self, grad_u: UFLExpr, c: UFLValue) -> UFLExpr:
        """ψ per unit reference volume of the elastic law, for any ∇u and concentration (UFL).

        The law of the mechanics forms with E(c), for a 3×3 displacement gradient and a
        concentration expression of one's choice: domain integrals differentiate it with
        respect to both (:mod:`femsi.cracks.domain_integral`). Plastic regions are not covered.
        """
        mu, lmbda = lame(self.fields.soc_dependent("youngs_modulus", c), self.poissons_ratio)
        return self.law.energy_density(grad_u, self.eigen_of(c), mu, lmbda)

    @property
    def is_linear(self) -> bool:
        """Whether the residual is linear in u (small strain, elastic, no energy split)."""
        split = self.phase_field.settings.split if self.phase_field is not None else "none"
        return self.law.name == "small_strain" and self.plasticity is None and split == "none"

    @property
    def has_fixed_operator(self) -> bool:
        """Whether the tangent is the same matrix at every step (linear, constant moduli).

        Linear small strain with E independent of c and no phase field (the damage degrades
        the stiffness): only the right-hand side changes, so one factorisation serves a run.
        """
        constant_moduli = all(_youngs_is_constant(m) for m in self.fields.materials.values())
        return self.is_linear and self.phase_field is None and constant_moduli


def _youngs_is_constant(material: object) -> bool:
    value = getattr(material, "youngs_modulus", None)
    return bool(getattr(value, "is_constant", True))
