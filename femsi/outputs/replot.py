"""``femsi plot RUN_DIR``: figures of a finished run from its saved snapshots, without solving.

Renders any field the snapshots hold (``fields/snapshots/*.vtu``, :mod:`femsi.outputs.snapshots`:
von Mises, hydrostatic and maximum principal stress, concentration, displacement, damage, ...)
on the body at the snapshot nearest a given time, on the deformed shape (or the reference
shape), optionally cut by a plane through the body's centre, or an animated GIF of every
snapshot (the lithiation) with one colour scale, camera and crop for all frames. The pictures
follow the run's own figures (:mod:`femsi.outputs.field_pictures`): units by magnitude, a
diverging map white at zero for signed stresses, a scale bar, a title with the protocol step,
SOC and time; a run with cracks gets colour limits its tip singularities do not stretch.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from femsi.errors import InputError
from femsi.outputs.field_pictures import (
    PLANAR,
    FieldSpec,
    Picture,
    View,
    figure_image,
    render_pictures,
    short_name,
    spec_for,
)
from femsi.outputs.snapshots import nearest, read_index
from femsi.outputs.style import snapshot_title, step_phrase

#: Names ``--field`` accepts besides the snapshots' own arrays and their short names.
ALIASES = {
    "hydrostatic": "hydrostatic_stress_Pa",
    "displacement": "u",
    "plastic_strain": "equivalent_plastic_strain",
}
AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}
#: The names of the fields femsi's snapshots hold (those of a phase field, plasticity or a
#: 3D body only there), to the snapshot array each names. ``--field`` takes these and any
#: other array a run's snapshots hold (:func:`resolve_field`).
FIELDS = {
    "von_mises": "von_mises_Pa",
    "hydrostatic": "hydrostatic_stress_Pa",
    "hydrostatic_stress": "hydrostatic_stress_Pa",
    "max_principal": "max_principal_Pa",
    "concentration": "concentration_mol_m3",
    "displacement": "u",
    "u": "u",
    "u_x": "u",
    "u_y": "u",
    "u_z": "u",
    "damage": "damage",
    "equivalent_plastic_strain": "equivalent_plastic_strain",
    "plastic_strain": "equivalent_plastic_strain",
}


def available_fields(arrays: dict[str, np.ndarray]) -> list[str]:
    """The ``--field`` names of a snapshot's point arrays: short names, vector components."""
    names = []
    for array, data in arrays.items():
        names.append(short_name(array))
        if np.ndim(data) == 2:  # a vector's components (not the zero u_z of a 2D section)
            names += [
                f"{short_name(array)}_{axis}"
                for k, axis in enumerate("xyz"[: np.shape(data)[1]])
                if np.any(np.asarray(data)[:, k])
            ]
    return names


