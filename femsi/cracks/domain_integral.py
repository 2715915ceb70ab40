"""Energy release rate G and stress intensity factors of cracks by domain integrals.

Energy release rate (G-θ / equivalent domain integral; Destuynder & Djaoua 1981, Li, Shih &
Needleman 1985; energy-momentum tensor of Eshelby 1951). For a body with strain energy
ψ(∇u, c) per reference volume, first Piola–Kirchhoff stress P = ∂ψ/∂∇u, and a virtual
crack-advance field θ (:mod:`femsi.cracks.integral_fields`: 1 · advance direction at the front,
0 outside a ring),

    G L = ∫ [P : (∇u ∇θ) − ψ div θ] dV − ∫ (∂ψ/∂c) ∇c · θ dV,

with ∇ the 3×3 gradient of the formulation (:func:`femsi.physics.kinematics.
displacement_gradient` applied to u and to θ: the axisymmetric hoop terms u_r/r and θ_r/r
appear), dV its measure (2πr dr dz in axisymmetry) and L the crack-front length swept:
1 (per metre) in plane strain, 2π r_tip for an axisymmetric ring crack, ∫ φ_k ds at station k
of a 3D front. The last term is the explicit dependence of ψ on position through the
concentration (swelling, E(c)): ∂ψ/∂c is taken with ``ufl.diff`` from ψ built with c as a
``ufl.variable``, so it holds for small strain (σ : ∂ε*/∂c, Nakamura & Parks 1989 for thermal
strains) and for the neo-Hookean solid with F = F_e F_s alike. Without it G depends on the ring
under concentration gradients.

Not captured: jumps of piecewise-constant material parameters between regions (a
material interface inside a ring adds an interface integral that is not computed). Rings must
stay inside one material: :func:`~femsi.cracks.material_rings.rings_for` picks such rings,
and integrals built with :meth:`DomainIntegral.for_model` refuse rings that reach another
material. Plastic flow is not covered: with unloading J is not a fracture parameter (no strain
energy exists).

Stress intensity factors (interaction integral; Yau, Wang & Corten 1980) of a 2D tip with small
strain: the integral of the superposed state u + α u_aux, u_aux the plane-strain Williams
field of unit K_I or K_II (:func:`~femsi.cracks.integral_fields.williams_displacement`) for the
ring-averaged E, ν, is differentiated with respect to α at α = 0:

    M L = d/dα (G L)[u + α u_aux]|₀ + ∫ (div σ_aux) · (∇u θ) dV,
    K_I = M_I E / (2 (1 − ν²)),   K_II = M_II E / (2 (1 − ν²)).

σ_aux = ∂²ψ/∂∇u² : ∇u_aux is the stress of the auxiliary field with its 3D gradient. The last
term corrects for an auxiliary field that is not in equilibrium: in axisymmetry the Williams
field rotated about the axis has a hoop strain u_r/r and div σ_aux ≠ 0 (the non-equilibrium
formulation of the interaction integral: Nahta & Moran, Int. J. Solids Struct. 30 (1993) 2027
for axisymmetric cracks; Kim & Paulino, Int. J. Numer. Meth. Eng. 53 (2002) 1903 for graded
materials, whose E(x) gradient it also corrects); in plane strain with uniform E it vanishes.
Near the tip the terms of the hoop strain are O(√r) and drop out, so the same K-M relation as
in plane strain holds. At finite strain no such superposition holds: K_I and K_II are NaN and G
is the fracture parameter (with a plane-strain-like tip, K_eq = √(G E/(1 − ν²)) if wanted:
:func:`~femsi.cracks.results.mode_I_K`). On a half model that is symmetric about the crack
plane (``symmetric``) the integrals are doubled and K_II = 0.

All forms are compiled once: the tip, direction, mode and ring-averaged moduli are Constants,
θ a P1 Function set with NumPy for each ring and station. Quadrature degrees are explicit.
"""

from __future__ import annotations

import math

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.cracks.integral_fields import Front, plateau, ring_field, williams_displacement
from femsi.cracks.material_rings import cell_material_ids
from femsi.cracks.results import CrackResult, FrontResult
from femsi.parallel import ScalarForm
from femsi.physics.elasticity import lame, small_strain_energy_density
from femsi.physics.kinematics import as_3d, displacement_gradient, divergence
from femsi.physics.measures import cell_measure, domain_integral_degree


