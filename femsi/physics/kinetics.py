"""Butler-Volmer surface kinetics with the electrode potential φ as a global unknown.

The molar flux into the active material across its surface is j = -i/F with

    i = i0 [exp(α_a f η) - exp(-α_c f η)],  f = F/(RT),  α_c = 1 - α_a,
    η = φ - U(x) - Ω σ_h / F,
    i0 = k0 (2x)^α_c (2(1 - x))^α_a,  x = c/c_max (clipped to [1e-4, 1 - 1e-4]),

(anodic, delithiating current positive; Newman & Thomas-Alyea, Electrochemical Systems, 2004,
§8; the stress term from the Larché-Cahn chemical potential as in Bower, Guduru & Sethuraman,
JMPS 59 (2011) 804): compressive σ_h lowers the equilibrium potential, so lithiation needs a
lower φ. k0 (``exchange_current_density``) is i0 at x = 1/2; the electrolyte concentration (a
solid single-ion conductor) is folded into it. φ is the electrode potential against a Li/Li+
reference in the electrolyte at the surface (electrolyte potential drop neglected). It is one
global unknown (a DOLFINx real space) with the equation ∫_Γ j dA = j_imposed A (galvanostatic,
rest: j_imposed = 0) or φ = φ_hold (``hold: {potential}``). σ_h is the projected hydrostatic
stress with two-way coupling, else the stress of the last mechanics solve.
"""

from __future__ import annotations

import basix.ufl
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.physics.diffusion import FARADAY, GAS_CONSTANT
from femsi.physics.transport import Transport
from femsi.typing import UFLExpr, UFLForm, UFLValue


class ButlerVolmer:
    """The potential φ, the kinetic surface flux (added to the transport) and φ's equation.

    Args:
        transport: The transport part.
        sigma_h: The hydrostatic stress the surface reaction feels (UFL), or a zero constant.
        temperature: The temperature constant, K.
        depth: Integrals per metre along z in plane strain (else 1).
        length_scale: The body's half-extent L, m.
    """

    def __init__(
        self,
        transport: Transport,
        sigma_h: UFLExpr,
        temperature: fem.Constant,
        depth: float,
        length_scale: float,
    ) -> None:
        t = transport
        mesh, m, model = t.mesh, t.measures, t.model
        q = m.diffusion_degree
        material = t.materials[t.active_regions[0]]
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
        f = FARADAY / (GAS_CONSTANT * temperature)
        omega = material.partial_molar_volume

        def inward_flux(theta: UFLExpr, phi: UFLExpr, sh: UFLValue) -> UFLExpr:
            x = ufl.min_value(ufl.max_value(theta, 1e-4), 1 - 1e-4)
            i0 = k0 * (2 * x) ** alpha_c * (2 * (1 - x)) ** alpha_a
            eta = phi - ocv.ufl(x) - omega * sh / FARADAY
            current = i0 * (ufl.exp(alpha_a * f * eta) - ufl.exp(-alpha_c * f * eta))
            return -current / FARADAY

        chi = t.fields.indicator(t.active_regions)
        tags = tuple(model.surfaces[s] for s in model.active_surfaces)
        one_sided = (chi * sigma_h)("+") + (chi * sigma_h)("-")

        def surface(test: UFLExpr) -> UFLForm:
            """∫_Γ j test dA over exterior and interior active surfaces (σ_h one-sided)."""
            exterior = inward_flux(t.theta, self.potential, sigma_h) * test * m.ds(q)(tags)
            interior = inward_flux(t.theta("+"), self.potential("+"), one_sided)
            return exterior + interior * test("+") * m.dS(q)(tags)

        self.kinetic_flux = lambda: inward_flux  # for reports and tests
        t.add_flux(surface(t.test))
        w = ufl.TestFunction(self.R_space)
        c_max = t.reference_max_concentration
        # Scaled by a 1C-like flux c_max L / 3600 s over an area L²: dimensionless.
        scale = 3600.0 * depth / (c_max * length_scale**3)
        area = m.surface_integral(w, model.active_surfaces, q)
        self.form = scale * (surface(w) - t.inward_flux * area)
        dx_active = m.regions(t.active_regions, q)
        hold_scale = depth / length_scale**3
        self.hold_form = (self.potential - self.held_potential) * hold_scale * w * dx_active

    def equation(self, held: bool) -> UFLForm:
        """φ's residual: the galvanostatic balance, or the hold."""
        return self.hold_form if held else self.form