def resolve_field(field: str, arrays: dict[str, np.ndarray]) -> FieldSpec:
    """The snapshot array (and component) that ``field`` names.

    Accepted: an array's name (``max_principal_Pa``), its name without the unit suffix
    (``max_principal``), an alias of :data:`ALIASES`, or a vector's component (``u_x``).

    Raises:
        InputError: ``--field`` names nothing the snapshots hold (the message lists them).
    """
    wanted = ALIASES.get(field, field)
    for array in arrays:
        if wanted in (array, short_name(array)):
            return spec_for(array)
    stem, _, axis = wanted.rpartition("_")
    stem = ALIASES.get(stem, stem)
    for array, data in arrays.items():
        if stem in (array, short_name(array)) and np.ndim(data) == 2 and axis in "xyz" and axis:
            component = "xyz".index(axis)
            if component < np.shape(data)[1]:
                return spec_for(array, component)
    hint = " (damage needs phase_field)" if field == "damage" else ""
    raise InputError(
        "--field",
        f"unknown field {field!r}{hint}; this run's snapshots hold: "
        f"{', '.join(available_fields(arrays))}",
    )


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
        field: A snapshot array, by its name or short name (:func:`resolve_field`).
        clip: ``x``, ``y`` or ``z``: cut by that plane through the body's centre.
        deformed: Draw the deformed shape (displacement × 1).
        gif: Write an animated GIF of all snapshots instead of one picture.
        output: File (``.png``/``.gif``) or folder (default ``RUN_DIR/figures/replot``).

    Returns:
        The files written.

    Raises:
        InputError: No snapshots in the run folder, or a field they do not hold.
    """
    import pyvista

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError("RUN_DIR", f"{run_dir} is not a run folder")
    if clip is not None and clip not in AXES:
        raise InputError("--clip", f"unknown plane {clip!r}; choose from x, y, z")
    folder = run_dir / "fields" / "snapshots"
    index = read_index(folder)
    if not index:
        raise InputError(
            str(run_dir),
            "no snapshots to plot (fields/snapshots/index.json); runs without mechanics, with "
            "outputs.fields: false, or made before femsi wrote snapshots have none",
        )
    frames = index if gif else [nearest(index, time)]
    grids = [pyvista.read(folder / entry["file"]) for entry in frames]
    spec = resolve_field(field, dict(grids[0].point_data))
    steps = _protocol(run_dir)
    robust = _has_cracks(run_dir)
    pictures = [
        _picture(grid, entry, spec, clip, deformed, steps, robust)
        for grid, entry in zip(grids, frames, strict=True)
    ]
    suffix = ".gif" if gif else ".png"
    if output is not None and Path(output).suffix.lower() == suffix:
        target = Path(output)
    else:
        name = f"{field}.gif" if gif else f"{field}_t{frames[0]['time_s']:.6g}s.png"
        target = Path(output or run_dir / "figures" / "replot") / name
    target.parent.mkdir(parents=True, exist_ok=True)
    figures = render_pictures(pictures, shared_limits=gif)
    if gif:
        from PIL import Image

        images = [Image.fromarray(figure_image(figure)) for figure in figures]  # closes each
        images[0].save(target, save_all=True, append_images=images[1:], duration=400, loop=0)
    else:
        import matplotlib.pyplot as plt

        [figure] = list(figures)
        figure.savefig(target)
        plt.close(figure)
    return [target]


def _picture(grid, entry: dict, spec: FieldSpec, clip, deformed: bool, steps, robust: bool):
    grid.point_data["value"] = spec.values(np.asarray(grid.point_data[spec.array]))
    if deformed:
        grid = grid.warp_by_vector("u", factor=1.0)
    shape = "deformed" if deformed else "reference"
    if clip is None and entry.get("clip"):
        clip = "y"  # a full body is cut to show its inside, as the run's own figures do
    if clip is not None:
        centre = np.array(grid.bounds).reshape(3, 2).mean(axis=1)
        grid = grid.clip(normal=AXES[clip], origin=centre, invert=True)
        normal = np.array(AXES[clip])
        viewup = (0.0, 1.0, 0.0) if clip == "z" else (0.0, 0.0, 1.0)
        # onto the cut face, which faces +normal (the kept part lies on the negative side)
        view = View(tuple(normal + 0.35), viewup, note=f"{shape} body, cut at {clip} = mid-plane")
    elif entry.get("planar"):
        view = View(PLANAR.direction, PLANAR.viewup, lit=False, note=f"{shape} section")
    else:
        view = View((-1.0, -0.8, 0.6), (0.0, 0.0, 1.0), note=f"{shape} body, symmetry planes")
    title = snapshot_title(spec.quantity, entry["soc"], entry["time_s"], _phrase(steps, entry))
    return Picture(grid, spec, title, view, robust=robust)


def _protocol(run_dir: Path) -> list[dict]:
    """The ends of the run's protocol steps (index, kind, time_s).

    From ``summary.json``, or for a run without one from ``timeseries.csv``.
    """
    try:
        return list(json.loads((run_dir / "summary.json").read_text()).get("protocol") or [])
    except (OSError, ValueError):
        pass
    ends: dict[int, dict] = {}
    try:
        with (run_dir / "timeseries.csv").open() as stream:
            for row in csv.DictReader(stream):
                if row.get("protocol_kind") not in (None, "", "initial"):
                    step = int(row["protocol_step"])
                    ends[step] = {"index": step, "kind": row["protocol_kind"],
                                  "time_s": float(row["time_s"]), "open": True}  # fmt: skip
    except (OSError, ValueError, KeyError):
        return []
    return list(ends.values())


def _phrase(steps: list[dict], entry: dict) -> str:
    """``end of lithiation`` / ``during rest`` / ``initial state`` for a snapshot's time."""
    t = float(entry["time_s"])
    if t == 0.0:
        return "initial state"
    for step in steps:
        end = float(step["time_s"])
        if t <= end * (1 + 1e-12) + 1e-12:
            at_end = abs(t - end) <= 1e-9 * max(end, 1.0) and not step.get("open")
            return step_phrase(kind=str(step["kind"]), at_end=at_end)
    return ""


def _has_cracks(run_dir: Path) -> bool:
    """Whether the run has cracks (its summary's ``cracks`` block, or the resolved config)."""
    try:
        if json.loads((run_dir / "summary.json").read_text()).get("cracks"):
            return True
    except (OSError, ValueError):
        pass
    try:
        import yaml

        config = yaml.safe_load((run_dir / "config.yaml").read_text()) or {}
        return bool(config.get("cracks"))
    except (OSError, ValueError, yaml.YAMLError):
        return False
