"""Critical particle size: the largest radius whose cracks stay below the fracture energy.

``femsi critical-size CONFIG --radius ... --c-rate ...`` turns a study with ``cracks:`` into an
ordinary sweep (a folder ``femsi status``, ``collect`` and ``--slurm`` understand) over particle
radius × C-rate (× crack length), runs it, and reads each run's ``summary.json``
``cracks.NAME.G_max_J_m2`` and ``Gc_J_m2``.

Scaling. By default the geometry is scaled self-similarly with the radius: every length of the
``geometry`` section (mesh sizes, coating thickness, inner radius, matrix size), the cracks'
``length`` and ``tip_size`` and the probe positions are multiplied by R / R_base, so every run
has the same mesh in units of R and the crack the same a/R. ``--crack-length`` holds the crack
length fixed instead (a flaw of given size), ``--crack-fraction`` sets a/R. The time steps are
scaled by C_base / C so that every C-rate takes the same number of steps per SOC.

The critical radius. For one C-rate and crack size, with the radii R_1 < ... < R_n and
r_i = max_t G / Gc, the critical radius is the first crossing of r = 1, interpolated linearly in
(log R, log r) between the last radius below and the first at or above 1 (exact when G ∝ R^k,
e.g. G ∝ R for a given strain field, Zhao et al., J. Appl. Phys. 108 (2010) 073517). If every
radius cracks the result is an upper bound (below the smallest), if none does a lower bound
(above the largest). A run that failed before its G reached Gc tells nothing and is left out.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from femsi.errors import InputError
from femsi.geometry.families import types_where

#: Geometry fields that are lengths, scaled with the radius.
GEOMETRY_LENGTHS = (
    "radius",
    "mesh_size",
    "surface_mesh_size",
    "coating_thickness",
    "inner_radius",
    "matrix_size",
    "matrix_mesh_size",
)
#: Crack fields that are lengths, scaled with the radius unless the crack length is given.
CRACK_LENGTHS = ("length", "tip_size", "ring_radius")
#: The geometry types that are one particle with a radius to sweep.
PARTICLE_GEOMETRIES = types_where(lambda family: family.single_particle)
RESULTS = ("critical_size.csv", "critical_size.json", "critical_size.png")


@dataclass
class Request:
    """What ``femsi critical-size`` was asked for (SI numbers).

    Attributes:
        config: The study file (with ``cracks:``).
        radii: Particle radii, m.
        c_rates: C-rates of every galvanostatic step.
        crack_lengths: Fixed crack lengths, m (None: scale with the radius).
        crack_fractions: Crack lengths as a fraction of the radius (None: as in the study).
        scale_geometry: Scale the geometry, cracks and probes self-similarly with the radius.
    """

    config: Path
    radii: list[float]
    c_rates: list[float]
    crack_lengths: list[float] | None = None
    crack_fractions: list[float] | None = None
    scale_geometry: bool = True


@dataclass
class Plan:
    """The sweep rows of a request and what they vary."""

    rows: list[dict]
    crack_key: str | None
    base_radius: float
    cracks: list[str]


@dataclass
class Critical:
    """The critical radius of one (C-rate, crack size, crack) group.

    Attributes:
        c_rate: The C-rate.
        crack_size: The crack length (m) or fraction of R, as swept (None: as in the study).
        crack: The crack's name, or ``any`` for the first of all cracks to reach Gc.
        radius_m: The critical radius estimate, m (a bound unless ``bound`` is ``within``).
        bound: ``within`` (bracketed), ``below_smallest`` or ``above_largest``.
        bracket_m: The radii bracketing the crossing, m.
        radii_m: The radii used, m.
        ratios: max G / Gc at each radius.
    """

    c_rate: float
    crack_size: float | None
    crack: str
    radius_m: float
    bound: str
    bracket_m: tuple[float, float] | None
    radii_m: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)


def _galvanostatic_steps(tree: dict) -> list[tuple[int, str]]:
    steps = []
    for index, item in enumerate(tree.get("protocol") or []):
        if isinstance(item, dict) and len(item) == 1:
            kind, body = next(iter(item.items()))
            if kind in ("lithiate", "delithiate") and isinstance(body, dict) and "c_rate" in body:
                steps.append((index, kind))
    return steps


def plan(request: Request) -> Plan:
    """The sweep rows (dotted key → value) of a critical-size request.

    Raises:
        InputError: A study without cracks or a particle radius, no galvanostatic step with a
            ``c_rate``, empty or non-positive lists, or both crack options.
    """
    from femsi.config import load_config
    from femsi.config.loader import read_yaml

    config = load_config(request.config)
    study = config.study
    tree = read_yaml(Path(request.config))
    geometry = study.geometry
    if geometry.type not in PARTICLE_GEOMETRIES:
        raise InputError(
            "geometry.type",
            f"critical-size sweeps the particle radius; a {geometry.type} geometry has none "
            f"(use one of {', '.join(PARTICLE_GEOMETRIES)})",
        )
    cracks = list(getattr(study, "cracks", None) or [])
    if not cracks:
        raise InputError("cracks", "critical-size needs at least one crack in the study")
    for name, values in (("--radius", request.radii), ("--c-rate", request.c_rates)):
        if not values:
            raise InputError(name, "give at least one value")
        if any(not v > 0 for v in values):
            raise InputError(name, f"values must be positive, got {values}")
    if request.crack_lengths is not None and request.crack_fractions is not None:
        raise InputError("--crack-length", "give --crack-length or --crack-fraction, not both")
    for name, given in (
        ("--crack-length", request.crack_lengths),
        ("--crack-fraction", request.crack_fractions),
    ):
        if given is not None and (not given or any(not v > 0 for v in given)):
            raise InputError(name, f"give positive values, got {given}")
    steps = _galvanostatic_steps(tree)
    if not steps:
        raise InputError("protocol", "no lithiate/delithiate step with a c_rate to sweep")
    base_rate = float(tree["protocol"][steps[0][0]][steps[0][1]]["c_rate"])
    resolved = config.resolved()
    base_radius = float(resolved["geometry"]["radius"])
    crack_key = None
    sizes: list[float | None] = [None]
    if request.crack_lengths is not None:
        crack_key, sizes = "cracks.*.length", list(request.crack_lengths)
    elif request.crack_fractions is not None:
        crack_key, sizes = "crack_fraction", list(request.crack_fractions)
    rows = []
    for rate in request.c_rates:
        for size in sizes:
            for radius in request.radii:
                rows.append(
                    _row(resolved, tree, steps, base_rate, base_radius, radius, rate, crack_key,
                         size, request.scale_geometry)
                )  # fmt: skip
    return Plan(rows, crack_key, base_radius, [c.name for c in cracks])


def _row(resolved, tree, steps, base_rate, base_radius, radius, rate, crack_key, size, scale):
    s = radius / base_radius if scale else 1.0
    row: dict[str, object] = {"geometry.radius": radius}
    for index, kind in steps:
        row[f"protocol.{index}.{kind}.c_rate"] = rate
    geometry = resolved["geometry"]
    if scale:
        for key in GEOMETRY_LENGTHS[1:]:
            if geometry.get(key) is not None and key in (tree.get("geometry") or {}):
                row[f"geometry.{key}"] = geometry[key] * s
        for name, point in (resolved.get("outputs", {}).get("probes") or {}).items():
            row[f"outputs.probes.{name}"] = [x * s for x in point]
    for i, crack in enumerate(resolved.get("cracks") or []):
        for key in CRACK_LENGTHS:
            if crack.get(key) is not None and scale:
                row[f"cracks.{i}.{key}"] = crack[key] * s
        if crack_key == "cracks.*.length":
            row[f"cracks.{i}.length"] = size
        elif crack_key == "crack_fraction":
            row[f"cracks.{i}.length"] = size * radius
    time = resolved.get("time") or {}
    for key in ("initial_step", "max_step", "min_step"):
        if time.get(key) is not None and key in (tree.get("time") or {}):
            row[f"time.{key}"] = time[key] * base_rate / rate
    return row


def write_sweep_file(path: Path, base: Path, rows: list[dict], workers: int, ranks: int) -> Path:
    """Write the rows as a femsi sweep file (one ``zip`` group listing every run).

    Args:
        path: The sweep file to write.
        base: The study file.
        rows: The runs' dotted key → value.
        workers: Runs at a time.
        ranks: MPI ranks per run.

    Returns:
        The path written.
    """
    keys = list(rows[0])
    for row in rows[1:]:
        keys += [k for k in row if k not in keys]
    zipped = {key: [row.get(key) for row in rows] for key in keys}
    missing = [k for k, values in zipped.items() if any(v is None for v in values)]
    if missing:
        raise InputError("cracks", f"the runs set different keys ({', '.join(missing)})")
    definition = {
        "base": str(Path(base).resolve()),
        "name": f"critical-size-{Path(base).stem}",
        "description": "femsi critical-size: particle radius x C-rate (x crack size)",
        "sweep": {"zip": zipped},
        "execution": {"workers": workers, "ranks": ranks},
    }
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def critical_radius(radii: list[float], ratios: list[float]) -> tuple[float, str, tuple | None]:
    """The first crossing of max G / Gc = 1 with the radius.

    Args:
        radii: Radii in increasing order, m.
        ratios: max G / Gc at each radius (positive).

    Returns:
        The critical radius, ``within`` / ``below_smallest`` / ``above_largest``, and the
        bracketing radii (None when not bracketed).
    """
    for k, ratio in enumerate(ratios):
        if ratio >= 1.0:
            if k == 0:
                return radii[0], "below_smallest", None
            r0, r1 = radii[k - 1], radii[k]
            g0, g1 = max(ratios[k - 1], 1e-300), ratio
            if g1 <= g0:  # not increasing: take the larger radius below
                return r0, "within", (r0, r1)
            t = -math.log(g0) / (math.log(g1) - math.log(g0))
            return math.exp(math.log(r0) + t * (math.log(r1) - math.log(r0))), "within", (r0, r1)
    return radii[-1], "above_largest", None


def _read_summary(run_dir: Path) -> dict | None:
    try:
        return json.loads((run_dir / "summary.json").read_text())
    except (OSError, ValueError):
        return None


def collect_points(folder: Path, plan_: Plan) -> list[dict]:
    """Each run's radius, C-rate, crack size and per-crack max G / Gc from its summary.

    A run whose summary is missing, or that failed while all its cracks were below Gc, is
    left out (it says nothing of cracking).
    """
    from femsi.sweeps.folder import read_sweep, run_dir

    sweep = read_sweep(folder)
    points = []
    for run, row in zip(sweep["runs"], plan_.rows, strict=True):
        summary = _read_summary(run_dir(folder, run["name"]))
        if summary is None or "cracks" not in summary:
            continue
        cracks = {
            name: float(entry["G_max_J_m2"]) / float(entry["Gc_J_m2"])
            for name, entry in summary["cracks"].items()
            if entry.get("G_max_J_m2") is not None and entry.get("Gc_J_m2")
        }
        if not cracks:
            continue
        if summary.get("status") != "completed" and max(cracks.values()) < 1.0:
            continue
        rate = next(v for k, v in row.items() if k.endswith(".c_rate"))
        size = None
        if plan_.crack_key == "crack_fraction":
            size = row["cracks.0.length"] / row["geometry.radius"]
        elif plan_.crack_key is not None:
            size = row["cracks.0.length"]
        points.append(
            {
                "run": run["name"],
                "radius_m": row["geometry.radius"],
                "c_rate": rate,
                "crack_size": size,
                "status": summary.get("status"),
                "ratios": cracks,
            }
        )
    return points


def analyse(points: list[dict], cracks: list[str]) -> list[Critical]:
    """The critical radius of every (C-rate, crack size) for each crack and for ``any``."""
    groups: dict[tuple, list[dict]] = {}
    for p in points:
        groups.setdefault((p["c_rate"], p["crack_size"]), []).append(p)
    results = []
    for (rate, size), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        group.sort(key=lambda p: p["radius_m"])
        for name in [*cracks, "any"]:
            radii, ratios = [], []
            for p in group:
                value = max(p["ratios"].values()) if name == "any" else p["ratios"].get(name)
                if value is not None:
                    radii.append(p["radius_m"])
                    ratios.append(value)
            if not radii:
                continue
            radius, bound, bracket = critical_radius(radii, ratios)
            results.append(Critical(rate, size, name, radius, bound, bracket, radii, ratios))
    return results


def size_label(plan_: Plan) -> str:
    """The name of the swept crack size: ``crack_fraction``, ``crack_length_m`` or neither."""
    return {"crack_fraction": "crack_fraction", "cracks.*.length": "crack_length_m"}.get(
        plan_.crack_key or "", "crack_size"
    )


def write_results(folder: Path, results: list[Critical], plan_: Plan) -> list[Path]:
    """``critical_size.csv``, ``critical_size.json`` and ``critical_size.png`` in ``folder``."""
    folder = Path(folder)
    label = size_label(plan_)
    paths = [folder / name for name in RESULTS]
    with paths[0].open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["c_rate", label, "crack", "critical_radius_m", "bound", "bracket_low_m",
             "bracket_high_m"]
        )  # fmt: skip
        for r in results:
            low, high = r.bracket_m or ("", "")
            size = "" if r.crack_size is None else r.crack_size
            writer.writerow([r.c_rate, size, r.crack, r.radius_m, r.bound, low, high])
    paths[1].write_text(
        json.dumps({"crack_size_kind": label, "results": [asdict(r) for r in results]}, indent=2)
        + "\n"
    )
    _plot(paths[2], results, label)
    return paths


def _plot(path: Path, results: list[Critical], label: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_map, ax_ratio) = plt.subplots(1, 2, figsize=(11, 4.5))
    overall = [r for r in results if r.crack == "any"]
    sizes = sorted({r.crack_size for r in overall}, key=lambda s: s or 0)
    markers = {"within": "o", "below_smallest": "v", "above_largest": "^"}
    for size in sizes:
        rows = sorted((r for r in overall if r.crack_size == size), key=lambda r: r.c_rate)
        label = "critical radius" if size is None else f"{label} = {size:.3g}"
        rates = [r.c_rate for r in rows]
        ax_map.plot(rates, [r.radius_m * 1e6 for r in rows], "-", color="0.5")
        for r in rows:
            ax_map.plot(r.c_rate, r.radius_m * 1e6, markers[r.bound], color="C0")
        ax_map.plot([], [], "o-", color="C0", label=label)
    ax_map.plot([], [], "v", color="C0", label="below the smallest radius (upper bound)")
    ax_map.plot([], [], "^", color="C0", label="above the largest radius (lower bound)")
    ax_map.set_xscale("log")
    ax_map.set_yscale("log")
    ax_map.set_xlabel("C-rate")
    ax_map.set_ylabel("critical radius (µm)")
    ax_map.set_title("Largest radius with max G < Gc")
    ax_map.legend(fontsize=8)
    for i, r in enumerate(overall):
        size_note = "" if r.crack_size is None else f", {label} {r.crack_size:.3g}"
        ax_ratio.plot(
            [x * 1e6 for x in r.radii_m], r.ratios, "o-", color=f"C{i % 10}",
            label=f"{r.c_rate:g}C{size_note}",
        )  # fmt: skip
    ax_ratio.axhline(1.0, color="k", ls="--", lw=1, label="G = Gc")
    ax_ratio.set_xscale("log")
    ax_ratio.set_yscale("log")
    ax_ratio.set_xlabel("particle radius (µm)")
    ax_ratio.set_ylabel("max G / Gc")
    ax_ratio.legend(fontsize=8)
    for ax in (ax_map, ax_ratio):
        for axis in (ax.xaxis, ax.yaxis):
            _plain_log_ticks(axis)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plain_log_ticks(axis) -> None:
    """Plain numbers on a log axis, which is never left without a label.

    On an axis spanning less than about a decade (no or one power of ten in view) the 2 and 5
    multiples are labelled too.
    """
    import math

    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    low, high = sorted(axis.get_view_interval())
    axis.set_major_formatter(FormatStrFormatter("%g"))
    if low > 0 and math.log10(high / low) < 1.2:
        axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
        axis.set_minor_formatter(FormatStrFormatter("%g"))
    else:
        axis.set_minor_formatter(NullFormatter())


def format_table(results: list[Critical], label: str) -> str:
    """A text table of the critical radii (rank-0 printing is the caller's)."""
    lines = [f"{'C-rate':>8} {label:>16} {'crack':>12} {'critical R (um)':>16}  bound"]
    for r in results:
        size = "-" if r.crack_size is None else f"{r.crack_size:.4g}"
        lines.append(
            f"{r.c_rate:>8.3g} {size:>16} {r.crack:>12} {r.radius_m * 1e6:>16.4g}  {r.bound}"
        )
    return "\n".join(lines)
