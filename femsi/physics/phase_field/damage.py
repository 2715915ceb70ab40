"""The damage field of phase-field fracture: degraded energy, driving force, damage problem.

Small strain. The total energy of a body with damage d (P1, 0 sound, 1 broken) is

    Π(u, d) = ∫ ψ_d(ε_e, d) dV + ∫_Ω_c G_c γ(d, ∇d) dV,
    ψ_d = g(d) ψ⁺(ε_e) + ψ⁻(ε_e) in the cracking regions Ω_c, ψ(ε_e) elsewhere,

with ε_e = ε(u) - ε* the elastic strain (the swelling eigenstrain removed), the split ψ = ψ⁺ +
ψ⁻ of :mod:`.split`, g(d) = (1 - d)² + k and γ the crack density of :mod:`.regularisation`.
For fixed d the displacement problem is the minimum of Π over u (the mechanics residual of the
model, with ψ_d as its energy density). For fixed u the damage problem minimises

    ∫_Ω_c [g(d) D + G_c γ(d, ∇d)] dV   over   l_b ≤ d ≤ 1,

whose stationarity condition is linear in d for both AT1 and AT2. The driving force D and the
lower bound l_b carry the irreversibility:

- ``history`` (Miehe, Hofacker & Welschinger, CMAME 199 (2010) 2765): D = H, the largest ψ⁺
  seen at each quadrature point, H = max(H_n, ψ⁺(u)); l_b = 0 (a bound only for AT1, whose
  elastic phase needs d ≥ 0; AT2 then is one linear solve);
- ``bounds``: D = ψ⁺(u) and l_b = d_n, the damage of the last accepted step: a variational
  inequality (PETSc ``vinewtonrsls``) in which damage never heals.

Damage lives only in the cracking regions: damage dofs that no cracking cell touches are held
at zero, and dofs within half a cell of an initial crack (a segment) at one, which seeds a
crack where a real body has a flaw. ``d``, the history and their committed copies
(``commit``/``restore``) follow the runner's accepted and rejected steps.

All forms are compiled once with an explicit quadrature degree; the history is a quadrature
Function of that degree, evaluated from one compiled Expression of ψ⁺.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mpi4py import MPI

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem
from dolfinx.cpp.mesh import h as cell_sizes

import femsi.compat  # noqa: F401
from femsi.geometry.model import MeshModel
from femsi.parallel import ScalarForm, global_max
from femsi.physics.constraints import consistent_dofs
from femsi.physics.measures import Measures
from femsi.physics.phase_field.regularisation import Regularisation, degradation
from femsi.physics.phase_field.split import split_energy

#: Ways to keep damage from healing.
IRREVERSIBILITY = ("history", "bounds")


@dataclass(frozen=True)
class PhaseFieldSettings:
    """The model choices of phase-field fracture.

    Attributes:
        length_scale: Regularisation length l, m: one for every cracking region, or one per
            region (a mapping region → l).
        model: ``AT1`` or ``AT2``.
        split: ``none``, ``volumetric_deviatoric`` or ``spectral``.
        irreversibility: ``history`` or ``bounds`` (module docstring).
        residual_stiffness: k in g(d) = (1 - d)² + k.
    """

    length_scale: float | Mapping[str, float]
    model: str = "AT2"
    split: str = "spectral"
    irreversibility: str = "history"
    residual_stiffness: float = 1e-6

    def __post_init__(self):
        if self.irreversibility not in IRREVERSIBILITY:
            raise ValueError(f"irreversibility must be one of {IRREVERSIBILITY}")
        lengths = (
            self.length_scale.values() if isinstance(self.length_scale, Mapping)
            else [self.length_scale]
        )  # fmt: skip
        if any(not length > 0 for length in lengths):
            raise ValueError("the length scale must be positive")

    def length_of(self, region: str) -> float:
        """The length scale l of a cracking region, m."""
        if isinstance(self.length_scale, Mapping):
            return float(self.length_scale[region])
        return float(self.length_scale)


@dataclass(frozen=True)
class InitialCrack:
    """A straight initial crack (a flaw): damage one along a segment.

    Attributes:
        start: First end point (x, y) or (x, y, z), m.
        end: Second end point, m.
    """

    start: tuple[float, ...]
    end: tuple[float, ...]


class PhaseField:
    """Damage, degraded energy, driving force and damage forms over the cracking regions.

    Args:
        model: The mesh with its regions.
        measures: The measures (their mechanics degree is used for the energy integral).
        u: The displacement.
        elastic_strain: UFL 3×3 elastic strain ε_e(u) (with the eigenstrain removed).
        mu: Shear modulus (UFL scalar).
        lmbda: Lamé's λ (UFL scalar).
        regions: The regions where cracks may grow.
        fracture_energy: Region name to G_c, J/m², for every region in ``regions``.
        settings: Model, split, irreversibility, l and k.
        initial_cracks: Flaws where d = 1 from the start.
        reference_volume: The volume (or area per unit depth in plane strain) the damage
            residual is divided by, besides G_c/l, so that it is dimensionless.
        energy_regions: The regions whose strain energy ψ_d is reported (None: all; the
            model leaves out plastic regions, whose energy is not ψ_d).
    """

    def __init__(
        self,
        model: MeshModel,
        measures: Measures,
        u: fem.Function,
        elastic_strain,
        mu,
        lmbda,
        regions: Sequence[str],
        fracture_energy: dict[str, float],
        settings: PhaseFieldSettings,
        initial_cracks: Sequence[InitialCrack] = (),
        reference_volume: float = 1.0,
        energy_regions: Sequence[str] | None = None,
    ):
        self.model = model
        self.mesh = mesh = model.mesh
        self.settings = settings
        self.regions = list(regions)
        self.regularisation = reg = Regularisation(settings.model)
        self.history = settings.irreversibility == "history"
        self.bounded = reg.needs_bounds or not self.history
        self.formulation = model.formulation
        lengths = {region: settings.length_of(region) for region in regions}
        axisymmetric = int(model.formulation == "axisymmetric")
        #: Quadrature degree of the damage forms and of the history.
        self.degree = max(2 + axisymmetric, measures.mechanics_degree)
        q = self.degree

        self.V = fem.functionspace(mesh, ("Lagrange", 1))
        self.d = fem.Function(self.V, name="damage")
        self.d_n = fem.Function(self.V)
        self.upper = fem.Function(self.V)
        self.upper.x.array[:] = 1.0
        # The lower bound: the committed damage (``bounds``) or zero (AT1 with a history).
        self.lower = self.d_n if not self.history else fem.Function(self.V)

        dg0 = fem.functionspace(mesh, ("DG", 0))
        self.indicator = fem.Function(dg0, name="cracking_regions")
        self.fracture_energy = fem.Function(dg0, name="fracture_energy")
        crack_cells = []
        for region in self.regions:
            cells = model.cells_of(region)
            crack_cells.append(cells)
            self.indicator.x.array[cells] = 1.0
            self.fracture_energy.x.array[cells] = fracture_energy[region]
        self.indicator.x.scatter_forward()
        self.fracture_energy.x.scatter_forward()
        self._crack_cells = np.unique(np.concatenate(crack_cells)).astype(np.int32)
        length: float | fem.Function
        if len(set(lengths.values())) == 1:
            length = next(iter(lengths.values()))
        else:  # one l per region: a cell-wise field
            length = fem.Function(dg0, name="length_scale")
            length.x.array[:] = max(lengths.values())
            for region in self.regions:
                length.x.array[model.cells_of(region)] = lengths[region]
            length.x.scatter_forward()
        gc_ref = max(fracture_energy[r] for r in self.regions)

        psi_plus, psi_minus = split_energy(
            elastic_strain, mu, lmbda, settings.split, model.formulation
        )
        self.psi_plus = psi_plus
        chi = self.indicator
        g = degradation(self.d, settings.residual_stiffness)
        #: Energy density ψ_d(u, d) of the whole body (degraded in the cracking regions).
        self.energy_density = chi * (g * psi_plus + psi_minus) + (1 - chi) * (psi_plus + psi_minus)
        self._mu, self._lmbda = mu, lmbda

        element = basix.ufl.quadrature_element(mesh.basix_cell(), value_shape=(), degree=q)
        if self.history:
            Q = fem.functionspace(mesh, element)
            self.H = fem.Function(Q, name="history")
            self.H_n = fem.Function(Q)
            self._psi_q = fem.Function(Q)
            self._psi_expression = fem.Expression(psi_plus, Q.element.interpolation_points)
            driving = self.H
        else:
            driving = psi_plus

        dx_c = measures.regions(self.regions, q)
        v, trial = ufl.TestFunction(self.V), ufl.TrialFunction(self.V)
        gc = self.fracture_energy
        density = reg.crack_density(self.d, ufl.grad(self.d), length)
        scale = max(lengths.values()) / (gc_ref * reference_volume)
        damage_energy = scale * (degradation(self.d, 0.0) * driving + gc * density) * dx_c
        self.residual = ufl.derivative(damage_energy, self.d, v)
        self.jacobian = ufl.derivative(self.residual, self.d, trial)
        others = [r for r in model.regions if r not in self.regions]
        if others:
            # Damage dofs outside the cracking regions are held at zero; their rows need a
            # diagonal in the sparsity pattern, which a zero-valued term over those cells adds.
            zero = fem.Constant(mesh, 0.0)
            self.jacobian = self.jacobian + zero * trial * v * measures.regions(others, q)
        #: True when the residual is linear in d with no bounds (AT2 with a history).
        self.linear = not self.bounded

        #: The longest cell edge of each cracking region, m.
        self.mesh_sizes = {r: self._largest_cell(model.cells_of(r)) for r in self.regions}
        self._mesh_size = max(self.mesh_sizes.values())
        self.bcs = self._conditions(initial_cracks)
        self.d_n.x.array[:] = self.d.x.array
        # Scalars, compiled once.
        self.crack_area = ScalarForm(density * dx_c, mesh.comm)
        self.dissipated_energy = ScalarForm(gc * density * dx_c, mesh.comm)
        q_u = measures.mechanics_degree
        dx_u = measures.dx(q_u) if energy_regions is None else measures.regions(energy_regions, q_u)
        self.strain_energy = ScalarForm(self.energy_density * dx_u, mesh.comm)

    # ------------------------------------------------------------------ set-up

    def _largest_cell(self, cells: np.ndarray) -> float:
        mesh = self.mesh
        tdim = mesh.topology.dim
        cells = np.asarray(cells, dtype=np.int32)
        local = cells[cells < mesh.topology.index_map(tdim).size_local]
        h = cell_sizes(mesh._cpp_object, tdim, local) if local.size else np.zeros(0)
        return float(mesh.comm.allreduce(float(h.max()) if h.size else 0.0, op=MPI.MAX))

    @property
    def mesh_size(self) -> float:
        """The longest cell edge in the cracking regions, m."""
        return self._mesh_size

    def _conditions(self, initial_cracks: Sequence[InitialCrack]) -> list[fem.DirichletBC]:
        """D = 0 where no cracking cell reaches, d = 1 on the initial cracks."""
        tdim = self.mesh.topology.dim
        self.mesh.topology.create_connectivity(tdim, tdim)
        inside = consistent_dofs(
            self.V, fem.locate_dofs_topological(self.V, tdim, self._crack_cells)
        )
        self._region_dofs = {
            region: fem.locate_dofs_topological(self.V, tdim, self.model.cells_of(region))
            for region in self.regions
        }
        outside = np.setdiff1d(np.arange(self.d.x.array.size, dtype=np.int32), inside)
        bcs = [fem.dirichletbc(fem.Constant(self.mesh, 0.0), outside, self.V)]
        self._free = np.ones(self.d.x.array.size, dtype=bool)
        if initial_cracks:
            x = self.V.tabulate_dof_coordinates()
            near = np.zeros(x.shape[0], dtype=bool)
            reach = 0.5 * self._mesh_size * (1 + 1e-6)
            for crack in initial_cracks:
                near |= _distance_to_segment(x, crack.start, crack.end) <= reach
            cracked = np.intersect1d(np.flatnonzero(near).astype(np.int32), inside)
            cracked = consistent_dofs(self.V, cracked)
            self.d.x.array[cracked] = 1.0
            self._free[cracked] = False
            bcs.append(fem.dirichletbc(fem.Constant(self.mesh, 1.0), cracked, self.V))
        return bcs

    # ------------------------------------------------------------------ state

    def update_driving_force(self) -> None:
        """H = max(H_n, ψ⁺(u)) at the quadrature points (history only; trial until commit)."""
        if self.history:
            self._psi_q.interpolate(self._psi_expression)
            np.maximum(self.H_n.x.array, self._psi_q.x.array, out=self.H.x.array)

    def update(self, dt: float) -> None:
        """A new step (the damage has no rate: nothing to do)."""

    def commit(self) -> None:
        """Accept the damage (and history) of the step just converged."""
        self.d_n.x.array[:] = self.d.x.array
        if self.history:
            self.H_n.x.array[:] = self.H.x.array

    def restore(self) -> None:
        """Return damage (and history) to the last accepted step."""
        self.d.x.array[:] = self.d_n.x.array
        if self.history:
            self.H.x.array[:] = self.H_n.x.array

    def max_damage(self, region: str | None = None) -> float:
        """Largest nodal damage over all ranks, outside the initial cracks (held at one).

        Args:
            region: Only the nodes of this cracking region's cells (None: all of them).
        """
        values = self.d.x.array[self._free]
        if region is not None:
            dofs = self._region_dofs[region]
            values = self.d.x.array[dofs[self._free[dofs]]]
        return max(global_max(self.mesh.comm, values), 0.0)

    def stress(self, strain):
        """Cauchy stress ∂ψ_d/∂ε_e of an elastic-strain expression (e.g. with the axis limit)."""
        eps = ufl.variable(strain)
        psi_plus, psi_minus = split_energy(
            eps, self._mu, self._lmbda, self.settings.split, self.formulation
        )
        chi = self.indicator
        g = degradation(self.d, self.settings.residual_stiffness)
        psi = chi * (g * psi_plus + psi_minus) + (1 - chi) * (psi_plus + psi_minus)
        return ufl.diff(psi, eps)


def _distance_to_segment(x: np.ndarray, start, end) -> np.ndarray:
    """Distance of points x (n, 3) to the segment from ``start`` to ``end`` (2 or 3 coords)."""
    a = np.zeros(3)
    b = np.zeros(3)
    a[: len(start)] = start
    b[: len(end)] = end
    ab = b - a
    t = np.clip((x - a) @ ab / max(float(ab @ ab), 1e-300), 0.0, 1.0)
    return np.linalg.norm(x - a - t[:, None] * ab, axis=1)
