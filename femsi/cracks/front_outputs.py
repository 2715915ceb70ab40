"""G along the fronts of a study's 3D cracks after every step: columns and the front profile.

Each front of a :class:`~femsi.cracks.layout.FrontLayout` carries ``stations`` stations, front
nodes spaced evenly in arc length (an open front's ends among them). G at a station is the
domain integral with the hat-weighted θ of
:meth:`~femsi.cracks.domain_integral.DomainIntegral.evaluate_front` (the model's own elastic law,
small or finite strain, the concentration-gradient term), averaged over the rings, doubled on a
mirror plane. A station whose faces would overlap (its opening a short way behind the front,
the first ring's inner radius, is negative) is closed: no contact is modelled, its G counts as
0. Stations at an end of the front on a free surface (not a mirror plane) carry the surface's
vertex singularity, where θ also moves the surface: they are written to the profile but left
out of the columns (unless no other station exists).

Columns ``crack.NAME.*`` (the names and meanings of the 2D cracks):

- ``G_J_m2``: the largest G over the stations (the station that would grow first);
- ``G_front_mean_J_m2``: the length-weighted mean Σ G_k ℓ_k / Σ ℓ_k, ℓ_k = ∫ φ_k ds;
- ``G_spread``: (max − min)/|mean| over the rings at that station;
- ``opening_m``: the crack opening behind that station;
- ``K_I_Pa_sqrt_m``, ``K_II_Pa_sqrt_m``: NaN (no interaction integral along 3D fronts).

``cracks/NAME_front.csv`` gets one row per station and recorded step: step, time, SOC, front,
station, arc length s, position, G, ring spread, opening and whether the station is a free
end. ``figures/crack_NAME_front.png`` draws G(s) at a few of the recorded steps.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from femsi.cracks.integral_fields import Front
from femsi.cracks.layout import FrontLayout, FrontLine
from femsi.errors import InputError

#: The columns of each 3D crack, after ``crack.NAME.``.
FRONT_COLUMNS = (
    "G_J_m2",
    "G_spread",
    "K_I_Pa_sqrt_m",
    "K_II_Pa_sqrt_m",
    "opening_m",
    "G_front_mean_J_m2",
)
#: Columns of ``cracks/NAME_front.csv``.
PROFILE_COLUMNS = (
    "step",
    "time_s",
    "soc",
    "front",
    "station",
    "s_m",
    "x_m",
    "y_m",
    "z_m",
    "G_J_m2",
    "G_spread",
    "opening_m",
    "free_end",
)


def station_indices(front: FrontLine, count: int) -> np.ndarray:
    """Front nodes nearest to ``count`` arc lengths spaced evenly along the front.

    An open front's first and last nodes are stations; a closed front's first node is.
    """
    points = np.vstack([front.points, front.points[:1]]) if front.closed else front.points
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    m = len(front.points)
    if front.closed:
        targets = np.arange(count) * arc[-1] / count
    else:
        targets = np.linspace(0.0, arc[-1], count)
    nearest = [int(np.argmin(np.abs(arc[:m] - t))) for t in targets]
    return np.unique(np.array(nearest + ([] if front.closed else [0, m - 1])))


def hat_lengths(s: np.ndarray, total: float, closed: bool) -> np.ndarray:
    """∫ φ_k ds of stations at arc lengths ``s`` (a closed front of length ``total`` wraps)."""
    if closed:
        nxt = np.append(s[1:], s[0] + total)
        prev = np.insert(s[:-1], 0, s[-1] - total)
        return 0.5 * (nxt - prev)
    ds = np.diff(s)
    return 0.5 * (np.append(ds, 0.0) + np.insert(ds, 0, 0.0))


class FrontCrack:
    """The columns and front profile of one 3D crack, forms shared through ``integral``.

    Args:
        integral: The model's :class:`~femsi.cracks.domain_integral.DomainIntegral`.
        crack: The crack.
        face_values: Builds a reader of a vector field on both crack faces
            (``FaceValues(mesh, points, normals, offset)`` of :mod:`femsi.cracks.outputs`).
        mesh: The mesh.
        u: The displacement.
        modulus: A modulus scale, Pa (G below 1e-12 modulus r₂ is unloaded: no spread).
        folder: The run folder (``cracks/NAME_front.csv`` is written there), or None.

    Raises:
        InputError: Rings that reach another material (found on the mesh).
    """

    def __init__(self, integral, crack: FrontLayout, face_values, mesh, u, modulus, folder=None):
        self.crack, self._integral, self._u, self._modulus = crack, integral, u, modulus
        self._stations = [station_indices(f, crack.stations) for f in crack.fronts]
        behind = crack.rings[0][0]
        self._faces = []
        for front, stations in zip(crack.fronts, self._stations, strict=True):
            points = front.points[stations] - behind * front.normals[stations]
            normals = front.binormals[stations]
            self._faces.append((face_values(mesh, points, normals, 0.1 * crack.tip_size), normals))
        for front, stations in zip(crack.fronts, self._stations, strict=True):
            try:  # a front of the mesh that a domain integral cannot follow
                Front.build(front.points, front.normals, stations, closed=front.closed)
            except ValueError as err:
                field = f"cracks.{crack.index}" + (".surface" if crack.kind == "tagged" else "")
                raise InputError(field, f"its front on the mesh: {err}") from None
            try:  # the rings' materials, checked on the mesh
                self._front(front, stations, crack.rings[:1])
            except ValueError as err:
                raise InputError(f"cracks.{crack.index}.ring_radius", str(err)) from None
        self._writer = None
        self._last: list = []
        if folder is not None and mesh.comm.rank == 0:
            path = Path(folder) / "cracks" / f"{crack.name}_front.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = path.open("w", newline="")
            self._writer = csv.writer(self._stream)
            self._writer.writerow(PROFILE_COLUMNS)
            self._stream.flush()

    def _front(self, front: FrontLine, stations: np.ndarray, rings):
        return self._integral.evaluate_front(
            front.points,
            front.normals,
            rings,
            stations,
            symmetric=self.crack.mirror,
            closed=front.closed,
            boundary=self.crack.boundary,
        )

    def _openings(self, index: int) -> np.ndarray:
        faces, normals = self._faces[index]
        u = faces(self._u)
        if self.crack.mirror:  # the body's side only: the binormals point into it
            return 2 * np.einsum("ij,ij->i", u[:, 0], normals)
        return np.einsum("ij,ij->i", u[:, 0] - u[:, 1], normals)

    def evaluate(self) -> tuple[float, ...]:
        """The columns, in :data:`FRONT_COLUMNS` order (:meth:`record` writes the profile)."""
        stations = []  # (front, k, s, point, G, spread, opening, free, ℓ)
        for index, (front, picked) in enumerate(
            zip(self.crack.fronts, self._stations, strict=True)
        ):
            result = self._front(front, picked, self.crack.rings)
            openings = self._openings(index)
            G = result.G_station
            with np.errstate(invalid="ignore", divide="ignore"):
                spread = result.ring_spread if len(self.crack.rings) > 1 else np.zeros_like(G)
            lengths = hat_lengths(result.s, front.length, front.closed)
            for k in range(len(G)):
                free = (k == 0 and front.free_ends[0]) or (k == len(G) - 1 and front.free_ends[1])
                closed = not openings[k] > 0
                stations.append(
                    (
                        index,
                        k,
                        float(result.s[k]),
                        result.points[k],
                        0.0 if closed else float(G[k]),
                        math.nan if closed else float(spread[k]),
                        float(openings[k]),
                        bool(free and not front.closed),
                        float(lengths[k]),
                    )
                )
        used = [st for st in stations if not st[7]] or stations
        best = max(used, key=lambda st: st[4])
        weights = np.array([st[8] for st in used])
        mean = float(np.dot([st[4] for st in used], weights) / weights.sum())
        G = best[4]
        unloaded = G < 1e-12 * self._modulus * self.crack.rings[-1][1]
        spread = math.nan if unloaded else best[5]
        self._last = stations
        return G, spread, math.nan, math.nan, best[6], mean

    def record(self, row: dict) -> None:
        """Append the stations of the last :meth:`evaluate` to the profile, labelled by ``row``."""
        if self._writer is None:
            return
        for index, k, s, point, G, spread, opening, free, _ in self._last:
            self._writer.writerow(
                [
                    row.get("step", ""),
                    row.get("time_s", ""),
                    row.get("soc", ""),
                    index,
                    k,
                    repr(s),
                    *(repr(float(v)) for v in point),
                    repr(G),
                    repr(spread),
                    repr(opening),
                    int(free),
                ]
            )
        self._stream.flush()

    def close(self) -> None:
        """Close the profile file."""
        if self._writer is not None:
            self._stream.close()
            self._writer = None

    def summary(self) -> dict:
        """What the summary adds for a 3D crack."""
        return {
            "fronts": len(self.crack.fronts),
            "stations": int(sum(len(s) for s in self._stations)),
            "front_length_m": float(sum(f.length for f in self.crack.fronts)),
            "front_csv": f"cracks/{self.crack.name}_front.csv",
        }


def plot_front(profile: Path, name: str, folder: Path, curves: int = 5) -> Path:
    """G along the front(s) of a 3D crack at up to ``curves`` recorded steps (the last included).

    Args:
        profile: Its ``cracks/NAME_front.csv``.
        name: The crack's name.
        folder: Where ``crack_NAME_front.png`` goes.
        curves: Number of steps drawn, evenly spread over the run.
    """
    from femsi.outputs.style import apply_matplotlib_style, format_time, unit_of_data

    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    with Path(profile).open() as stream:
        rows = list(csv.DictReader(stream))
    length = unit_of_data("length", [float(r["s_m"]) for r in rows])
    steps = sorted({int(r["step"]) for r in rows})
    shown = [steps[int(round(i))] for i in np.linspace(0, len(steps) - 1, min(curves, len(steps)))]
    fig, ax = plt.subplots(figsize=(6, 4))
    for index, step in enumerate(dict.fromkeys(shown)):
        part = [r for r in rows if int(r["step"]) == step]
        colour = f"C{index}"
        for front in sorted({r["front"] for r in part}):
            line = [r for r in part if r["front"] == front]
            s = length([float(r["s_m"]) for r in line])
            G = np.array([float(r["G_J_m2"]) for r in line])
            free = np.array([r["free_end"] == "1" for r in line])
            soc = float(line[0]["soc"])
            when = f"{format_time(float(line[0]['time_s']))}, SOC {soc:.2f}"
            label = when if front == "0" else None
            ax.plot(s, G, color=colour, marker="o", ms=3, label=label)
            ax.plot(s[free], G[free], "o", color=colour, mfc="white", ms=6)
    ax.set(xlabel=f"arc length along the front s [{length.label}]", ylabel="G [J/m²]")
    ax.set_title(f"Crack {name}: G along the front (open circles: free-surface ends)", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    path = Path(folder) / f"crack_{name}_front.png"
    fig.savefig(path)
    plt.close(fig)
    return path
