"""Phase-field fracture problems the tests share: a bar in uniaxial tension and the
single-edge-notched tension specimen.

The bar is a strip [0, L] × [0, W] (plane strain, ν = 0, so it is a 1D bar in uniaxial stress),
or a box [0, L] × [0, W] × [0, W] (3D), pulled by u_x = U on its right end, u_x = 0 on the
left, u_y = 0 on the bottom (and u_z = 0 on the back of the box). Cells with
x in ``weak`` form the region ``weak`` (a lower G_c there makes the crack localise at the
centre instead of at an end). Its reaction force is ∫ σ_xx dV / L (the work of the stress on
the virtual field x e_x, which only the right end's reactions do).

Run as a script (``python -m tests.support.phase_field_fe``, also under ``mpirun``) it prints
the bar's peak stress, final damage and dissipated energy as JSON, for the serial-versus-parallel
test.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401
from femsi.config.schema import SubSolver
from femsi.geometry.model import MeshModel
from femsi.parallel import ScalarForm
from femsi.physics.elasticity import lame
from femsi.physics.kinematics import small_strain
from femsi.physics.measures import Measures
from femsi.physics.phase_field import InitialCrack, PhaseField, PhaseFieldSettings
from femsi.solvers.newton import NewtonSolver
from femsi.solvers.options import petsc_options
from femsi.solvers.staggered import StaggeredSolver

DIRECT = SubSolver(linear_solver="direct", rtol=1e-10, atol=1e-12, max_iterations=200)


def _tag_boundary(msh, planes: dict[str, tuple[int, float]]):
    """Facet tags of the boundary facets on the planes x_axis = value, named 1, 2, ..."""
    msh.topology.create_connectivity(msh.topology.dim - 1, msh.topology.dim)
    facets, values, names = [], [], {}
    for tag, (name, (axis, value)) in enumerate(planes.items(), start=1):
        found = dmesh.locate_entities_boundary(
            msh, msh.topology.dim - 1, lambda x, a=axis, v=value: np.isclose(x[a], v)
        )
        facets.append(found)
        values.append(np.full(found.size, tag, dtype=np.int32))
        names[name] = tag
    order = np.argsort(np.concatenate(facets), kind="stable")
    tags = dmesh.meshtags(
        msh, msh.topology.dim - 1, np.concatenate(facets)[order], np.concatenate(values)[order]
    )
    return tags, names


def strip(length: float, width: float, nx: int, ny: int, weak=None, dim: int = 2) -> MeshModel:
    """A plane-strain strip (or a 3D box) with regions ``bar`` (and ``weak``) and surfaces
    left/right/bottom (and back)."""
    if dim == 2:
        msh = dmesh.create_rectangle(
            MPI.COMM_WORLD,
            [np.zeros(2), np.array([length, width])],
            [nx, ny],
            dmesh.CellType.triangle,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
    else:
        msh = dmesh.create_box(
            MPI.COMM_WORLD,
            [np.zeros(3), np.array([length, width, width])],
            [nx, ny, ny],
            dmesh.CellType.tetrahedron,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
    tdim = msh.topology.dim
    n = msh.topology.index_map(tdim).size_local + msh.topology.index_map(tdim).num_ghosts
    cells = np.arange(n, dtype=np.int32)
    values = np.ones(n, dtype=np.int32)
    regions = {"bar": 1}
    if weak is not None:
        mid = dmesh.compute_midpoints(msh, tdim, cells)[:, 0]
        values[(mid > weak[0]) & (mid < weak[1])] = 2
        regions["weak"] = 2
    cell_tags = dmesh.meshtags(msh, tdim, cells, values)
    planes = {"left": (0, 0.0), "right": (0, length), "bottom": (1, 0.0)}
    if dim == 3:
        planes["back"] = (2, 0.0)
    facet_tags, surfaces = _tag_boundary(msh, planes)
    formulation = "plane_strain" if dim == 2 else "3d"
    return MeshModel(msh, cell_tags, facet_tags, regions, surfaces, formulation=formulation)


@dataclass
class BarHistory:
    """Load–response of a bar: imposed U, mean stress, largest damage (per accepted step)."""

    U: list
    stress: list
    max_damage: list


class Bar:
    """The bar problem with its phase field, displacement and staggered solvers.

    Args:
        model: From :func:`strip`.
        E: Young's modulus.
        fracture_energy: Region name to G_c.
        settings: Phase-field settings.
        initial_cracks: Flaws.
        tolerance: Staggered tolerance.
        nu: Poisson's ratio (0: a 1D bar; otherwise the sides contract freely).
    """

    def __init__(
        self,
        model: MeshModel,
        E: float,
        fracture_energy: dict,
        settings: PhaseFieldSettings,
        initial_cracks=(),
        tolerance: float = 1e-6,
        nu: float = 0.0,
    ):
        self.model = model
        msh = model.mesh
        self.length = float(msh.comm.allreduce(msh.geometry.x[:, 0].max(), op=MPI.MAX))
        width = float(msh.comm.allreduce(msh.geometry.x[:, 1].max(), op=MPI.MAX))
        #: Cross-section: W (per unit depth in plane strain) or W² (3D box).
        self.area = width if msh.geometry.dim == 2 else width**2
        measures = Measures(model, mechanics_degree=2, diffusion_degree=2)
        gdim = msh.geometry.dim
        V = fem.functionspace(msh, ("Lagrange", 1, (gdim,)))
        self.u = fem.Function(V)
        mu, lmbda = lame(E, nu)
        eps = small_strain(self.u, model.formulation)
        self.phase_field = pf = PhaseField(
            model, measures, self.u, eps, mu, lmbda, list(model.regions), fracture_energy,
            settings, initial_cracks,
        )  # fmt: skip
        v = ufl.TestFunction(V)
        residual = ufl.derivative(pf.energy_density * measures.dx(2), self.u, v)
        self.U = fem.Constant(msh, 0.0)
        fdim = msh.topology.dim - 1
        tags = model.facet_tags

        def dofs(sub, name):
            return fem.locate_dofs_topological(V.sub(sub), fdim, tags.find(model.surfaces[name]))

        bcs = [
            fem.dirichletbc(0.0, dofs(0, "left"), V.sub(0)),
            fem.dirichletbc(self.U, dofs(0, "right"), V.sub(0)),
            fem.dirichletbc(0.0, dofs(1, "bottom"), V.sub(1)),
        ]
        if gdim == 3:
            bcs.append(fem.dirichletbc(0.0, dofs(2, "back"), V.sub(2)))
        linear = settings.split == "none"
        options = petsc_options(DIRECT, symmetric=True, linear=linear, vector=True)
        self.mechanics = NewtonSolver("bar", residual, self.u, bcs, options)
        self.staggered = StaggeredSolver(
            pf, self.mechanics.solve, DIRECT, tolerance=tolerance, max_iterations=1000
        )
        self._sxx = ScalarForm(pf.stress(eps)[0, 0] * measures.dx(2), msh.comm)

    def mean_stress(self) -> float:
        """The reaction force over the cross-section, ∫ σ_xx dV / (L A)."""
        return self._sxx() / (self.length * self.area)

    def pull(self, displacements) -> BarHistory:
        """Impose each U in turn (staggered solve, commit); returns the response."""
        history = BarHistory([], [], [])
        for value in displacements:
            self.U.value = value
            stats = self.staggered.solve()
            assert stats.converged, stats
            self.phase_field.commit()
            history.U.append(float(value))
            history.stress.append(self.mean_stress())
            history.max_damage.append(self.phase_field.max_damage())
        return history

    def close(self) -> None:
        """Release PETSc options."""
        self.mechanics.close()
        self.staggered.close()


def _split_numpy(eps: np.ndarray, mu: float, lmbda: float, split: str):
    """ψ⁺ and σ⁺ of a 3×3 strain by NumPy's eigen-decomposition (independent of the UFL)."""
    tr = np.trace(eps)
    if split == "none":
        return lmbda / 2 * tr**2 + mu * np.sum(eps * eps), lmbda * tr * np.eye(3) + 2 * mu * eps
    if split == "spectral":
        w, v = np.linalg.eigh(eps)
        plus = (v * np.maximum(w, 0)) @ v.T
        psi = lmbda / 2 * max(tr, 0) ** 2 + mu * np.sum(np.maximum(w, 0) ** 2)
        return psi, lmbda * max(tr, 0) * np.eye(3) + 2 * mu * plus
    bulk, dev = lmbda + 2 * mu / 3, eps - tr / 3 * np.eye(3)
    psi = bulk / 2 * max(tr, 0) ** 2 + mu * np.sum(dev * dev)
    return psi, bulk * max(tr, 0) * np.eye(3) + 2 * mu * dev


