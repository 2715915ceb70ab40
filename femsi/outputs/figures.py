"""The run's figures: stress on the deformed body at each step's end, time and SOC plots.

Snapshots are gathered to rank 0 at the end of each protocol step (P1 interpolation of the
displacement, the stresses and the concentration on the owned cells of every rank, and the
crack tips) and drawn off screen after the run by :mod:`femsi.outputs.field_pictures`. A
full-symmetry body is clipped through its centre to show the inside; an octant model already
shows it on its symmetry planes. The time plots shade the protocol steps, and
``stress_vs_soc.png`` tells lithiation from delithiation; units, colour maps and titles follow
:mod:`femsi.outputs.style`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from dolfinx import fem, plot

import femsi.compat  # noqa: F401
from femsi.outputs.field_pictures import PLANAR, Picture, View, field_picture, spec_for
from femsi.outputs.style import (
    STEP_NOUNS,
    apply_matplotlib_style,
    branch_of,
    shade_protocol_steps,
    snapshot_title,
    step_phrase,
    unit_of_data,
)


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
        **_crack_tips(getattr(model.model, "cracks", None) or ()),
    }


def _crack_tips(cracks) -> dict:
    """``crack_tips`` (n × 3, m) and ``tip_window_m`` of a model's cracks (none: empty).

    2D cracks give their tips, 3D cracks the points of their fronts.

    The window, the half width of the zoom on a tip, is three times the crack's straight
    length behind its first tip.
    """
    tips, window = [], None
    for crack in cracks:
        for front in getattr(crack, "fronts", ()):  # a 3D crack: its front's points
            tips += [np.asarray(p, float) for p in front.points]
        for tip in getattr(crack, "tips", ()):
            point = np.zeros(3)
            point[: len(tip.point)] = tip.point
            tips.append(point)
            if window is None and tip.straight > 0:
                window = 3.0 * tip.straight
    if not tips:
        return {}
    return {"crack_tips": np.array(tips), "tip_window_m": window}


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


#: The fields drawn on the body at the end of each protocol step, those it holds (damage only
#: with a phase field); a run with cracks adds the maximum principal (the opening) stress.
SNAPSHOT_FIELDS = ("hydrostatic_stress_Pa", "von_mises_Pa", "damage")
CRACK_FIELDS = ("max_principal_Pa",)


def snapshot_view(clip: bool, planar: bool) -> View:
    """The camera of a snapshot.

    A 2D section head on, a full body onto its cut face y = 0, a symmetry model onto its
    symmetry planes.
    """
    if planar:
        return View(PLANAR.direction, PLANAR.viewup, lit=False, note="deformed section")
    if clip:
        return View((0.35, 1.0, 0.45), (0.0, 0.0, 1.0), note="deformed body, cut at y = 0")
    return View((-1.0, -0.8, 0.6), (0.0, 0.0, 1.0), note="deformed body, symmetry planes")


def render_snapshot(snapshot: dict, folder: Path) -> list[Path]:
    """Hydrostatic and von Mises stress (and damage) on the deformed body, one PNG each.

    A run with cracks (``snapshot["crack_tips"]``) gets colour limits that the tip
    singularity does not stretch, ``LABEL_max_principal.png`` and, for a 2D section,
    ``LABEL_max_principal_tip.png``, a zoom on the first tip.
    """
    if snapshot.get("in_cell"):
        from femsi.outputs.cell_figures import render_cell_snapshot

        return render_cell_snapshot(snapshot, folder)
    grid = snapshot_grid(snapshot)
    warped = grid.warp_by_vector("u", factor=1.0)
    if snapshot["clip"]:
        warped = warped.clip(normal="y", origin=(0.0, 0.0, 0.0), invert=True)
    view = snapshot_view(snapshot["clip"], snapshot.get("planar", False))
    tips = np.asarray(snapshot.get("crack_tips", np.zeros((0, 3))), float).reshape(-1, 3)
    if len(tips) and not snapshot.get("planar") and not snapshot["clip"]:
        view = _onto_crack_plane(view, tips, _extent(grid))
    phrase = step_phrase(snapshot["label"])
    written = []
    for name in SNAPSHOT_FIELDS + (CRACK_FIELDS if len(tips) else ()):
        if name not in snapshot["fields"]:
            continue
        spec = spec_for(name)
        shown = warped.copy()
        shown.point_data["value"] = spec.values(np.asarray(shown.point_data[name]))
        title = snapshot_title(spec.quantity, snapshot["soc"], snapshot["time_s"], phrase)
        picture = Picture(shown, spec, title, view, robust=len(tips) > 0)
        path = folder / f"{snapshot['label']}_{name.removesuffix('_Pa')}.png"
        field_picture(picture, path)
        written.append(path)
        if len(tips) and name in CRACK_FIELDS and snapshot.get("planar"):
            written.append(_tip_picture(shown, spec, title, tips[0], snapshot, folder))
    return written


def _onto_crack_plane(view: View, tips: np.ndarray, extent: float) -> View:
    """A symmetry model's view turned onto a crack on the mirror plane z = 0 (from below).

    The usual view looks onto the planes x = 0 and y = 0; a crack front on z = 0 (the crack
    face a part of that mirror) is seen only from below.
    """
    if np.all(np.abs(tips[:, 2]) <= 1e-6 * extent):
        # nearly head on from below, x to the right (y then points down the picture)
        note = "deformed body seen from below, onto the crack plane z = 0"
        return View((-0.25, -0.35, -1.0), (0.0, -1.0, 0.0), note=note)
    return view


def _tip_picture(shown, spec, title, tip: np.ndarray, snapshot: dict, folder: Path) -> Path:
    """A zoom on a crack tip (its deformed position), the colours of the window only."""
    radius = float(snapshot.get("tip_window_m") or 0.1 * _extent(shown))
    moved = tip + _displacement_at(snapshot, tip)
    box = shown.clip_box(
        (moved[0] - radius, moved[0] + radius, moved[1] - radius, moved[1] + radius, -1, 1),
        invert=False,
    )
    view = View(
        PLANAR.direction, PLANAR.viewup, (moved, radius), lit=False, note="zoom on the crack tip"
    )
    picture = Picture(box if box.n_points else shown, spec, title, view, robust=True)
    path = folder / f"{snapshot['label']}_{spec.array.removesuffix('_Pa')}_tip.png"
    field_picture(picture, path)
    return path


def _extent(grid) -> float:
    b = np.array(grid.bounds).reshape(3, 2)
    return float(np.max(b[:, 1] - b[:, 0]))


def _displacement_at(snapshot: dict, point: np.ndarray) -> np.ndarray:
    """The displacement of the snapshot's node nearest ``point``."""
    nearest = int(np.argmin(np.linalg.norm(snapshot["points"] - point, axis=1)))
    return np.asarray(snapshot["u"][nearest], float)


