"""``femsi plot RUN_DIR``: figures of a finished run from its saved snapshots, without solving.

Renders one field (von Mises, hydrostatic stress, concentration or displacement magnitude) on
the body at the snapshot nearest a given time, on the deformed shape (or the reference shape),
optionally cut by a plane through the body's centre, or an animated GIF of every snapshot
(the lithiation) with one colour scale for all frames. Snapshots are ``fields/snapshots/*.vtu``
(:mod:`femsi.outputs.snapshots`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from femsi.errors import InputError
from femsi.outputs.snapshots import nearest, read_index

#: ``--field`` names to (snapshot array, colour-bar title, colour map).
FIELDS = {
    "von_mises": ("von_mises_Pa", "von Mises stress [Pa]", "viridis"),
    "hydrostatic": ("hydrostatic_stress_Pa", "hydrostatic stress [Pa]", "coolwarm"),
    "hydrostatic_stress": ("hydrostatic_stress_Pa", "hydrostatic stress [Pa]", "coolwarm"),
    "concentration": ("concentration_mol_m3", "concentration [mol/m^3]", "plasma"),
    "displacement": ("u", "displacement magnitude [m]", "cividis"),
    "damage": ("damage", "damage [-]", "magma_r"),
}
AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


def replot(
    run_dir: Path,
    *,
    time: float | None = None,
    field: str = "von_mises",
    clip: str | None = None,
    deformed: bool = True,
    gif: bool = False,
    output: Path | None = None,
) -> list[Path]:
    """Render a field of a finished run.

    Args:
        run_dir: The run folder.
        time: Time in s; the nearest snapshot is drawn (default: the last).
        field: A key of :data:`FIELDS`.
        clip: ``x``, ``y`` or ``z``: cut by that plane through the body's centre.
        deformed: Draw the deformed shape (displacement × 1).
        gif: Write an animated GIF of all snapshots instead of one picture.
        output: File (``.png``/``.gif``) or folder (default ``RUN_DIR/figures/replot``).

    Returns:
        The files written.

    Raises:
        InputError: No snapshots in the run folder, or an unknown field.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("RUN_DIR", f"{run_dir} is not a run folder")
    folder = run_dir / "fields" / "snapshots"
    index = read_index(folder)
    if not index:
        raise InputError(
            str(run_dir),
            "no snapshots to plot (fields/snapshots/index.json); runs without mechanics, with "
            "outputs.fields: false, or made before femsi wrote snapshots have none",
        )
    if field not in FIELDS:
        raise InputError("--field", f"unknown field {field!r}; choose from {', '.join(FIELDS)}")
    frames = index if gif else [nearest(index, time)]
    grids = [_grid(folder / entry["file"], field, deformed) for entry in frames]
    values = np.concatenate([g.point_data["value"] for g in grids])
    limits = (float(values.min()), float(values.max()))
    suffix = ".gif" if gif else ".png"
    if output is not None and Path(output).suffix.lower() == suffix:
        target = Path(output)
    else:
        name = f"{field}.gif" if gif else f"{field}_t{frames[0]['time_s']:.6g}s.png"
        target = Path(output or run_dir / "figures" / "replot") / name
    target.parent.mkdir(parents=True, exist_ok=True)
    images = [
        _render(grid, entry, field, clip, limits, None if gif else target)
        for grid, entry in zip(grids, frames, strict=True)
    ]
    if gif:
        from PIL import Image

        pictures = [Image.fromarray(image) for image in images]
        pictures[0].save(target, save_all=True, append_images=pictures[1:], duration=400, loop=0)
    return [target]


def _grid(path: Path, field: str, deformed: bool):
    import pyvista

    grid = pyvista.read(path)
    name = FIELDS[field][0]
    if name not in grid.point_data:
        raise InputError("--field", f"this run has no {field!r} (damage needs phase_field)")
    data = grid.point_data[name]
    grid.point_data["value"] = np.linalg.norm(data, axis=1) if data.ndim == 2 else data
    if deformed:
        grid = grid.warp_by_vector("u", factor=1.0)
    return grid


def _render(grid, entry: dict, field: str, clip, limits, path: Path | None):
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    import pyvista

    pyvista.OFF_SCREEN = True
    _, title, cmap = FIELDS[field]
    if clip is None and entry.get("clip"):
        clip = "y"  # a full body is cut to show its inside, as the run's own figures do
    shown = grid
    if clip is not None:
        centre = np.array(grid.bounds).reshape(3, 2).mean(axis=1)
        shown = grid.clip(normal=AXES[clip], origin=centre, invert=True)
    # pyvista's annotations: window_size a list, cmap a Literal, view_* wrapped
    # by a decorator mypy reads as unbound; the calls are as documented.
    plotter = pyvista.Plotter(off_screen=True, window_size=(900, 700))  # type: ignore[arg-type]
    plotter.add_mesh(
        shown,
        scalars="value",
        cmap=cmap,  # type: ignore[arg-type]
        clim=limits,
        scalar_bar_args={"title": title, "vertical": True, "position_x": 0.84, "position_y": 0.15},
    )
    plotter.add_text(f"t = {entry['time_s']:.4g} s  SOC = {entry['soc']:.3f}", font_size=10)
    if entry.get("planar") and clip is None:
        plotter.view_xy()  # type: ignore[call-arg]  # a 2D section
    elif clip is not None:
        normal = np.array(AXES[clip])
        viewup = (0, 1, 0) if clip == "z" else (0, 0, 1)
        plotter.view_vector(tuple(normal + 0.35), viewup=viewup)  # type: ignore[arg-type]
    else:
        plotter.view_vector((-1.0, -0.8, 0.6), viewup=(0, 0, 1))  # type: ignore[arg-type]
    plotter.camera.zoom(0.85)
    image = plotter.screenshot(str(path) if path else None, return_img=True)
    plotter.close()
    return image