def _as_3d(t2):
    """A 2×2 in-plane tensor as 3×3 with zero out-of-plane row and column."""
    return ufl.as_tensor(
        [[t2[0, 0], t2[0, 1], 0], [t2[1, 0], t2[1, 1], 0], [0, 0, 0]],
    )


def elastic_strain(u, beta=None):
    """3×3 plane-strain elastic strain ε(u) − β I."""
    eps = _as_3d(ufl.sym(ufl.grad(u)))
    return eps if beta is None else eps - beta * ufl.Identity(3)


def stress(u, E: float, nu: float, beta=None):
    """3×3 plane-strain stress λ tr(ε_e) I + 2μ ε_e (σ_zz included)."""
    mu, lmbda = lame(E, nu)
    ee = elastic_strain(u, beta)
    return lmbda * ufl.tr(ee) * ufl.Identity(3) + 2 * mu * ee


def in_plane(t3):
    """The in-plane 2×2 block of a 3×3 tensor."""
    return ufl.as_tensor([[t3[0, 0], t3[0, 1]], [t3[1, 0], t3[1, 1]]])


class DomainIntegral:
    """G (and K_I, K_II for 2D small strain) of cracks by domain integrals.

    The constructor is the plane-strain, small-strain, isotropic linear-elastic case with an
    isotropic eigenstrain β I; :meth:`from_energy` takes any strain energy and formulation and
    :meth:`for_model` a study's :class:`~femsi.physics.model.CoupledModel`.

    Args:
        u: Displacement (vector Function on a 2D mesh).
        E: Young's modulus, Pa.
        nu: Poisson's ratio.
        degree: Quadrature degree of the integrals.
        beta: Isotropic eigenstrain β (scalar Function), or None.
        eigenstrain_term: Include the explicit term −∫ ∂ψ/∂β ∇β·θ dA = ∫ θ·∇β tr σ dA (switch
            off only to show why it is needed).
    """

    def __init__(self, u, E: float, nu: float, degree: int, beta=None, eigenstrain_term=True):
        mu, lmbda = lame(E, nu)

        def energy(grad_u, b):
            eps_star = ufl.zero(3, 3) if b is None else b * ufl.Identity(3)
            return small_strain_energy_density(grad_u, eps_star, mu, lmbda)

        self._setup(
            u,
            energy,
            degree,
            formulation="plane_strain",
            concentration=beta,
            youngs_modulus=E,
            poissons_ratio=nu,
            small_strain=True,
            explicit_term=eigenstrain_term,
        )

    @classmethod
    def from_energy(
        cls,
        u,
        energy,
        degree: int,
        *,
        formulation: str = "plane_strain",
        concentration=None,
        youngs_modulus=None,
        poissons_ratio=None,
        small_strain: bool = True,
        explicit_term: bool = True,
    ) -> DomainIntegral:
        """Domain integrals of a body with a given strain energy.

        Args:
            u: Displacement Function (2 components for a 2D section, 3 in 3D).
            energy: ψ(∇u, c) per reference volume, a callable of the 3×3 displacement gradient
                and the concentration (None when ``concentration`` is None), returning UFL.
            degree: Quadrature degree of the integrals.
            formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
            concentration: The field ψ depends on besides ∇u (UFL scalar), or None.
            youngs_modulus: E for the auxiliary fields of K (number or UFL); None: no K.
            poissons_ratio: ν for the auxiliary fields of K (number or UFL).
            small_strain: Whether ψ is quadratic in ∇u (K only then).
            explicit_term: Include −∫ (∂ψ/∂c) ∇c · θ dV.
        """
        self = cls.__new__(cls)
        self._setup(
            u,
            energy,
            degree,
            formulation=formulation,
            concentration=concentration,
            youngs_modulus=youngs_modulus,
            poissons_ratio=poissons_ratio,
            small_strain=small_strain,
            explicit_term=explicit_term,
        )
        return self

    @classmethod
    def for_model(cls, model, degree: int | None = None, explicit_term: bool = True):
        """Domain integrals with a study model's own fields and constitutive law.

        Uses the model's displacement, concentration, formulation, measures and elastic law
        (:meth:`~femsi.physics.model.CoupledModel.strain_energy_density`: small strain or
        neo-Hookean with swelling, E(c)). Evaluate after each solve: the forms read the current
        fields.

        Args:
            model: A :class:`~femsi.physics.model.CoupledModel` with mechanics.
            degree: Quadrature degree; default
                :func:`~femsi.physics.measures.domain_integral_degree` (2 k, +1 in
                axisymmetry, k the displacement degree).
            explicit_term: Include the concentration-gradient term.

        Raises:
            ValueError: A model without mechanics or with plastic regions (J is not a fracture
                parameter with plastic flow).
        """
        if not model.has_mechanics:
            raise ValueError("domain integrals need a model with mechanics")
        if model.plastic_regions:
            raise ValueError(
                f"domain integrals need an elastic body; plastic regions {model.plastic_regions} "
                "flow (with plastic flow J is not a fracture parameter)"
            )
        formulation = model.formulation
        if degree is None:
            degree = domain_integral_degree(model.physics.displacement_degree, formulation)
        self = cls.__new__(cls)
        E = model.fields.soc_dependent("youngs_modulus", model.concentration)
        nu = model.fields.piecewise(lambda m: m.poissons_ratio)
        self._setup(
            model.u,
            model.strain_energy_density,
            degree,
            formulation=formulation,
            concentration=model.concentration,
            youngs_modulus=E,
            poissons_ratio=nu,
            small_strain=model.mechanics.law.linear_kinematics,
            explicit_term=explicit_term,
            dx=model.measures.dx(degree),
            cell_materials=cell_material_ids(model),
        )
        return self

    # ------------------------------------------------------------------ forms

    def _setup(
        self,
        u,
        energy,
        degree: int,
        *,
        formulation: str,
        concentration,
        youngs_modulus,
        poissons_ratio,
        small_strain: bool,
        explicit_term: bool,
        dx=None,
        cell_materials: np.ndarray | None = None,
    ) -> None:
        """Build the compiled forms (see the module docstring).

        ``dx`` defaults to the cell measure of ``degree`` of the mesh
        (:func:`~femsi.physics.measures.cell_measure`: 2πr-weighted in axisymmetry).
        """
        msh = u.function_space.mesh
        self.mesh, self.formulation = msh, formulation
        self.gdim = msh.geometry.dim
        self._cell_materials = cell_materials
        if dx is None:
            dx = cell_measure(msh, degree, formulation)
        self.theta = fem.Function(fem.functionspace(msh, ("Lagrange", 1, (self.gdim,))))
        space = self.theta.function_space
        self._x = space.tabulate_dof_coordinates()
        tdim = msh.topology.dim
        self._cell_nodes = space.dofmap.list[: msh.topology.index_map(tdim).size_local]
        theta = self.theta
        grad_theta = displacement_gradient(theta, formulation)
        div_theta = ufl.tr(grad_theta)
        grad_u = displacement_gradient(u, formulation)
        c = concentration
        grad_c = ufl.grad(c) if (c is not None and explicit_term) else None

        def integrand(H):
            """P : (H ∇θ) − ψ div θ − (∂ψ/∂c) ∇c · θ for the displacement gradient H."""
            Hv = ufl.variable(H)
            cv = None if c is None else ufl.variable(c)
            psi = energy(Hv, cv)
            g = ufl.inner(ufl.diff(psi, Hv), Hv * grad_theta) - psi * div_theta
            if grad_c is not None:
                g -= ufl.diff(psi, cv) * ufl.dot(grad_c, theta)
            return g

        comm = msh.comm
        self._G = ScalarForm(integrand(grad_u) * dx, comm)
        self.has_K = self.gdim == 2 and small_strain and youngs_modulus is not None
        if not self.has_K:
            return
        self.tip = fem.Constant(msh, np.zeros(2))
        self.direction = fem.Constant(msh, np.array([1.0, 0.0]))
        self.mode = fem.Constant(msh, np.array([1.0, 0.0]))
        self.E_ring = fem.Constant(msh, 1.0)
        self.nu_ring = fem.Constant(msh, 0.0)
        shear = self.E_ring / (2 * (1 + self.nu_ring))
        kappa = 3 - 4 * self.nu_ring
        x = ufl.SpatialCoordinate(msh)
        u_aux = williams_displacement(x, self.tip, self.direction, self.mode, shear, kappa)
        grad_aux = displacement_gradient(u_aux, formulation)
        alpha = ufl.variable(fem.Constant(msh, 0.0))
        m = ufl.diff(integrand(grad_u + alpha * grad_aux), alpha)
        # The auxiliary stress: d/dα of P(α ∇u_aux) (the eigenstrain's stress drops out).
        Hw = ufl.variable(alpha * grad_aux)
        sigma_aux = ufl.diff(ufl.diff(energy(Hw, c), Hw), alpha)
        drift = grad_u * as_3d(theta)
        drift = ufl.as_vector([drift[i] for i in range(self.gdim)])
        m += ufl.dot(divergence(sigma_aux, formulation), drift)
        self._M = ScalarForm(m * dx, comm)
        weight = ufl.sqrt(ufl.dot(theta, theta))
        self._ring_E = ScalarForm(weight * youngs_modulus * dx, comm)
        self._ring_nu = ScalarForm(weight * poissons_ratio * dx, comm)
        self._ring_volume = ScalarForm(weight * dx, comm)

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, tip, direction, rings, symmetric: bool = False) -> CrackResult:
        """G, K_I and K_II of one 2D tip on each ring.

        Args:
            tip: Tip coordinates (x, y), m (x = r in axisymmetry: a ring crack of radius r).
            direction: Crack-advance direction at the tip (normalised here).
            rings: (r1, r2) pairs: q = 1 inside r1, 0 outside r2, m. Each ring must contain
                no other tip, reach no loaded boundary, stay inside one material and, in
                axisymmetry, not reach the axis (r2 ≤ r_tip).
            symmetric: The mesh is the half of a body symmetric about the crack plane (mode I
                only): the integrals are doubled and K_II is 0.

        Returns:
            The results on each ring.

        Raises:
            ValueError: A 3D mesh (see :meth:`evaluate_front`), a bad ring, a ring reaching
                another material.
        """
        if self.gdim != 2:
            raise ValueError("evaluate is for 2D tips; use evaluate_front on a 3D mesh")
        tip = np.asarray(tip, dtype=float)[:2]
        e = np.asarray(direction, dtype=float)[:2]
        e = e / np.linalg.norm(e)
        length = 1.0
        if self.formulation == "axisymmetric":
            if tip[0] <= 0:
                raise ValueError(f"an axisymmetric crack tip needs r > 0, got r = {tip[0]}")
            length = 2 * math.pi * tip[0]
        factor = (2.0 if symmetric else 1.0) / length
        G, K_I, K_II = [], [], []
        for r1, r2 in rings:
            self._check_ring(r1, r2, tip)
            self.theta.x.array[:] = ring_field(self._x, tip, e, r1, r2).ravel()
            self._check_material(f"ring ({r1:g}, {r2:g}) m about the tip {tuple(tip)}")
            G.append(factor * self._G())
            if not self.has_K:
                K_I.append(math.nan)
                K_II.append(math.nan)
                continue
            volume = self._ring_volume()
            # fem.Constant.value is typed as an array; the setter takes a number.
            self.E_ring.value = self._ring_E() / volume  # type: ignore[assignment]
            self.nu_ring.value = self._ring_nu() / volume  # type: ignore[assignment]
            self.tip.value[:] = tip
            self.direction.value[:] = e
            to_K = float(self.E_ring.value) / (2 * (1 - float(self.nu_ring.value) ** 2))
            self.mode.value[:] = (1.0, 0.0)
            K_I.append(factor * to_K * self._M())
            if symmetric:
                K_II.append(0.0)
            else:
                self.mode.value[:] = (0.0, 1.0)
                K_II.append(factor * to_K * self._M())
        return CrackResult(np.array(G), np.array(K_I), np.array(K_II))

    def evaluate_front(
        self,
        points,
        normals,
        rings,
        stations=None,
        symmetric: bool = False,
        closed: bool = False,
        boundary=None,
    ) -> FrontResult:
        """G(s) along a 3D crack front on each ring.

        θ_k = q(d) φ_k(s) n(s) (:mod:`femsi.cracks.integral_fields`) and G_k = I_k / ∫ φ_k ds.

        Args:
            points: Front polyline, m × 3, m.
            normals: Unit crack-advance directions at the points (in the crack plane, normal
                to the front), m × 3.
            rings: (r1, r2) pairs of distances to the front: q = 1 inside r1, 0 outside r2, m.
            stations: Indices of the points where G is computed (default: every point); the
                hat of a station spans to its neighbouring stations.
            symmetric: The mesh holds the body on one side of its symmetry plane, the crack
                plane: the integrals are doubled.
            closed: The front is a closed loop (its last point joins the first; the points are
                not repeated): the hats wrap around.
            boundary: The body's boundary near the front, (points k × 3, directions k × 3 × 3):
                at these nodes θ loses its components along the given directions (the normals
                of the boundary faces around the node), so that the virtual crack advance moves
                no boundary (where the front meets a free surface the plain θ would, and G
                would gain the energy of the material added or removed there). None: no
                projection.

        Returns:
            G at each station on each ring.

        Raises:
            ValueError: A 2D mesh, a bad front, a ring reaching another material.
        """
        if self.gdim != 3:
            raise ValueError("evaluate_front is for 3D meshes; use evaluate for a 2D tip")
        front = Front.build(points, normals, stations, closed=closed)
        distance, s, n = front.closest(self._x)
        if boundary is not None:
            nodes, projectors = self._projectors(*boundary)
            n = n.copy()
            n[nodes] = np.einsum("kij,kj->ki", projectors, n[nodes])
        factor = 2.0 if symmetric else 1.0
        G = np.zeros((len(rings), front.count))
        for i, (r1, r2) in enumerate(rings):
            self._check_ring(r1, r2)
            q = plateau(distance, r1, r2)
            self.theta.x.array[:] = (q[:, None] * n).ravel()
            self._check_material(f"ring ({r1:g}, {r2:g}) m about the front")
            for k in range(front.count):
                self.theta.x.array[:] = ((q * front.hat(k, s))[:, None] * n).ravel()
                G[i, k] = factor * self._G() / front.hat_length(k)
        kept = front.stations[: front.count]
        return FrontResult(front.station_arc[: front.count], front.points[kept], G)

    def _projectors(self, points, directions) -> tuple[np.ndarray, np.ndarray]:
        """The θ nodes at ``points`` and their projectors I − Σ m mᵀ (m the directions)."""
        from scipy.spatial import cKDTree

        points = np.asarray(points, dtype=float)
        if len(points) == 0:
            return np.zeros(0, dtype=int), np.zeros((0, 3, 3))
        scale = float(np.abs(points).max()) or 1.0
        distance, index = cKDTree(points).query(self._x, distance_upper_bound=1e-9 * scale)
        nodes = np.flatnonzero(np.isfinite(distance))
        m = np.asarray(directions, dtype=float)[index[nodes]]
        return nodes, np.eye(3)[None] - np.einsum("kai,kaj->kij", m, m)

    def _check_ring(self, r1: float, r2: float, tip=None) -> None:
        if not 0 <= r1 < r2:
            raise ValueError(f"a ring needs 0 ≤ r1 < r2, got ({r1}, {r2})")
        if tip is not None and self.formulation == "axisymmetric" and r2 > tip[0]:
            raise ValueError(
                f"ring ({r1:g}, {r2:g}) m reaches the axis from the tip at r = {tip[0]:g} m "
                "(θ must vanish there)"
            )

    def _check_material(self, what: str) -> None:
        """Refuse θ fields whose support spans cells of more than one material."""
        if self._cell_materials is None:
            return
        moving = np.linalg.norm(self.theta.x.array.reshape(-1, self.gdim), axis=1) > 0
        cells = np.any(moving[self._cell_nodes], axis=1)
        local = set(np.unique(self._cell_materials[cells]).tolist())
        found = set().union(*self.mesh.comm.allgather(local))
        if len(found) > 1:
            raise ValueError(
                f"the {what} spans {len(found)} materials; domain integrals need one "
                "homogeneous material (use smaller rings: "
                "femsi.cracks.material_rings.rings_for)"
            )