def homogeneous_bar(strain, E, nu, Gc, length, split, dim, k=1e-6):
    """σ_xx and d of a homogeneous AT2 bar (history = ψ⁺, monotonic) at axial strain ``strain``.

    The lateral strain(s) make the lateral stress vanish (uniaxial stress; ε_zz = 0 in plane
    strain); d = ψ⁺/(ψ⁺ + G_c/(2l)) from ∂/∂d [(1 - d)² ψ⁺ + G_c d²/(2l)] = 0. Fixed-point
    iteration on d, root finding on the lateral strain.
    """
    from scipy.optimize import brentq

    mu, lmbda = E / (2 * (1 + nu)), E * nu / ((1 + nu) * (1 - 2 * nu))

    def state(lateral):
        return np.diag([strain, lateral, lateral if dim == 3 else 0.0])

    def stress(eps, d):
        _, plus = _split_numpy(eps, mu, lmbda, split)
        total = lmbda * np.trace(eps) * np.eye(3) + 2 * mu * eps
        return ((1 - d) ** 2 + k) * plus + (total - plus)

    d, lateral = 0.0, 0.0
    for _ in range(500):
        if nu > 0:
            lateral = brentq(lambda e, d=d: stress(state(e), d)[1, 1], -strain, strain, xtol=1e-15)
        psi, _ = _split_numpy(state(lateral), mu, lmbda, split)
        new = psi / (psi + Gc / (2 * length))
        if abs(new - d) < 1e-14:
            break
        d = new
    return stress(state(lateral), d)[0, 0], d