def time_unit(t: np.ndarray) -> tuple[str, float]:
    """The unit a time axis reads best in (s, min or h) and seconds per unit."""
    end = t.max(initial=0)
    if end > 3 * 3600:
        return "h", 3600.0
    return ("min", 60.0) if end > 180 else ("s", 1.0)


#: The per-region stress columns the time plots draw, which share one display unit.
STRESS_PEAK_COLUMNS = (
    "max_von_mises_Pa",
    "max_principal_Pa",
    "max_hydrostatic_Pa",
    "min_hydrostatic_Pa",
)


def _stress_unit(rows: list[dict], regions: list[str]):
    """The display unit (GPa, MPa, ...) of every region's stress peaks over the whole run."""
    values = [_column(rows, f"{region}.{c}") for region in regions for c in STRESS_PEAK_COLUMNS]
    return unit_of_data("stress", np.concatenate(values))


def _column(rows: list[dict], name: str) -> np.ndarray:
    return np.array([float(r.get(name, np.nan)) for r in rows])


def _time_axes(ax, rows: list[dict], scale: float, unit: str, ylabel: str, title: str) -> None:
    shade_protocol_steps(ax, rows, scale)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.08 * (high - low))  # room for the steps' labels
    ax.set(xlabel=f"time [{unit}]", ylabel=ylabel, title=title)
    ax.set_xlim(rows[0]["time_s"] / scale, rows[-1]["time_s"] / scale)


