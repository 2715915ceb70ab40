"""Two-way coupling: the projected hydrostatic stress and the stress-driven lithium flux.

The flux follows the chemical potential μ = μ₀ + RT ln x - Ω σ_h (Larché & Cahn, Acta
Metall. 21 (1973) 1051; Zhang, Shyy & Sastry, J. Electrochem. Soc. 154 (2007) A910, eq. 4):
J_σ = D c Ω/(RT) ∇σ_h, toward tension. σ_h enters through its gradient, so it is a third
unknown s = σ_h / E_ref, continuous P1 over the active regions, defined by the L2 projection
∫ (E_ref s - σ_h(u, c)) w dx = 0 of the Cauchy hydrostatic stress (σ_h(u, c) is elastic even
where the material flows). Its gradient is then well defined at any displacement degree and
does not differentiate the stress of an element that flows: the elementwise gradient of the
P1-in-cell stress of a P2 displacement coupled to plastic elements, tried first, let
concentration pile up at single nodes.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.physics.constraints import consistent_dofs
from femsi.physics.diffusion import GAS_CONSTANT, stress_flux
from femsi.physics.mechanics import Mechanics
from femsi.physics.transport import Transport
from femsi.typing import UFLExpr


class StressCoupling:
    """The projected σ_h (unknown ``hydrostatic``) and its flux term in the transport residual.

    Args:
        transport: The transport part (receives the flux term).
        mechanics: The mechanics part (σ_h(u, c)).
        temperature: The temperature constant, K.
        depth: Integrals per metre along z in plane strain (else 1).
        length_scale: The body's half-extent L, m.
    """

    def __init__(
        self,
        transport: Transport,
        mechanics: Mechanics,
        temperature: fem.Constant,
        depth: float,
        length_scale: float,
    ) -> None:
        mesh, m = transport.mesh, transport.measures
        q = max(m.diffusion_degree, m.mechanics_degree)
        fields = transport.fields
        omega = fields.piecewise(lambda mat: mat.partial_molar_volume if mat.is_active else 0.0)
        self.stress_scale = E = mechanics.stress_scale
        self.Vs = fem.functionspace(mesh, ("Lagrange", 1))
        self.hydrostatic = fem.Function(self.Vs, name="projected_hydrostatic_stress")
        sigma_h = E * self.hydrostatic
        w = ufl.TestFunction(self.Vs)
        active = transport.active_regions
        dx_active = m.regions(active, q)
        # Scaled like the mechanics residual: dimensionless, per unit volume L³.
        scale = depth / (E * length_scale**3)
        self.projection_form = scale * (sigma_h - mechanics.hydrostatic_stress) * w * dx_active
        cells = np.concatenate([transport.model.cells_of(r) for r in active])
        dofs = consistent_dofs(
            self.Vs, fem.locate_dofs_topological(self.Vs, mesh.topology.dim, cells)
        )
        inactive = np.setdiff1d(np.arange(self.hydrostatic.x.array.size, dtype=np.int32), dofs)
        self.projection_bcs = [fem.dirichletbc(fem.Constant(mesh, 0.0), inactive, self.Vs)]
        ds = ufl.TrialFunction(self.Vs)
        self.projection_jacobian = ufl.derivative(self.projection_form, self.hydrostatic, ds)
        if transport.inactive_regions:
            # The diagonal of the pinned dofs (as for the diffusion Jacobian).
            self.projection_jacobian = self.projection_jacobian + transport.sparsity_term(ds, w, q)
        v = transport.test
        flux = stress_flux(
            transport.concentration,
            transport.diffusivity,
            omega,
            sigma_h,
            GAS_CONSTANT * temperature,
        )
        # The flux term is -∫ J_σ · ∇v dx.
        dx_c = m.regions(active, m.diffusion_degree)
        transport.add_flux(ufl.inner(flux, ufl.grad(v)) * dx_c)

    @property
    def surface_hydrostatic(self) -> UFLExpr:
        """σ_h as the kinetics read it: the projected field."""
        return self.stress_scale * self.hydrostatic