def homogeneous_bar_peak(E, nu, Gc, length, split, dim):
    """The largest σ_xx of :func:`homogeneous_bar` over the axial strain: (σ, d, strain)."""
    from scipy.optimize import minimize_scalar

    scale = math.sqrt(Gc / (3 * E * length))
    best = minimize_scalar(
        lambda e: -homogeneous_bar(e, E, nu, Gc, length, split, dim)[0],
        bounds=(0.3 * scale, 3 * scale),
        method="bounded",
        options={"xatol": 1e-10 * scale},
    )
    sigma, d = homogeneous_bar(best.x, E, nu, Gc, length, split, dim)
    return sigma, d, best.x


#: The bar of the serial-versus-parallel test: AT1, weak centre, pulled until it breaks.
E_BAR, GC_BAR, L_BAR = 1.0, 1.0, 0.05


def broken_bar(h: float, model_name: str = "AT1") -> tuple[Bar, BarHistory]:
    """An AT1 (or AT2) bar of length 1 with a 2 % weaker centre band, pulled to twice σ_c."""
    length, width = 1.0, 0.02
    model = strip(length, width, round(length / h), max(1, round(width / h)), weak=(0.45, 0.55))
    settings = PhaseFieldSettings(
        length_scale=L_BAR,
        model=model_name,
        split="none",
        irreversibility="bounds" if model_name == "AT1" else "history",
    )
    bar = Bar(model, E_BAR, {"bar": GC_BAR, "weak": 0.98 * GC_BAR}, settings)
    strength = bar.phase_field.regularisation.bar_strength(E_BAR, GC_BAR, L_BAR)
    onset = strength / E_BAR * length
    loads = np.concatenate(
        [np.linspace(0.0, 0.98 * onset, 8)[1:], np.linspace(0.98 * onset, 1.2 * onset, 111)[1:]]
    )
    return bar, bar.pull(loads)


