"""Random packings of non-overlapping spheres in a box, to a target volume fraction.

Random sequential addition (drop spheres one at a time where they fit) jams near 38 % for
equal spheres. femsi instead places all spheres at once and then removes the overlaps:

1. Radii. ``constant``: one radius. ``list``: the given radii, cycled in order.
   ``lognormal``: radii drawn from the lognormal with the given mean and standard deviation of
   the radius, redrawn when outside [mean - 3 std, r_fit] (truncated to what fits in the box).
   Spheres are added until their total volume is closest to the target fraction of the box
   (or, given a count, exactly that many).
2. Centres are drawn uniformly, each within the box shrunk by its radius plus the wall gap.
3. Soft-sphere relaxation, with the radii grown from 80 % to full size over the first
   iterations (a Lubachevsky-Stillinger-like start that avoids early jams). Each iteration
   finds the pairs closer than r_i + r_j + gap (a k-d tree, ``scipy.spatial.cKDTree``),
   moves both spheres of every such pair apart along their centre line by the overlap
   (shared in inverse proportion to their volumes, so large spheres move less), sums the
   moves of each sphere (Jacobi), and clamps the centres back into the shrunk box. It stops
   when no pair is closer than r_i + r_j + gap at full size.

Everything random comes from ``numpy.random.default_rng(seed)`` and the pairs are processed in
sorted order, so a seed gives the same packing on every machine and every MPI rank. The
volume fraction reported is the exact sphere volume over the box volume.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from femsi.errors import InputError

#: Relaxation iterations before giving up.
MAX_ITERATIONS = 20_000
#: Iterations over which the radii grow to full size.
GROWTH_ITERATIONS = 400
#: Radii start at this fraction of their size.
START_SCALE = 0.8
#: Pairs are pushed apart this much further than the gap (relative to the mean radius), so the
#: relaxation ends with every gap at least ``min_gap`` and does not creep toward it.
MARGIN = 1e-3


@dataclass(frozen=True)
class RadiusDistribution:
    """Particle radii: ``constant`` (``mean``), ``list`` (``values``) or ``lognormal``.

    Attributes:
        kind: ``constant``, ``list`` or ``lognormal``.
        mean: The radius (constant) or the mean radius (lognormal); the mean of the list.
        std: Standard deviation of the radius (lognormal only).
        values: The radii of a ``list``, used in order and cycled.
    """

    kind: str
    mean: float
    std: float = 0.0
    values: tuple[float, ...] = ()

    @property
    def largest(self) -> float:
        """The largest radius the distribution must place (lognormal: its mean)."""
        return max(self.values) if self.kind == "list" else self.mean


@dataclass(frozen=True)
class Packing:
    """Spheres packed in a box.

    Attributes:
        centres: (n, 3) sphere centres.
        radii: (n,) sphere radii.
        phase: (n,) index of the phase (the entry of ``phases``) each sphere belongs to.
        volume_fractions: Achieved volume fraction of each phase (exact sphere volumes over the
            box volume).
        iterations: Relaxation iterations used.
    """

    centres: np.ndarray
    radii: np.ndarray
    phase: np.ndarray
    volume_fractions: tuple[float, ...]
    iterations: int

    @property
    def volume_fraction(self) -> float:
        """Total volume fraction of all phases."""
        return float(sum(self.volume_fractions))


def sphere_volume(radii: ArrayLike) -> np.ndarray | np.float64:
    """Volume of spheres of the given radii."""
    return 4.0 / 3.0 * math.pi * np.asarray(radii, dtype=float) ** 3


def sample_radii(
    distribution: RadiusDistribution,
    rng: np.random.Generator,
    *,
    volume: float | None = None,
    count: int | None = None,
    largest: float = math.inf,
    field: str = "geometry.radius",
) -> np.ndarray:
    """Radii whose spheres fill ``volume`` (closest total), or ``count`` radii.

    Args:
        distribution: The radius distribution.
        rng: Random generator (lognormal draws only).
        volume: Total sphere volume to reach; give this or ``count``.
        count: Number of spheres.
        largest: Largest radius that fits the box (with its gaps).
        field: Config field named in errors.

    Raises:
        InputError: A radius that does not fit, or a distribution truncated to nothing.
    """
    if distribution.largest > largest:
        raise InputError(
            field,
            f"a particle of radius {distribution.largest:.4g} m does not fit in the layer with "
            f"its gaps (largest radius that fits: {largest:.4g} m)",
        )
    low = 0.0
    if distribution.kind == "lognormal":
        low = max(distribution.mean - 3 * distribution.std, 1e-3 * distribution.mean)
        sigma2 = math.log1p((distribution.std / distribution.mean) ** 2)
        mu = math.log(distribution.mean) - sigma2 / 2

    def draw(i: int) -> float:
        if distribution.kind == "constant":
            return distribution.mean
        if distribution.kind == "list":
            return distribution.values[i % len(distribution.values)]
        for _ in range(1000):
            r = float(rng.lognormal(mu, math.sqrt(sigma2)))
            if low <= r <= largest:
                return r
        raise InputError(f"{field}.std", "the distribution is truncated to almost nothing")

    radii: list[float] = []
    if count is not None:
        return np.array([draw(i) for i in range(count)])
    assert volume is not None  # give volume or count
    total = 0.0
    while True:
        r = draw(len(radii))
        v = float(sphere_volume(r))
        if total + v - volume > volume - total:  # adding it would overshoot more than not
            break
        radii.append(r)
        total += v
    if not radii:
        raise InputError(field, "a single particle is larger than the volume to fill")
    return np.array(radii)


def pack_spheres(
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    radii: np.ndarray,
    *,
    min_gap: float,
    wall_gap: float,
    rng: np.random.Generator,
    max_iterations: int = MAX_ITERATIONS,
    field: str = "geometry.volume_fraction",
) -> tuple[np.ndarray, int]:
    """Place spheres of the given radii in the box without overlaps (see the module docstring).

    Args:
        lower: Lower corner of the box.
        upper: Upper corner of the box.
        radii: Sphere radii.
        min_gap: Smallest distance between two sphere surfaces.
        wall_gap: Smallest distance between a sphere and a box face.
        rng: Random generator for the initial centres.
        max_iterations: Relaxation iterations before giving up.
        field: Config field named when the packing fails.

    Returns:
        The centres (n, 3) and the number of relaxation iterations.

    Raises:
        InputError: The spheres could not be separated within ``max_iterations``.
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    radii = np.asarray(radii, dtype=float)
    n = radii.size
    low = lower + (radii + wall_gap)[:, None]
    high = upper - (radii + wall_gap)[:, None]
    if np.any(high < low):
        raise InputError("geometry.radius", "a particle with its wall gap is larger than the box")
    centres = low + rng.random((n, 3)) * (high - low)
    if n < 2:
        return centres, 0
    mean = float(radii.mean())
    margin = MARGIN * mean
    weight = radii**3
    best = 0.0
    for iteration in range(1, max_iterations + 1):
        scale = min(1.0, START_SCALE + (1 - START_SCALE) * iteration / GROWTH_ITERATIONS)
        r = scale * radii
        reach = 2 * r.max() + min_gap + margin
        pairs = cKDTree(centres).query_pairs(reach, output_type="ndarray")
        if pairs.size:
            pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
            i, j = pairs[:, 0], pairs[:, 1]
            delta = centres[j] - centres[i]
            distance = np.linalg.norm(delta, axis=1)
            contact = r[i] + r[j] + min_gap
            overlap = contact + margin - distance
            close = overlap > 0
            i, j, delta, distance, overlap = (
                i[close],
                j[close],
                delta[close],
                distance[close],
                overlap[close],
            )
            worst = float(np.max(contact[close] - distance)) if close.any() else -math.inf
            shrink = (distance - min_gap) / (radii[i] + radii[j])
        else:
            close = np.zeros(0, dtype=bool)
            worst, shrink = -math.inf, np.ones(1)
        if scale == 1.0 and worst <= 0:
            return centres, iteration
        # Shrunk by this factor the spheres would be separated (pairs not found are further
        # apart than ``scale`` times their radii).
        best = max(best, min(scale, float(shrink.min())))
        if not close.any():
            continue
        coincident = distance < 1e-12 * mean
        if coincident.any():
            delta[coincident] = rng.normal(size=(int(coincident.sum()), 3))
            distance[coincident] = np.linalg.norm(delta[coincident], axis=1)
        normal = delta / distance[:, None]
        share = weight[j] / (weight[i] + weight[j])
        move = np.zeros_like(centres)
        np.add.at(move, i, -(overlap * share)[:, None] * normal)
        np.add.at(move, j, (overlap * (1 - share))[:, None] * normal)
        centres = np.clip(centres + move, low, high)
    fraction = float(sphere_volume(radii).sum() / np.prod(upper - lower))
    raise InputError(
        field,
        f"could not pack {n} particles to a volume fraction of {fraction:.3g} with the minimum "
        f"gap in {max_iterations} iterations; the best arrangement found holds "
        f"{fraction * max(best, 0.0) ** 3:.3g}. Lower the volume fraction or the gaps, or "
        f"widen the layer",
    )


