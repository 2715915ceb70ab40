"""Reading a VTX (ADIOS2 BP) field file back, as ParaView's VTX reader would.

The ``adios2`` wheel (a dev dependency) brings its own ADIOS2 library; the DOLFINx wheel has
another. Imported after DOLFINx they coexist; imported before, DOLFINx's fails to load. So
this module loads DOLFINx (through ``femsi.compat``) first. Without ``adios2`` installed the
tests that read field files are skipped.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import femsi.compat  # noqa: F401  (loads MPI for DOLFINx)

importlib.import_module("dolfinx")  # DOLFINx's ADIOS2 before the wheel's (see above)
adios2 = pytest.importorskip("adios2", reason="reading VTX files needs the adios2 wheel (dev)")


@dataclass
class VTXFile:
    """The content of a VTX file, the blocks of all ranks joined in rank order.

    Attributes:
        steps: Number of steps.
        times: The time of each step.
        vtk_xml: The ``vtk.xml`` attribute (the VTX schema ParaView reads).
        step_counts: For each variable, in how many steps it is stored.
        blocks: Number of blocks (writing ranks) of the geometry.
        geometry: The node coordinates (the first step's).
        arrays: For each point array, its values at every step (steps, nodes, components).
    """

    steps: int
    times: list[float]
    vtk_xml: str
    step_counts: dict[str, int]
    blocks: int
    geometry: np.ndarray
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


#: Variables of the VTX schema that are not fields.
SCHEMA = {
    "NumberOfNodes",
    "NumberOfEntities",
    "connectivity",
    "geometry",
    "types",
    "step",
    "vtkGhostType",
    "vtkOriginalPointIds",
}


def _read(reader, name: str, step: int) -> np.ndarray:
    """The variable at ``step``, the blocks of every rank stacked."""
    blocks = reader.all_blocks_info(name)[step]
    parts = [
        reader.read(name, block_id=int(b["BlockID"]), step_selection=[step, 1]) for b in blocks
    ]
    return np.concatenate([np.atleast_1d(np.asarray(p)) for p in parts])


def read_vtx(path: Path) -> VTXFile:
    """Read every step of the VTX file (a ``.bp`` folder) at ``path``."""
    with adios2.FileReader(str(path)) as reader:
        variables = reader.available_variables()
        steps = reader.num_steps()
        counts = {name: sum(map(bool, reader.all_blocks_info(name))) for name in variables}
        xml = reader.read_attribute_string("vtk.xml")
        xml = xml if isinstance(xml, str) else xml[0]
        times = [
            float(np.ravel(reader.read("step", step_selection=[s, 1]))[0]) for s in range(steps)
        ]
        blocks = len(reader.all_blocks_info("geometry")[0])
        geometry = _read(reader, "geometry", 0)
        arrays = {
            name: np.stack([_read(reader, name, s) for s in range(steps)]).reshape(
                steps, geometry.shape[0], -1
            )
            for name in variables
            if name not in SCHEMA
        }
    return VTXFile(steps, times, xml, counts, blocks, geometry, arrays)
