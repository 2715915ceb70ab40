"""Fields for ParaView: one VTX (ADIOS2) file, ``fields/fields.bp``, every field on one mesh.

Every field output appends one step holding the displacement ``u``, the concentration
``concentration_mol_m3``, the Cauchy stress tensor ``cauchy_stress_Pa`` (9 components),
``von_mises_Pa``, ``hydrostatic_stress_Pa``, ``max_principal_Pa``, the volume ratio
``volume_ratio_J`` and, where the model has them, ``equivalent_plastic_strain`` and ``damage``.
ParaView opens the folder with its ADIOS2 VTX reader (``ADIOS2VTXReader``); the mesh is
written once, at the first step (DOLFINx's ``VTXMeshPolicy.reuse``; ParaView reuses it for the
later steps), and each rank writes its own part (no gather).

Why one continuous space, and why P1 by default. A VTX file holds one element for all its
functions, so the stress (discontinuous, degree k - 1 for displacement degree k) and the
displacement (continuous, degree k) must share one space. The file costs 145 bytes per node and
step (17 doubles, a point id, a ghost flag) besides the mesh, stored once. Measured on
``configs/particle.yaml`` (4769 tetrahedra, P2 displacement, 26 field outputs; the table is in
docs/outputs.md): 5.0 MB on P1 (1256 nodes) and 31.5 MB on P2 (8164 nodes), against 102 MB for
the three files per element type that rewrote the mesh at every step. Discontinuous P2, which
would hold every field exactly, has 47690 nodes: 6.9 MB per step, 180 MB a run. Only P1 keeps
the run folder within 15 MB (9.9 MB with the snapshots and figures), so P1 is the default
(``outputs.field_space: P1``) and the displacement's own space is the option
(``outputs.field_space: displacement``) for a smoother picture of a coarse P2 mesh.

A continuous field (displacement, concentration, damage) is interpolated into the output
space: exact when its degree is not higher, its vertex values otherwise. A discontinuous field
(the stresses, J, the plastic strain) has several values at a node, one per cell around it; the
file gets their average weighted by the cells' volumes (areas in a 2D section),
Σ_K |K| f_K(x_i) / Σ_K |K|, the lumped-mass L2 projection for P1. It is computed on each rank
with the cells it owns and summed across ranks, so a serial and a parallel run write the same
values (to rounding). Nodal averaging smooths the jump between cells: a peak is never above the
discontinuous one of ``timeseries.csv`` (the region extremes), and for the particle 0-3 % below.

Lengths (coordinates and ``u``) are written in units of ``outputs.length_unit`` (SI metres by
default; ``1 um`` for micrometres, so that ParaView's axes read 0 to 1 for a 1 µm particle);
every other array stays SI, and so do the snapshots (:mod:`femsi.outputs.snapshots`), which
other readers take as metres. The mesh is scaled in place for the one write that stores it and
restored at once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx.io import VTXMeshPolicy, VTXWriter
from dolfinx.mesh import Mesh

import femsi.compat  # noqa: F401

#: The field file, inside ``fields/``.
FIELD_FILE = "fields.bp"
#: The ADIOS2 engine; ParaView's VTX reader reads BP4 files.
ENGINE = "BP4"


@dataclass(frozen=True)
class FieldSource:
    """One array of the field file.

    Attributes:
        name: The array's name in the file.
        function: The model's function.
        length: True for a length (the displacement): written in ``outputs.length_unit``.
        refresh: Called before each write to bring ``function`` up to date, or None.
    """

    name: str
    function: fem.Function
    length: bool = False
    refresh: Callable[[], object] | None = None

    def current(self) -> fem.Function:
        """The function with its current values."""
        if self.refresh is not None:
            self.refresh()
        return self.function


def field_sources(model, stress) -> list[FieldSource]:
    """The arrays of a model's field file, in file order.

    Args:
        model: The coupled model.
        stress: Its stress fields (None without mechanics).
    """
    sources = []
    if model.has_mechanics:
        sources.append(FieldSource("u", model.u, length=True))
    sources.append(FieldSource("concentration_mol_m3", model.c))
    if stress is not None:
        sources += [
            FieldSource("cauchy_stress_Pa", stress.stress),
            FieldSource("von_mises_Pa", stress.von_mises),
            FieldSource("hydrostatic_stress_Pa", stress.hydrostatic),
            FieldSource("max_principal_Pa", stress.max_principal),
            FieldSource("volume_ratio_J", stress.volume_ratio),
        ]
    if getattr(model, "plasticity", None) is not None:
        # The cell averages of the committed α, refreshed at each write.
        alpha = model.plasticity.equivalent_plastic_strain_dg0
        sources.append(FieldSource("equivalent_plastic_strain", alpha(), refresh=alpha))
    if getattr(model, "phase_field", None) is not None:
        sources.append(FieldSource("damage", model.phase_field.d))
    return sources


def output_degree(model, field_space: str) -> int:
    """The degree of the output space: 1, or the displacement's (concentration's) degree."""
    if field_space == "P1":
        return 1
    space = model.Vu if model.has_mechanics else model.Vc
    return space.ufl_element().embedded_superdegree


class NodalAverage:
    """Volume-weighted nodal averages of discontinuous functions in continuous spaces.

    For a continuous Lagrange space V of degree m and a discontinuous function f of degree at
    most m, ``apply`` sets g(x_i) = Σ_K |K| f_K(x_i) / Σ_K |K| at each node x_i of V, the sum
    over the cells K around it. f is first interpolated into discontinuous Lagrange of degree
    m (exact), whose cell dofs are V's in the same order; each rank sums over its owned cells
    and the sums at ghost nodes are added to their owners'.

    Args:
        mesh: The mesh.
    """

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        self._n_cells = mesh.topology.index_map(mesh.topology.dim).size_local
        dg0 = fem.functionspace(mesh, ("DG", 0))
        # the cell volumes |K|: a constant integrand, exact at degree 0 on affine cells; 2
        # keeps it exact for the curved (quadratic) cells a mesh file may bring
        dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2})
        volumes = fem.assemble_vector(fem.form(ufl.TestFunction(dg0) * dx))
        self._cell_volume = volumes.array[dg0.dofmap.list[: self._n_cells, 0]]
        self._targets: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._copies: dict[tuple, tuple[fem.Function, np.ndarray]] = {}

    def _target(self, space: fem.FunctionSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The owned cells' node numbers of ``space``, their weights and the weight sums."""
        key = id(space)
        if key not in self._targets:
            nodes = space.dofmap.list[: self._n_cells]
            weights = np.repeat(self._cell_volume, nodes.shape[1])
            index_map = space.dofmap.index_map
            total = la.vector(index_map, 1)
            size = index_map.size_local + index_map.num_ghosts
            total.array[:] = np.bincount(nodes.ravel(), weights=weights, minlength=size)
            total.scatter_reverse(la.InsertMode.add)
            total.scatter_forward()
            self._targets[key] = (nodes.ravel(), weights, total.array.copy())
        return self._targets[key]

    def _copy(self, degree: int, shape: tuple[int, ...]) -> tuple[fem.Function, np.ndarray]:
        """A function of discontinuous Lagrange of ``degree`` and ``shape``, its cell dofs."""
        if (degree, shape) not in self._copies:
            D = fem.functionspace(self.mesh, ("DG", degree, shape))
            self._copies[degree, shape] = (fem.Function(D), D.dofmap.list[: self._n_cells].ravel())
        return self._copies[degree, shape]

    def apply(self, source: fem.Function, target: fem.Function) -> None:
        """Set ``target`` (continuous Lagrange) to the nodal averages of ``source``."""
        space = target.function_space
        nodes, weights, total = self._target(space)
        degree = space.ufl_element().embedded_superdegree
        copy, dofs = self._copy(degree, tuple(space.value_shape))
        copy.interpolate(source)
        bs = space.dofmap.bs
        values = copy.x.array.reshape(-1, bs)[dofs] * weights[:, None]
        summed = np.column_stack(
            [np.bincount(nodes, weights=values[:, j], minlength=total.size) for j in range(bs)]
        )
        target.x.array[:] = summed.ravel()
        target.x.scatter_reverse(la.InsertMode.add)
        target.x.array[:] /= np.repeat(total, bs)
        target.x.scatter_forward()