def _legend_below(ax) -> None:
    """The legend under the axes, clear of the data and of the steps' labels."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path)
    plt.close(fig)
    return path


def plot_timeseries(
    rows: list[dict], regions: list[str], probes: list[str], folder: Path
) -> list[Path]:
    """SOC, region stress extremes and probe stresses against time; stresses against SOC.

    Time plots shade the protocol steps in alternating bands labelled by their kind; stresses
    are in GPa or MPa by magnitude. ``stress_vs_soc.png`` draws the region extremes against
    SOC, lithiation solid and delithiation dashed.
    """
    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    t = np.array([r["time_s"] for r in rows])
    unit, scale = time_unit(t)
    written = []

    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(t / scale, [r["soc"] for r in rows], color="C0")
    _time_axes(ax, rows, scale, unit, "state of charge", "State of charge")
    ax.set_ylim(0, 1.05)
    written.append(_save(fig, folder / "soc.png"))

    if f"{regions[0]}.max_von_mises_Pa" in rows[0]:
        stress = _stress_unit(rows, regions)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for k, region in enumerate(regions):
            colour = f"C{k}"
            axes[0].plot(t / scale, stress(_column(rows, f"{region}.max_von_mises_Pa")),
                         color=colour, label=f"{region}: max von Mises")  # fmt: skip
            axes[0].plot(t / scale, stress(_column(rows, f"{region}.max_principal_Pa")), "--",
                         color=colour, label=f"{region}: max principal")  # fmt: skip
            axes[1].plot(t / scale, stress(_column(rows, f"{region}.max_hydrostatic_Pa")),
                         color=colour, label=f"{region}: max (tension)")  # fmt: skip
            axes[1].plot(t / scale, stress(_column(rows, f"{region}.min_hydrostatic_Pa")), "--",
                         color=colour, label=f"{region}: min (compression)")  # fmt: skip
        _time_axes(axes[0], rows, scale, unit, f"stress [{stress.label}]", "Peak stresses")
        _time_axes(axes[1], rows, scale, unit, f"hydrostatic stress [{stress.label}]",
                   "Hydrostatic stress range")  # fmt: skip
        axes[1].axhline(0.0, color="0.5", lw=0.8)
        for ax in axes:
            _legend_below(ax)
        fig.tight_layout()
        written.append(_save(fig, folder / "stress_vs_time.png"))
        written.append(plot_stress_vs_soc(rows, regions, folder))

    if probes:
        names = [f"probe.{n}.{q}" for n in probes for q in ("hydrostatic_Pa", "von_mises_Pa")]
        stress = unit_of_data("stress", np.concatenate([_column(rows, n) for n in names]))
        fig, ax = plt.subplots(figsize=(6, 4))
        for k, name in enumerate(probes):
            ax.plot(t / scale, stress(_column(rows, f"probe.{name}.hydrostatic_Pa")),
                    color=f"C{k}", label=f"{name}: hydrostatic")  # fmt: skip
            ax.plot(t / scale, stress(_column(rows, f"probe.{name}.von_mises_Pa")), "--",
                    color=f"C{k}", label=f"{name}: von Mises")  # fmt: skip
        ax.axhline(0.0, color="0.5", lw=0.8)
        _time_axes(ax, rows, scale, unit, f"stress [{stress.label}]", "Stress at the probes")
        _legend_below(ax)
        fig.tight_layout()
        written.append(_save(fig, folder / "probes.png"))
    return written


#: Line style of each branch of a cycle in plots against SOC.
BRANCH_STYLES = {"lithiation": "-", "delithiation": "--", "other": ":"}


def plot_stress_vs_soc(rows: list[dict], regions: list[str], folder: Path) -> Path:
    """``stress_vs_soc.png``: region stress extremes against SOC, one line per protocol step.

    Left: the largest von Mises stress of each region; middle: its largest maximum principal
    stress (the largest tension in any direction, at a free surface the hoop stress that
    opens cracks); right: its largest (tension) and smallest (compression) hydrostatic
    stress. Lithiation steps are solid, delithiation dashed, other steps (rest, hold)
    dotted; arrow heads show the direction of travel.
    """
    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    stress = _stress_unit(rows, regions)
    soc = np.array([r["soc"] for r in rows])
    steps = np.array([int(r.get("protocol_step", 0)) for r in rows])
    kinds = [str(r.get("protocol_kind", "")) for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    seen: set[tuple[int, str]] = set()
    for step in np.unique(steps):
        chosen = steps == step
        first = int(np.flatnonzero(chosen)[0])
        chosen[max(first - 1, 0)] = True  # each step starts where the one before ended
        kind = kinds[int(np.flatnonzero(steps == step)[-1])]
        branch = branch_of(kind)
        style = BRANCH_STYLES[branch]
        name = branch if branch != "other" else STEP_NOUNS.get(kind, kind)
        for k, region in enumerate(regions):
            colour = f"C{k}"
            key = (k, name)
            label = f"{region}, {name}" if key not in seen else None
            seen.add(key)
            x = soc[chosen]
            for ax, column in (
                (axes[0], "max_von_mises_Pa"),
                (axes[1], "max_principal_Pa"),
                (axes[2], "max_hydrostatic_Pa"),
                (axes[2], "min_hydrostatic_Pa"),
            ):
                y = stress(_column(rows, f"{region}.{column}")[chosen])
                ax.plot(x, y, style, color=colour, label=label if column != "min_hydrostatic_Pa"
                        else None)  # fmt: skip
                _direction_marker(ax, x, y, colour)
    axes[0].set(xlabel="state of charge", ylabel=f"max von Mises stress [{stress.label}]",
                title="Peak von Mises stress against SOC")  # fmt: skip
    axes[1].set(xlabel="state of charge", ylabel=f"max principal stress [{stress.label}]",
                title="Peak tension (max principal) against SOC")  # fmt: skip
    axes[2].set(
        xlabel="state of charge",
        ylabel=f"hydrostatic stress [{stress.label}]",
        title="Hydrostatic extremes (upper: max, lower: min)",
    )
    for ax in axes[1:]:
        ax.axhline(0.0, color="0.5", lw=0.8)
    for ax in axes:
        ax.legend()
    fig.tight_layout()
    return _save(fig, folder / "stress_vs_soc.png")


def _direction_marker(ax, x: np.ndarray, y: np.ndarray, colour: str) -> None:
    """An arrow head half way along a line, pointing the way SOC went."""
    if len(x) < 3 or not np.isfinite(y).all() or np.ptp(x) == 0:
        return
    i = len(x) // 2
    ax.annotate(
        "",
        xy=(x[i + 1], y[i + 1]),
        xytext=(x[i - 1], y[i - 1]),
        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 0, "mutation_scale": 11},
    )


def render_figures(folder: Path, rows, snapshots, regions, probes) -> list[Path]:
    """The time-series and snapshot figures of a run (rank 0); exports add their own."""
    written = plot_timeseries(rows, regions, probes, folder)
    for snapshot in snapshots:
        written += render_snapshot(snapshot, folder)
    return written