def dissipated_fraction_of_notch(model_name: str, h: float, length: float = 1.0) -> float:
    """∫ G_c γ dV of the optimal profile around a crack held at x = L/2, over G_c W."""
    width = 2 * h
    model = strip(length, width, round(length / h), 2)
    settings = PhaseFieldSettings(
        length_scale=L_BAR,
        model=model_name,
        split="none",
        irreversibility="bounds" if model_name == "AT1" else "history",
    )
    crack = InitialCrack((length / 2, -1.0), (length / 2, 2.0))
    bar = Bar(model, E_BAR, {"bar": GC_BAR}, settings, [crack])
    stats = bar.staggered.solve()
    assert stats.converged, stats
    fraction = bar.phase_field.dissipated_energy() / (GC_BAR * width)
    bar.close()
    return fraction


if __name__ == "__main__":
    bar, history = broken_bar(L_BAR / 10)
    peak = int(np.argmax(history.stress))
    result = {
        "peak_stress": history.stress[peak],
        "peak_U": history.U[peak],
        "final_stress": history.stress[-1],
        "max_damage": history.max_damage[-1],
        "dissipated": bar.phase_field.dissipated_energy(),
        "crack_area": bar.phase_field.crack_area(),
        "strain_energy": bar.phase_field.strain_energy(),
    }
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(result), flush=True)


# --------------------------------------------------------------------------- SENT

#: Single-edge-notched tension (Miehe, Hofacker & Welschinger, CMAME 199 (2010) 2765), units
#: kN and mm: the unit square with a notch from the left edge to its centre.
SENT = {"lambda": 121.15, "mu": 80.77, "Gc": 2.7e-3, "l": 0.015}


def notched_square(band_size: float, size: float, band: float = 0.05) -> MeshModel:
    """The unit square with a notch (a slit) from (0, 0.5) to (0.5, 0.5), mm.

    The mesh size is ``band_size`` in the band |y - 0.5| ≤ ``band`` ahead of the notch (the
    crack path) and grows to ``size`` outside it. The notch is opened by Gmsh's Crack plugin
    (duplicated nodes, zero initial opening).
    """
    import gmsh
    from dolfinx.io import gmsh as gmshio

    from femsi.geometry.gmsh_session import gmsh_session

    comm = MPI.COMM_WORLD
    with gmsh_session("sent"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            square = occ.addRectangle(0, 0, 0, 1, 1)
            notch = occ.addLine(occ.addPoint(0, 0.5, 0), occ.addPoint(0.5, 0.5, 0))
            occ.fragment([(2, square)], [(1, notch)])
            occ.synchronize()
            sides = {1: [], 2: [], 3: []}  # bottom, top, notch
            for dim, tag in gmsh.model.getEntities(1):
                x = occ.getCenterOfMass(dim, tag)
                if abs(x[1]) < 1e-9:
                    sides[1].append(tag)
                elif abs(x[1] - 1) < 1e-9:
                    sides[2].append(tag)
                elif abs(x[1] - 0.5) < 1e-9 and x[0] < 0.5:
                    sides[3].append(tag)
            gmsh.model.addPhysicalGroup(2, [t for _, t in gmsh.model.getEntities(2)], 1)
            for tag, curves in sides.items():
                gmsh.model.addPhysicalGroup(1, curves, tag)
            field = gmsh.model.mesh.field
            box = field.add("Box")
            field.setNumber(box, "VIn", band_size)
            field.setNumber(box, "VOut", size)
            field.setNumber(box, "XMin", 0.5 - band)
            field.setNumber(box, "XMax", 1.0)
            field.setNumber(box, "YMin", 0.5 - band)
            field.setNumber(box, "YMax", 0.5 + band)
            field.setNumber(box, "Thickness", 0.1)
            field.setAsBackgroundMesh(box)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
            gmsh.model.mesh.generate(2)
            mouth = [
                t
                for _, t in gmsh.model.getEntities(0)
                if np.hypot(*(np.array(gmsh.model.getValue(0, t, [])[:2]) - (0, 0.5))) < 1e-9
            ]
            gmsh.model.addPhysicalGroup(0, mouth, 99)
            gmsh.plugin.setNumber("Crack", "Dimension", 1)
            gmsh.plugin.setNumber("Crack", "PhysicalGroup", 3)
            gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", 99)
            gmsh.plugin.run("Crack")
            gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", 0)
            gmsh.model.mesh.renumberNodes()
            gmsh.model.mesh.renumberElements()
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2)
    return MeshModel(
        data.mesh,
        data.cell_tags,
        data.facet_tags,
        {"plate": 1},
        {"bottom": 1, "top": 2, "notch": 3},
        formulation="plane_strain",
    )


