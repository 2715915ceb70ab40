"""Pictures: PyVista renderings of stress on the deformed body, matplotlib time-series plots.

Snapshots are gathered to rank 0 at the end of each protocol step (P1 interpolation of the
displacement, hydrostatic and von Mises stress on the owned cells of every rank) and rendered
off screen after the run. A full-symmetry body is clipped through its centre to show the
inside; an octant model already shows it on its symmetry planes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from dolfinx import fem, plot

import femsi.compat  # noqa: F401


def gather_snapshot(model, stress, label: str, time: float, soc: float) -> dict | None:
    """The current state as arrays on rank 0 (None on other ranks)."""
    mesh = model.mesh
    gdim, tdim = mesh.geometry.dim, mesh.topology.dim
    P1 = fem.functionspace(mesh, ("Lagrange", 1))
    V1 = fem.functionspace(mesh, ("Lagrange", 1, (gdim,)))
    u1 = fem.Function(V1)
    u1.interpolate(model.u)
    fields = {}
    for name, f in (
        ("hydrostatic_stress_Pa", stress.hydrostatic),
        ("von_mises_Pa", stress.von_mises),
        ("max_principal_Pa", stress.max_principal),
        ("concentration_mol_m3", model.c),
        *((("damage", model.phase_field.d),) if getattr(model, "phase_field", None) else ()),
    ):
        g = fem.Function(P1)
        g.interpolate(f)
        fields[name] = g.x.array
    n_owned = mesh.topology.index_map(tdim).size_local
    # vtk_mesh dispatches on its argument; the stub shows only the Mesh variant.
    topology, cell_types, x = plot.vtk_mesh(P1)  # type: ignore[arg-type]
    per_cell = topology.reshape(-1, tdim + 2)[:n_owned]  # (count, vertices) per simplex
    displacement = np.zeros((u1.x.array.size // gdim, 3))  # (u_x, u_y, 0) of a 2D section
    displacement[:, :gdim] = u1.x.array.reshape(-1, gdim)
    tags = np.zeros(n_owned, dtype=np.int32)
    tag_cells = model.model.cell_tags.indices
    owned = tag_cells < n_owned
    tags[tag_cells[owned]] = model.model.cell_tags.values[owned]
    local = {
        "region_tags": tags,
        "cells": per_cell[:, 1:].copy(),
        "points": x.copy(),
        "u": displacement,
        "fields": {k: v.copy() for k, v in fields.items()},
    }
    gathered = mesh.comm.gather(local, root=0)
    if mesh.comm.rank != 0:
        return None
    fields_out: dict[str, list[np.ndarray]]
    cells, points, u, fields_out, offset = [], [], [], {k: [] for k in fields}, 0
    region_tags = []
    for part in gathered:
        region_tags.append(part["region_tags"])
        cells.append(part["cells"] + offset)
        points.append(part["points"])
        u.append(part["u"])
        for k in fields_out:
            fields_out[k].append(part["fields"][k])
        offset += part["points"].shape[0]
    return {
        "label": label,
        "time_s": time,
        "soc": soc,
        "cells": np.vstack(cells),
        "points": np.vstack(points),
        "u": np.vstack(u),
        "fields": {k: np.concatenate(v) for k, v in fields_out.items()},
        "clip": len(model.model.symmetry) == 0 and tdim == 3,
        "planar": tdim == 2,
        "region_tags": np.concatenate(region_tags),
        "regions": dict(model.model.regions),
        "in_cell": model.model.plate is not None,
    }


def snapshot_grid(snapshot: dict):
    """The snapshot as a PyVista grid (point fields, ``u``, cell ``region`` tags)."""
    import os

    if not os.environ.get("DISPLAY"):
        # Off-screen EGL rendering without first trying (and warning about) an X server.
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    import pyvista

    pyvista.OFF_SCREEN = True
    n, per_cell = snapshot["cells"].shape
    cells = np.hstack([np.full((n, 1), per_cell), snapshot["cells"]]).ravel()
    vtk_type = 10 if per_cell == 4 else 5  # tetrahedra, or the triangles of a 2D section
    grid = pyvista.UnstructuredGrid(cells, np.full(n, vtk_type, dtype=np.uint8), snapshot["points"])
    grid.point_data["u"] = snapshot["u"]
    for k, v in snapshot["fields"].items():
        grid.point_data[k] = v
    if "region_tags" in snapshot:
        grid.cell_data["region"] = snapshot["region_tags"]
    return grid


def render_snapshot(snapshot: dict, folder: Path) -> list[Path]:
    """Render hydrostatic and von Mises stress on the deformed, clipped body."""
    import pyvista

    if snapshot.get("in_cell"):
        from femsi.outputs.cell_figures import render_cell_snapshot

        return render_cell_snapshot(snapshot, folder)
    grid = snapshot_grid(snapshot)
    warped = grid.warp_by_vector("u", factor=1.0)
    if snapshot["clip"]:
        warped = warped.clip(normal="y", origin=(0.0, 0.0, 0.0), invert=True)
    written = []
    views = [
        ("hydrostatic_stress_Pa", "hydrostatic stress [Pa]"),
        ("von_mises_Pa", "von Mises stress [Pa]"),
    ]
    if "damage" in snapshot["fields"]:
        views.append(("damage", "damage [-]"))
    for name, title in views:
        # pyvista's annotations: window_size a list, view_* wrapped by a decorator
        # mypy reads as unbound; the calls are as documented.
        plotter = pyvista.Plotter(off_screen=True, window_size=(900, 700))  # type: ignore[arg-type]
        plotter.add_mesh(
            warped,
            scalars=name,
            cmap="coolwarm" if "hydro" in name else ("magma_r" if name == "damage" else "viridis"),
            scalar_bar_args={
                "title": title,
                "vertical": True,
                "position_x": 0.84,
                "position_y": 0.15,
            },
            show_edges=False,
        )
        plotter.add_text(
            f"{snapshot['label']}  t = {snapshot['time_s']:.4g} s  SOC = {snapshot['soc']:.3f}",
            font_size=10,
        )
        if snapshot.get("planar"):
            plotter.view_xy()  # type: ignore[call-arg]  # a 2D section: (r, z) or (x, y)
        elif snapshot["clip"]:
            # onto the cut face y = 0
            plotter.view_vector((0.3, -1.0, 0.4), viewup=(0, 0, 1))  # type: ignore[arg-type]
        else:
            # onto the symmetry planes
            plotter.view_vector((-1.0, -0.8, 0.6), viewup=(0, 0, 1))  # type: ignore[arg-type]
        plotter.camera.zoom(0.85)
        path = folder / f"{snapshot['label']}_{name.removesuffix('_Pa')}.png"
        plotter.screenshot(str(path))
        plotter.close()
        written.append(path)
    return written


def time_unit(t: np.ndarray) -> tuple[str, float]:
    """The unit a time axis reads best in (s, min or h) and seconds per unit."""
    end = t.max(initial=0)
    if end > 3 * 3600:
        return "h", 3600.0
    return ("min", 60.0) if end > 180 else ("s", 1.0)


def plot_timeseries(
    rows: list[dict], regions: list[str], probes: list[str], folder: Path
) -> list[Path]:
    """Matplotlib plots of SOC, region stress extremes and probe stresses against time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.array([r["time_s"] for r in rows])
    unit, scale = time_unit(t)
    written = []

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(t / scale, [r["soc"] for r in rows])
    ax.set(xlabel=f"time [{unit}]", ylabel="state of charge", title="State of charge")
    fig.tight_layout()
    written.append(folder / "soc.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    if f"{regions[0]}.max_von_mises_Pa" in rows[0]:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for region in regions:

            def col(name, region=region):
                return np.array([r.get(f"{region}.{name}", np.nan) for r in rows]) / 1e6

            axes[0].plot(t / scale, col("max_von_mises_Pa"), label=f"{region} max von Mises")
            axes[0].plot(t / scale, col("max_principal_Pa"), "--", label=f"{region} max principal")
            axes[1].plot(t / scale, col("max_hydrostatic_Pa"), label=f"{region} max")
            axes[1].plot(t / scale, col("min_hydrostatic_Pa"), "--", label=f"{region} min")
        axes[0].set(xlabel=f"time [{unit}]", ylabel="stress [MPa]", title="Peak stresses")
        axes[1].set(
            xlabel=f"time [{unit}]",
            ylabel="hydrostatic stress [MPa]",
            title="Hydrostatic stress range",
        )
        for ax in axes:
            ax.legend(fontsize=7)
        fig.tight_layout()
        written.append(folder / "stress_vs_time.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)

    if probes:
        fig, ax = plt.subplots(figsize=(6, 4))
        for name in probes:
            ax.plot(
                t / scale,
                np.array([r[f"probe.{name}.hydrostatic_Pa"] for r in rows]) / 1e6,
                label=f"{name} hydrostatic",
            )
            ax.plot(
                t / scale,
                np.array([r[f"probe.{name}.von_mises_Pa"] for r in rows]) / 1e6,
                "--",
                label=f"{name} von Mises",
            )
        ax.set(xlabel=f"time [{unit}]", ylabel="stress [MPa]", title="Probes")
        ax.legend(fontsize=7)
        fig.tight_layout()
        written.append(folder / "probes.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    return written


def render_figures(folder: Path, rows, snapshots, regions, probes) -> list[Path]:
    """The time-series and snapshot figures of a run (rank 0); exports add their own."""
    written = plot_timeseries(rows, regions, probes, folder)
    for snapshot in snapshots:
        written += render_snapshot(snapshot, folder)
    return written