def random_packing(
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    phases: Sequence[tuple[RadiusDistribution, float | None, int | None]],
    *,
    min_gap: float,
    wall_gap: float,
    seed: int = 0,
    max_iterations: int = MAX_ITERATIONS,
    fields: Sequence[str] = ("geometry",),
) -> Packing:
    """Pack one or more phases of spheres in a box.

    Args:
        lower: Lower corner of the box.
        upper: Upper corner of the box.
        phases: Per phase: its radius distribution, and its target volume fraction of the box
            or its number of spheres (the other None).
        min_gap: Smallest distance between two sphere surfaces (all phases).
        wall_gap: Smallest distance between a sphere and a box face.
        seed: Seed of ``numpy.random.default_rng``.
        max_iterations: Relaxation iterations before giving up.
        fields: Config section of each phase, named in errors (``geometry``,
            ``geometry.inert``).

    Returns:
        The packing.

    Raises:
        InputError: A particle that does not fit, or a fraction that cannot be reached.
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    if np.any(upper <= lower):
        raise InputError(fields[0], "the box to pack has no volume")
    box = float(np.prod(upper - lower))
    largest = float((upper - lower).min()) / 2 - wall_gap
    rng = np.random.default_rng(seed)
    radii, phase = [], []
    for index, (distribution, fraction, count) in enumerate(phases):
        section = fields[min(index, len(fields) - 1)]
        r = sample_radii(
            distribution,
            rng,
            volume=None if fraction is None else fraction * box,
            count=count,
            largest=largest,
            field=f"{section}.radius",
        )
        radii.append(r)
        phase.append(np.full(r.size, index))
    radii_all = np.concatenate(radii)
    phase_all = np.concatenate(phase)
    order = np.argsort(-radii_all, kind="stable")  # large spheres first: a stable layout
    radii_all, phase_all = radii_all[order], phase_all[order]
    fractions = tuple(
        float(sphere_volume(radii_all[phase_all == k]).sum()) / box for k in range(len(phases))
    )
    try:
        centres, iterations = pack_spheres(
            lower,
            upper,
            radii_all,
            min_gap=min_gap,
            wall_gap=wall_gap,
            rng=rng,
            max_iterations=max_iterations,
        )
    except InputError as err:
        if err.field != "geometry.volume_fraction":
            raise
        raise InputError(f"{fields[0]}.volume_fraction", err.message) from None
    return Packing(centres, radii_all, phase_all, fractions, iterations)


def overlaps(packing: Packing, min_gap: float = 0.0) -> int:
    """Number of sphere pairs closer than their radii plus ``min_gap`` (for checks)."""
    if packing.radii.size < 2:
        return 0
    tree = cKDTree(packing.centres)
    pairs = tree.query_pairs(2 * packing.radii.max() + min_gap, output_type="ndarray")
    if not pairs.size:
        return 0
    i, j = pairs[:, 0], pairs[:, 1]
    distance = np.linalg.norm(packing.centres[j] - packing.centres[i], axis=1)
    return int(np.sum(distance < packing.radii[i] + packing.radii[j] + min_gap))