class NotchedSpecimen:
    """SENT: bottom held, top pulled up by U (u_x = 0 there); spectral split, history, AT2.

    The load is the top reaction ∫ σ_yy dV (virtual field y e_y on the unit square), kN per mm
    of thickness.
    """

    def __init__(self, model: MeshModel, tolerance: float = 1e-3):
        msh = model.mesh
        measures = Measures(model, mechanics_degree=2, diffusion_degree=2)
        V = fem.functionspace(msh, ("Lagrange", 1, (2,)))
        self.u = fem.Function(V)
        eps = small_strain(self.u, "plane_strain")
        settings = PhaseFieldSettings(
            length_scale=SENT["l"], model="AT2", split="spectral", irreversibility="history"
        )
        self.phase_field = pf = PhaseField(
            model, measures, self.u, eps, SENT["mu"], SENT["lambda"], ["plate"],
            {"plate": SENT["Gc"]}, settings,
        )  # fmt: skip
        v = ufl.TestFunction(V)
        residual = ufl.derivative(pf.energy_density * measures.dx(2), self.u, v)
        self.U = fem.Constant(msh, 0.0)
        fdim = msh.topology.dim - 1
        top = model.facet_tags.find(model.surfaces["top"])
        bottom = model.facet_tags.find(model.surfaces["bottom"])
        bcs = [
            fem.dirichletbc(np.zeros(2), fem.locate_dofs_topological(V, fdim, bottom), V),
            fem.dirichletbc(0.0, fem.locate_dofs_topological(V.sub(0), fdim, top), V.sub(0)),
            fem.dirichletbc(self.U, fem.locate_dofs_topological(V.sub(1), fdim, top), V.sub(1)),
        ]
        options = petsc_options(DIRECT, symmetric=True, linear=False, vector=True)
        self.mechanics = NewtonSolver("sent", residual, self.u, bcs, options)
        self.staggered = StaggeredSolver(
            pf, self.mechanics.solve, DIRECT, tolerance=tolerance, max_iterations=2000
        )
        self._load = ScalarForm(pf.stress(eps)[1, 1] * measures.dx(2), msh.comm)

    def pull(self, displacements):
        """Impose each U; returns (U, load kN/mm, max damage, staggered iterations) per step."""
        rows = []
        for value in displacements:
            self.U.value = value
            stats = self.staggered.solve()
            assert stats.converged, stats
            self.phase_field.commit()
            rows.append(
                (float(value), self._load(), self.phase_field.max_damage(), stats.iterations)
            )
        return rows