def is_discontinuous(function: fem.Function) -> bool:
    """True for a function of a discontinuous space (several values at a node)."""
    return bool(function.function_space.ufl_element().discontinuous)


@contextmanager
def scaled_geometry(mesh, factor: float):
    """The mesh's coordinates multiplied by ``factor`` inside the block, restored after."""
    if factor == 1.0:
        yield
        return
    x = mesh.geometry.x
    original = x.copy()
    x[:] *= factor
    try:
        yield
    finally:
        x[:] = original


class FieldWriter:
    """The field file: every field of a step on one continuous Lagrange space.

    Args:
        folder: The ``fields/`` folder.
        sources: The arrays (:func:`field_sources`).
        degree: The output space's degree (:func:`output_degree`).
        length_unit: Lengths are written divided by it (m; 1e-6 writes micrometres).
    """

    def __init__(
        self,
        folder: Path,
        sources: list[FieldSource],
        degree: int = 1,
        length_unit: float = 1.0,
    ):
        mesh = sources[0].function.function_space.mesh
        self.mesh = mesh
        self.sources = sources
        self.scale = 1.0 / length_unit
        self._spaces: dict[tuple[int, ...], fem.FunctionSpace] = {}
        self.outputs = []
        for source in sources:
            shape = tuple(source.function.function_space.value_shape)
            if shape not in self._spaces:
                self._spaces[shape] = fem.functionspace(mesh, ("Lagrange", degree, shape))
            self.outputs.append(fem.Function(self._spaces[shape], name=source.name))
        self._average = NodalAverage(mesh)
        self._last_time: float | None = None
        self._writer: VTXWriter | None = VTXWriter(
            mesh.comm, folder / FIELD_FILE, self.outputs, ENGINE, mesh_policy=VTXMeshPolicy.reuse
        )

    def update(self) -> None:
        """Bring the output functions to the model's current state."""
        for source, output in zip(self.sources, self.outputs, strict=True):
            function = source.current()
            if is_discontinuous(function):
                self._average.apply(function, output)
            else:
                output.interpolate(function)
            if source.length and self.scale != 1.0:
                output.x.array[:] *= self.scale

    def write(self, time: float) -> None:
        """Append the current state at ``time`` (the mesh with the first step only).

        The same time again (a protocol step that ends on a regular output) is not appended:
        the state has not changed.
        """
        if self._writer is None:
            raise RuntimeError("the field file is closed")
        if self._last_time is not None and time == self._last_time:
            return
        self.update()
        # The geometry is written at the first step only: in the length unit, then restored.
        first = self._last_time is None
        with scaled_geometry(self.mesh, self.scale if first else 1.0):
            self._writer.write(time)
        self._last_time = time

    def close(self) -> None:
        """Close the file (flushes ADIOS2 buffers)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
