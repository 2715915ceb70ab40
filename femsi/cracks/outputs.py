"""Energy release rates of a study's cracks after every step, their summary and figure.

For each crack of ``cracks:`` (meshed by the geometry builders, :mod:`femsi.cracks.config_layouts`):

- ``crack.NAME.G_J_m2``: the energy release rate G. For ring cracks (every kind but
  ``channel``) the domain integral of the model's own elastic law
  (:meth:`femsi.cracks.domain_integral.DomainIntegral.for_model`: small or finite strain, plane
  strain or axisymmetric per unit length of the ring front, with the concentration-gradient
  term) at each tip, averaged over the rings, of the open tip with the largest G; doubled for a
  crack on a mirror line of the model (the modelled half carries half of G). For a ``channel``
  crack the steady-state channelling energy release rate of Beuth (1992),
  G_ss = (σ/2h) ∫₀ʰ δ(z) dz, from the crack opening δ = 2 u_x of the crack face (x = 0, the
  mirror) and σ the mean film stress σ_xx on the far wall x = width (the stress of the
  uncracked film when the strip is wide, width ≫ h; with a through-thickness stress gradient
  the mean stands for σ(z));
- ``crack.NAME.G_spread``: (max − min)/|mean| of G over the rings (path independence);
- ``crack.NAME.K_I_Pa_sqrt_m``, ``crack.NAME.K_II_Pa_sqrt_m``: the interaction integral's
  stress intensity factors (small strain; NaN at finite strain and for a channel crack; K_II
  is 0 on a mirror line by symmetry);
- ``crack.NAME.opening_m``: the crack opening displacement (jump of the normal displacement
  across the faces) a short way behind the tip (the first ring's inner radius, or half the
  straight crack behind the tip if shorter); for a channel crack the mean opening
  (1/h) ∫₀ʰ δ dz.

3D cracks (fronts) have the same columns, taken at the front's station with the largest G,
and ``crack.NAME.G_front_mean_J_m2``, with G(s) in ``cracks/NAME_front.csv``
(:mod:`femsi.cracks.front_outputs`).

A crack whose faces would overlap (negative opening) is closed: no contact is modelled, so
its G is reported as 0 and its spread as NaN (K_I stays negative, the sign of closure). The
spread of an unloaded crack, whose G is below that of a strain of 1e-6 over its rings
(G < 1e-12 E r₂), is NaN too: it would compare round-off.

``summary.json`` gets ``cracks: {NAME: {G_max_J_m2, Gc_J_m2, ratio, time_s, soc, ...}}`` with
the fracture energy Gc of the cracked material (``fracture_energy``, or
K_IC²(1 − ν²)/E from ``fracture_toughness``, E at the stress-free SOC) and the ratio
G_max/Gc (null without a Gc), and ``figures/crack_G.png`` plots G against time and SOC with
the Gc lines.
"""

from __future__ import annotations

import math
from pathlib import Path

from mpi4py import MPI

import numpy as np
from dolfinx import geometry
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401
from femsi.cracks.domain_integral import DomainIntegral
from femsi.cracks.front_outputs import FRONT_COLUMNS, FrontCrack, plot_front
from femsi.cracks.layout import CrackLayout, FrontLayout
from femsi.errors import InputError
from femsi.materials.fracture import fracture_energy
from femsi.outputs.figures import time_unit
from femsi.outputs.style import apply_matplotlib_style, shade_protocol_steps
from femsi.parallel import ScalarForm

#: The columns of each crack, after ``crack.NAME.``.
CRACK_COLUMNS = ("G_J_m2", "G_spread", "K_I_Pa_sqrt_m", "K_II_Pa_sqrt_m", "opening_m")


def crack_columns(cracks) -> list[str]:
    """Column names of the cracks (2D layouts and 3D fronts) in ``timeseries.csv``."""
    return [
        f"crack.{crack.name}.{key}"
        for crack in cracks
        for key in (FRONT_COLUMNS if isinstance(crack, FrontLayout) else CRACK_COLUMNS)
    ]


