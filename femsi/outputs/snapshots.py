"""Snapshots for re-plotting: the body, displacement and stresses at each field output time.

The VTX file ``fields/fields.bp`` is for ParaView; reading it back needs ADIOS2 Python
bindings the DOLFINx wheel does not ship (nor does VTK's PyPI wheel have the ADIOS2 reader). So
at every field output femsi also gathers a P1 copy of the state to rank 0 (as the end-of-step
figures do) and writes ``fields/snapshots/NNNN.vtu`` (zlib-compressed VTK XML, readable by
ParaView, meshio and PyVista), listed with time and SOC in ``fields/snapshots/index.json`` and,
for ParaView, ``fields/snapshots.pvd``. ``femsi plot`` renders from them.

Coordinates and the displacement ``u`` are in metres whatever ``outputs.length_unit`` (which
scales ``fields.bp`` only): ``femsi plot``, the figures and the Python API read these files as
SI, and the API's ``Snapshot.mesh(length_unit="um")`` gives micrometres for a plot. zlib is
kept over lzma: lzma saves only about 10 % on these files (measured on
``configs/particle.yaml``) and not every VTK build reads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

INDEX = "index.json"


def write_snapshot(fields_dir: Path, model, stress, time: float, soc: float) -> None:
    """Append the current state to ``fields_dir/snapshots`` (collective; rank 0 writes).

    Args:
        fields_dir: The run's ``fields/`` folder.
        model: The coupled model (mesh, ``u``, ``c``).
        stress: Its up-to-date stress fields, or None (no mechanics: nothing is written).
        time: Time in s.
        soc: State of charge.
    """
    if stress is None:
        return
    from femsi.outputs.figures import gather_snapshot

    snapshot = gather_snapshot(model, stress, "", time, soc)
    if snapshot is None:
        return
    import meshio

    folder = fields_dir / "snapshots"
    folder.mkdir(exist_ok=True)
    index = read_index(folder)
    if index and index[-1]["time_s"] == float(time):
        index.pop()  # the same state written again (end of a protocol step): replace it
    name = f"{len(index):04d}.vtu"
    point_data = {"u": snapshot["u"], **snapshot["fields"]}
    meshio.write(
        folder / name,
        meshio.Mesh(
            snapshot["points"],
            [("tetra" if snapshot["cells"].shape[1] == 4 else "triangle", snapshot["cells"])],
            point_data=point_data,
        ),
        binary=True,
    )
    index.append(
        {
            "file": name,
            "time_s": float(time),
            "soc": float(soc),
            "clip": bool(snapshot["clip"]),
            "planar": bool(snapshot["planar"]),
        }
    )
    (folder / INDEX).write_text(json.dumps(index, indent=1))
    entries = "\n".join(
        f'    <DataSet timestep="{e["time_s"]!r}" file="snapshots/{e["file"]}"/>' for e in index
    )
    (fields_dir / "snapshots.pvd").write_text(
        '<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n  <Collection>\n'
        f"{entries}\n  </Collection>\n</VTKFile>\n"
    )


def read_index(folder: Path) -> list[dict]:
    """The snapshots in ``folder`` (``fields/snapshots``), oldest first."""
    try:
        return json.loads((Path(folder) / INDEX).read_text())
    except FileNotFoundError:
        return []


def nearest(index: list[dict], time: float | None) -> dict:
    """The snapshot closest to ``time`` (the last one when ``time`` is None)."""
    if time is None:
        return index[-1]
    times = np.array([e["time_s"] for e in index])
    return index[int(np.argmin(np.abs(times - time)))]
