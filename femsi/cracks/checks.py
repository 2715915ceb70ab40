"""The checks that keep a study's cracks meaningful, before any mesh exists.

Input errors (naming the field) for: two cracks of one name, a kind the geometry (its family,
:mod:`femsi.geometry.families`) or dimension cannot hold, cracks without mechanics, a channel
crack without die walls, a tagged crack that names no curve (2D) or surface (3D) or gives a
length or angle, two cracks that cross or touch, and cracks in plastic regions (J is no
fracture parameter where the material flows; the domain integral's energy is the model's
strain energy, which plastic regions do not have). A crack that does not fit its geometry is
refused where it is laid out (:mod:`femsi.cracks.kinds`), and rings that leave the cracked
material or a tip element too coarse for them where the rings are chosen
(:mod:`femsi.cracks.rings`).
"""

from __future__ import annotations

import math

from femsi.cracks.kinds import KINDS_3D, crack_disc
from femsi.cracks.layout import CrackLayout, Point
from femsi.errors import InputError
from femsi.geometry.families import Family, types_where


def check_study(study) -> None:
    """What every crack needs: mechanics, unique names, a geometry and dimension that fit."""
    geometry = study.geometry
    three_d = getattr(geometry, "dimension", 3) == 3
    names: set[str] = set()
    for index, crack in enumerate(study.cracks):
        if crack.name in names:
            raise InputError(f"cracks.{index}.name", f"two cracks are named {crack.name!r}")
        names.add(crack.name)

        def holds(family: Family, kind: str = crack.kind) -> bool:
            return kind in family.crack_kinds

        allowed = types_where(holds)
        if geometry.type not in allowed:
            raise InputError(
                f"cracks.{index}.kind",
                f"a {crack.kind} crack needs geometry type {' or '.join(allowed)} "
                f"(this study is a {geometry.type})",
            )
        if three_d and crack.kind not in KINDS_3D:
            raise InputError(
                f"cracks.{index}.kind",
                f"a {crack.kind} crack is evaluated in 2D sections (geometry.dimension: 2); 3D "
                "studies hold centre (penny), edge (semicircular surface) and tagged cracks",
            )
    if study.physics.mechanics == "none":
        raise InputError("cracks", "cracks need mechanics (physics.mechanics)")
    if geometry.type == "film" and study.cell is not None and study.cell.lateral != "confined":
        raise InputError(
            "cell.lateral",
            "a channel crack needs the die walls (lateral: confined): the wall at x = 0 under "
            "the crack is its mirror line, the one at x = width the midline to the next crack",
        )


def check_tagged(index: int, crack, dimension: int) -> None:
    """A tagged crack names its curve (2D) or surface (3D); the rest comes from the mesh."""
    if dimension == 3:
        if crack.curve is not None:
            raise InputError(
                f"cracks.{index}.curve",
                "a crack in a 3D mesh is a surface: name its surface group in surface",
            )
        if crack.surface is None:
            raise InputError(
                f"cracks.{index}.surface", "a tagged crack names its surface group in the mesh"
            )
    else:
        if crack.surface is not None:
            raise InputError(
                f"cracks.{index}.surface",
                "a crack in a 2D mesh is a curve: name its curve group in curve",
            )
        if crack.curve is None:
            raise InputError(f"cracks.{index}.curve", "a tagged crack names its curve in the mesh")
    if crack.length is not None:
        raise InputError(f"cracks.{index}.length", "a tagged crack takes its length from the mesh")
    if crack.angle != 0.0:
        raise InputError(
            f"cracks.{index}.angle", "a tagged crack takes its direction from the mesh"
        )


def check_elastic(layouts: list[CrackLayout], study) -> None:
    """No crack in a plastic region, and no domain integral in a body with plastic regions."""
    plastic = set(study.physics.plastic_regions)
    for layout in layouts:
        if layout.region in plastic:
            raise InputError(
                "physics.plastic_regions",
                f"region {layout.region!r} holds crack {layout.name!r}: G (J) is no fracture "
                "parameter where the material flows; keep cracked regions elastic",
            )
    ring_cracks = [c for c in study.cracks if c.kind != "channel"]
    if plastic and ring_cracks:
        raise InputError(
            "physics.plastic_regions",
            f"crack {ring_cracks[0].name!r}: the domain integral needs an elastic body (its "
            "energy is the model's strain energy, which plastic regions do not have)",
        )


def segment_distance(p: Point, a: Point, b: Point) -> float:
    """Distance from point p to the segment a-b."""
    ab = (b[0] - a[0], b[1] - a[1])
    length2 = ab[0] ** 2 + ab[1] ** 2
    t = 0.0 if length2 == 0 else ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1]) / length2
    t = min(1.0, max(0.0, t))
    return math.hypot(p[0] - a[0] - t * ab[0], p[1] - a[1] - t * ab[1])


def _segments_distance(a: CrackLayout, b: CrackLayout) -> float:
    """Distance between two segments (zero when they cross)."""
    p, q, r, s = a.start, a.end, b.start, b.end

    def orient(u, v, w):
        return (v[0] - u[0]) * (w[1] - u[1]) - (v[1] - u[1]) * (w[0] - u[0])

    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return 0.0
    return min(
        segment_distance(p, r, s),
        segment_distance(q, r, s),
        segment_distance(r, p, q),
        segment_distance(s, p, q),
    )


def check_pairs(layouts: list[CrackLayout], cracks, dimension: int = 2) -> None:
    """No two cracks cross or touch: a gap of at least two tip elements between them."""
    for i, a in enumerate(layouts):
        for b in layouts[i + 1 :]:
            if dimension == 3:  # two discs in the plane z = 0
                (ca, ra), (cb, rb) = crack_disc(a), crack_disc(b)
                gap = max(0.0, math.hypot(ca[0] - cb[0], ca[1] - cb[1]) - ra - rb)
            else:
                gap = _segments_distance(a, b)
            if gap < 2 * max(a.tip_size, b.tip_size):
                raise InputError(
                    f"cracks.{b.index}",
                    f"crack {b.name!r} crosses or touches crack {a.name!r} (gap {gap:.3g} m)",
                )
