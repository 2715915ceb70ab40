"""J2 (visco)plasticity in the regions ``physics.plastic_regions``: a part with history.

The residual of a plastic region is ∫ S : ∇v over its cells, S the quadrature stress of
:class:`~femsi.physics.plasticity.operator.QuadratureConstitutive` (σ at small strain, P at
finite strain, F = F_e F_p F_s); elastic regions keep their UFL energy. The hydrostatic Cauchy
stress of J2 flow is elastic (plastic flow is isochoric), so the coupling reads a UFL
expression of (u, c) with no history (:meth:`~femsi.physics.laws.FiniteStrainLaw.
elastic_hydrostatic`).

History: :meth:`update` (a new step's rate), :meth:`commit` (accept the converged state,
after a refresh at the final u) and :meth:`restore` (back to the last commit).
"""

from __future__ import annotations

from collections.abc import Callable

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.physics.kinematics import displacement_gradient
from femsi.physics.mechanics import Mechanics
from femsi.physics.plasticity import PlasticMaterial
from femsi.physics.plasticity.operator import QuadratureConstitutive
from femsi.physics.plasticity.projection import QuadratureProjector
from femsi.typing import UFLExpr, UFLForm


class PlasticRegions:
    """The quadrature-point J2 operator over the mesh, flowing in the plastic regions.

    Args:
        mechanics: The mechanics part (displacement, law, moduli, eigen).
        regions: The plastic regions.
        viscoplastic: Perzyna overstress flow instead of rate-independent J2.
    """

    def __init__(self, mechanics: Mechanics, regions: list[str], viscoplastic: bool) -> None:
        self.mechanics = m = mechanics
        self.regions = list(regions)
        model, mesh = m.model, m.mesh
        plastic = []
        for region in self.regions:
            material = PlasticMaterial.from_material(m.materials[region], viscoplastic)
            assert material is not None  # a plastic region has a yield stress (checked on load)
            plastic.append((model.cells_of(region), material))
        soc = m.concentration / m.fields.concentration_scale()
        self.operator = op = QuadratureConstitutive(
            m.u,
            kinematics=m.law.name,
            swelling=m.eigen,
            soc=soc,
            youngs_modulus=m.youngs_modulus,
            poissons_ratio=m.poissons_ratio,
            plastic=plastic,
            quadrature_degree=m.measures.mechanics_degree,
            formulation=m.formulation,
        )
        # σ_Y(SOC) of the plastic regions as UFL (its θ-derivative enters the coupled Jacobian)
        self._yield_stress = sum(
            m.fields.indicator([r]) * mat.yield_stress.ufl(ufl.min_value(ufl.max_value(soc, 0), 1))
            for r, (_, mat) in zip(self.regions, plastic, strict=True)
        )
        # ∂σ_f/∂σ_Y = 3G/(3G + H) at the points that flowed in the last evaluation, 0 elsewhere
        element = basix.ufl.quadrature_element(mesh.basix_cell(), value_shape=(), degree=op.degree)
        self._yield_sensitivity = fem.Function(fem.functionspace(mesh, element))
        self._sensitivity_dofs = self._yield_sensitivity.function_space.dofmap.list[
            op.owned_cells
        ].reshape(-1)
        self._hardening = op.hardening_moduli()
        tags = tuple(model.regions[r] for r in self.regions)
        self.dx = op.dx(tags, subdomain_data=model.cell_tags)
        v, du = ufl.TestFunction(m.Vu), ufl.TrialFunction(m.Vu)
        self.residual = op.residual(v, self.dx)
        self.jacobian = op.jacobian(du, v, self.dx)
        self.indicator = m.fields.indicator(self.regions)
        # Outputs: the quadrature Cauchy stress projected into the stress space in plastic
        # cells (filled by :meth:`update_stress`).
        k = max(m.displacement_degree - 1, 0)
        self.cauchy = fem.Function(
            fem.functionspace(mesh, ("DG", k, (3, 3))), name="plastic_cauchy_stress"
        )
        self._projector = QuadratureProjector(op, self.cauchy)
        #: Called with the operator before each commit (the plastic-work output).
        self.before_commit: list[Callable[[], None]] = []

    def blend(self, elastic: UFLExpr, plastic: UFLExpr) -> UFLExpr:
        """``elastic`` outside the plastic regions and ``plastic`` inside."""
        chi = self.indicator
        return (1 - chi) * elastic + chi * plastic

    def internal_work(self, w: UFLExpr) -> UFLForm:
        """∫ S : ∇w over the plastic regions."""
        f = self.mechanics.formulation
        return ufl.inner(self.operator.stress, displacement_gradient(w, f)) * self.dx

    # ------------------------------------------------------------------ history

    def pre_assembly(self) -> None:
        """Before each residual: the return map at the current iterate."""
        self.operator.refresh()

    def refresh_with_flags(self) -> None:
        """The operator's refresh plus the flow flags the coupled Jacobian reads."""
        op = self.operator
        op.refresh()
        shear = op.last_shear_moduli()
        if shear is None:
            return
        gain = 3 * shear / (3 * shear + self._hardening)
        self._yield_sensitivity.x.array[self._sensitivity_dofs] = np.where(op.dgamma > 0, gain, 0.0)

    def update(self, dt: float) -> None:
        """A new step of length ``dt``."""
        self.operator.update(dt)

    def commit(self) -> None:
        """Accept the state just converged (refreshed at the final u)."""
        self.operator.refresh()
        for hook in self.before_commit:
            hook()
        self.operator.commit()

    def restore(self) -> None:
        """Back to the last committed history."""
        self.operator.restore()

    def update_stress(self) -> None:
        """Project the operator's last Cauchy stress into the output stress space."""
        self._projector.project(self.operator.cauchy)

    # ------------------------------------------------------------------ coupled Jacobian

    def swelling_tangent(self, dtheta: UFLExpr) -> UFLForm:
        """∫ (∂S/∂θ δθ) : ∇v over the plastic regions.

        Swelling is isotropic, so it changes only the trace of the (trial) elastic strain and
        the return map leaves the deviator alone whatever the plastic state (the principal
        algorithmic tangent maps (1, 1, 1) to 3K (1, 1, 1), because the flow direction is
        deviatoric): at finite strain ∂τ/∂J_s = -K/J_s I, so ∂P/∂J_s = P/J_s - K F⁻ᵀ with the
        quadrature P; at small strain ∂σ/∂e* = -3K I.

        E(SOC) and σ_Y(SOC): with ν constant an elastic point has ∂τ/∂E = τ/E; a point that
        flows keeps dev τ = σ_f n with n the trial direction (independent of E), so only the
        volumetric part scales with E, and ∂τ/∂σ_Y = (∂σ_f/∂σ_Y) n with ∂σ_f/∂σ_Y =
        3G/(3G + H) (the flags come from :meth:`refresh_with_flags`). For viscoplastic flow
        the same expressions are an approximation (the overstress is left out).
        """
        m = self.mechanics
        v = ufl.TestFunction(m.Vu)
        op, law = self.operator, m.law
        d_eigen = ufl.derivative(m.eigen, m.theta, dtheta)
        d_modulus = ufl.derivative(m.youngs_modulus, m.theta, dtheta)
        d_yield = ufl.derivative(self._yield_stress, m.theta, dtheta)
        flowing = self._yield_sensitivity
        tau = law.kirchhoff(op.stress, m.u, m.eigen)
        dev_tau = ufl.dev(tau)
        q = ufl.sqrt(1.5 * ufl.inner(dev_tau, dev_tau)) + 1e-30 * m.stress_scale
        # ∂τ/∂E: τ/E where elastic; only the volumetric part (dev τ = σ_f n) where flowing
        is_flowing = ufl.conditional(ufl.gt(flowing, 0), 1.0, 0.0)
        dtau = (tau - is_flowing * dev_tau) / m.youngs_modulus * d_modulus
        dtau = dtau + flowing * dev_tau / q * d_yield
        dstress = law.plastic_swelling_tangent(op.stress, m.u, m.eigen, m.bulk, d_eigen, dtau)
        return ufl.inner(dstress, displacement_gradient(v, m.formulation)) * self.dx