class FaceValues:
    """A vector field on both faces of a crack at given points, shared by all ranks.

    Each point is read from the cells on one side of the crack only: those that hold the
    point moved a little (a tenth of the tip element) off the crack to that side and whose
    midpoints lie on that side (collision tests have a tolerance: a point next to the crack
    would otherwise be read on both faces). A side without cells (a mirror's outside) reads
    NaN.

    Args:
        mesh: The mesh.
        points: (n, d) points on the crack, m (d the mesh's dimension).
        normals: (n, d) unit normals of the crack at the points.
        offset: Distance off the crack where the points are located, m.
    """

    def __init__(self, mesh, points: np.ndarray, normals: np.ndarray, offset: float):
        tdim = mesh.topology.dim
        gdim = mesh.geometry.dim
        points, normals = np.asarray(points)[:, :gdim], np.asarray(normals)[:, :gdim]
        shifted = np.zeros((2 * len(points), 3))
        for k, (p, n) in enumerate(zip(points, normals, strict=True)):
            shifted[2 * k, :gdim] = p + offset * n
            shifted[2 * k + 1, :gdim] = p - offset * n
        # padded: a point on a mirror plane may lie outside by round-off
        tree = geometry.bb_tree(mesh, tdim, padding=1e-6 * offset)
        candidates = geometry.compute_collisions_points(tree, shifted)
        colliding = geometry.compute_colliding_cells(mesh, candidates, shifted)
        n_owned = mesh.topology.index_map(tdim).size_local
        self._local = []
        for i in range(len(shifted)):
            cells = np.array([c for c in colliding.links(i) if c < n_owned], dtype=np.int32)
            if not cells.size:
                continue
            middle = dmesh.compute_midpoints(mesh, tdim, cells)[:, :gdim]
            side = (1.0 if i % 2 == 0 else -1.0) * normals[i // 2]
            on_side = (middle - points[i // 2]) @ side > 0
            self._local += [(i, int(c)) for c in cells[on_side]]
        self._points = shifted
        self._comm = mesh.comm

    def __call__(self, f) -> np.ndarray:
        """Values of ``f``: (n, 2, value size), [:, 0] on the normal's side, [:, 1] opposite."""
        size = f.function_space.value_size
        sums = np.zeros((len(self._points), size))
        counts = np.zeros(len(self._points))
        for i, cell in self._local:
            sums[i] += f.eval(self._points[i], np.array([cell], dtype=np.int32))
            counts[i] += 1
        sums = self._comm.allreduce(sums, op=MPI.SUM)
        counts = self._comm.allreduce(counts, op=MPI.SUM)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(counts[:, None] > 0, sums / counts[:, None], np.nan)
        return values.reshape(-1, 2, size)


def _opening_points(crack: CrackLayout) -> tuple[np.ndarray, np.ndarray]:
    """A point on the crack a short way behind each tip, and the crack's normal there.

    On a mirror line only the body's side exists: the normal points into the body.
    """
    points, normals = [], []
    first_ring = crack.rings[0][0] if crack.rings else math.inf
    for tip in crack.tips:
        e = np.array(tip.direction)
        points.append(np.array(tip.point) - min(first_ring, 0.5 * tip.straight) * e)
        if crack.mirror_axis is not None:
            n = np.zeros(2)
            n[crack.mirror_axis] = 1.0  # the modelled part lies on the positive side
        else:
            n = np.array([-e[1], e[0]])
        normals.append(n)
    return np.array(points), np.array(normals)


class CrackOutputs:
    """The crack columns of one run, forms compiled once.

    Args:
        model: The coupled model (with mechanics, elastic in the cracked regions).
        cracks: The meshed cracks (``MeshModel.cracks``: 2D layouts and 3D fronts).
        folder: The run folder (3D cracks write ``cracks/NAME_front.csv`` there), or None.

    Raises:
        InputError: Rings that reach another material (found on the mesh).
    """

    def __init__(self, model, cracks: list, folder: Path | None = None):
        self.cracks = list(cracks)
        self.columns = crack_columns(self.cracks)
        self._u = model.u
        self._modulus = model.stress_scale
        comm = model.mesh.comm
        self._integral = None
        if any(c.kind != "channel" for c in self.cracks):
            try:
                self._integral = DomainIntegral.for_model(model)
            except ValueError as err:
                raise InputError("cracks", str(err)) from None
        self._channels = {
            c.name: self._channel_forms(model, c, comm) for c in self.cracks if c.kind == "channel"
        }
        self._fronts = {
            c.name: FrontCrack(
                self._integral, c, FaceValues, model.mesh, model.u, self._modulus, folder
            )
            for c in self.cracks
            if isinstance(c, FrontLayout)
        }
        self._openings = {}
        for crack in self.cracks:
            if crack.kind != "channel" and crack.name not in self._fronts:
                points, normals = _opening_points(crack)
                faces = FaceValues(model.mesh, points, normals, 0.1 * crack.tip_size)
                self._openings[crack.name] = (faces, normals)
                assert self._integral is not None  # made for every crack but a channel
                for tip in crack.tips:  # the rings' materials, checked on the mesh
                    try:
                        self._integral.evaluate(tip.point, tip.direction, crack.rings[:1])
                    except ValueError as err:
                        raise InputError(f"cracks.{crack.index}.ring_radius", str(err)) from None

    @staticmethod
    def _channel_forms(model, crack: CrackLayout, comm):
        """∫ u_x over the crack face, and ∫ σ_xx, ∫ 1 over the film's part of the far wall."""
        m, mesh_model = model.measures, model.model
        ds = m.ds(m.mechanics_degree)
        face = ds(mesh_model.surfaces[crack.surface])
        far = ds(mesh_model.surfaces["side_x1"])
        film = model.fields.indicator([crack.region])
        opening = ScalarForm(model.u[0] * face, comm)
        stress = ScalarForm(film * model.elastic_stress[0, 0] * far, comm)
        height = ScalarForm(film * far, comm)()
        return opening, stress, height

    def evaluate(self) -> dict[str, float]:
        """The columns for the current displacement and concentration."""
        row: dict[str, float] = {}
        for crack in self.cracks:
            keys: tuple[str, ...] = CRACK_COLUMNS
            if crack.name in self._fronts:
                values, keys = self._fronts[crack.name].evaluate(), FRONT_COLUMNS
            elif crack.kind == "channel":
                values = self._channel(crack)
            else:
                values = self._rings(crack)
            row |= {f"crack.{crack.name}.{k}": float(v) for k, v in zip(keys, values, strict=True)}
        return row

    def record(self, row: dict) -> None:
        """Append the last evaluation's G(s) of the 3D cracks to their front profiles.

        Args:
            row: The time-series row (its step, time and SOC label the profile's rows).
        """
        for front in self._fronts.values():
            front.record(row)

    def close(self) -> None:
        """Close the 3D front profiles."""
        for front in self._fronts.values():
            front.close()

    def _tip_openings(self, crack: CrackLayout) -> np.ndarray:
        faces, normals = self._openings[crack.name]
        u = faces(self._u)
        if crack.mirror_axis is not None:
            return 2 * np.einsum("ij,ij->i", u[:, 0], normals)
        return np.einsum("ij,ij->i", u[:, 0] - u[:, 1], normals)

    def _rings(self, crack: CrackLayout) -> tuple[float, ...]:
        symmetric = crack.mirror_axis is not None
        openings = self._tip_openings(crack)
        assert self._integral is not None  # made for every crack but a channel
        results = [
            self._integral.evaluate(tip.point, tip.direction, crack.rings, symmetric=symmetric)
            for tip in crack.tips
        ]
        # The tip that would grow first: the largest G of an open tip (a closed tip has none).
        best = max(range(len(results)), key=lambda i: (openings[i] > 0, results[i].G_mean))
        result, opening = results[best], float(openings[best])
        closed = not opening > 0
        G = 0.0 if closed else result.G_mean
        unloaded = G < 1e-12 * self._modulus * crack.rings[-1][1]
        spread = math.nan if unloaded else (result.G_spread if len(crack.rings) > 1 else 0.0)
        K_I = float(np.mean(result.K_I))
        K_II = float(np.mean(result.K_II))
        return G, spread, K_I, K_II, opening

    def _channel(self, crack: CrackLayout) -> tuple[float, ...]:
        opening, stress, height = self._channels[crack.name]
        sigma = stress() / height
        half_opening = opening()  # ∫ u_x dz over the face: half the integral of δ
        G = sigma * half_opening / crack.thickness if half_opening > 0 else 0.0
        return G, math.nan, math.nan, math.nan, 2 * half_opening / crack.thickness

    def summary(self, rows: list[dict], materials: dict) -> dict[str, dict]:
        """Per crack: the largest G, when and at which SOC, and Gc of the cracked material."""
        out = {}
        for crack in self.cracks:
            key = f"crack.{crack.name}.G_J_m2"
            candidates = [r for r in rows if math.isfinite(r.get(key, math.nan))]
            row = max(candidates, key=lambda r: r[key]) if candidates else {}
            material = materials[crack.region]
            gc = fracture_energy(material)
            G = row.get(key)
            out[crack.name] = {
                "kind": crack.kind,
                "region": crack.region,
                "material": material.name,
                "G_max_J_m2": G,
                "Gc_J_m2": gc,
                "ratio": G / gc if (G is not None and gc) else None,
                "time_s": row.get("time_s"),
                "soc": row.get("soc"),
                "step": row.get("step"),
                "rings_m": [list(r) for r in crack.rings],
                "symmetry_factor": crack.symmetry_factor,
            }
            if crack.name in self._fronts:
                out[crack.name] |= self._fronts[crack.name].summary()
        return out


def plot_crack_G(rows: list[dict], cracks: dict[str, dict], folder: Path) -> list[Path]:
    """G of every crack against time and SOC, with the fracture-energy line of its material.

    3D cracks also get ``crack_NAME_front.png`` (G along the front, :func:`plot_front`) from
    their front profile next to ``folder`` (the run folder's ``figures/``).
    """
    apply_matplotlib_style()
    import matplotlib.pyplot as plt

    t = np.array([r["time_s"] for r in rows])
    unit, scale = time_unit(t)
    soc = np.array([r["soc"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    gcs: dict[float, list[str]] = {}
    for index, (name, info) in enumerate(cracks.items()):
        G = np.array([r[f"crack.{name}.G_J_m2"] for r in rows])
        colour = f"C{index}"
        axes[0].plot(t / scale, G, color=colour, marker=".", ms=3, label=f"{name} ({info['kind']})")
        axes[1].plot(soc, G, color=colour, marker=".", ms=3, label=name)
        if info["Gc_J_m2"] is not None:
            gcs.setdefault(info["Gc_J_m2"], []).append(info["material"])
    for value, names in gcs.items():
        for ax in axes:
            ax.axhline(value, color="k", ls="--", lw=1)
        axes[0].annotate(
            f"Gc {value:.3g} J/m² ({', '.join(sorted(set(names)))})",
            (0.01, value),
            xycoords=("axes fraction", "data"),
            va="bottom",
            fontsize=8,
        )
    for ax in axes:
        ax.set_ylim(bottom=0)
    shade_protocol_steps(axes[0], rows, scale)
    low, high = axes[0].get_ylim()
    axes[0].set_ylim(0, high * 1.08)  # room for the steps' labels
    axes[0].set_xlim(t[0] / scale, t[-1] / scale)
    axes[0].set(xlabel=f"time [{unit}]", ylabel="G [J/m²]", title="Energy release rate G")
    axes[1].set(
        xlabel="state of charge", ylabel="G [J/m²]", title="Energy release rate G against SOC"
    )
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    path = folder / "crack_G.png"
    fig.savefig(path)
    plt.close(fig)
    paths = [path]
    for name, info in cracks.items():
        if info.get("front_csv"):
            paths.append(plot_front(Path(folder).parent / info["front_csv"], name, folder))
    return paths
