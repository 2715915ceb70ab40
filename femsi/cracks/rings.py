"""The rings of a crack's domain integral, chosen and checked against its clearance.

n = ``rings`` rings with outer radii r₂ = r (k + 1)/(n + 1), k = 1 … n, and inner radii
r₁ = r₂/2 (q = 1 inside r₁, 0 outside r₂), r = ``ring_radius``, by default half the distance d
from the tip to the nearest boundary, interface, axis or other crack (the crack's own faces
excepted). The rings must stay inside that distance: the domain integral is path independent
only inside one homogeneous elastic material, away from other boundaries. The narrowest
annulus (width r/(n + 1)) must hold two tip elements: tip_size ≤ r/(2(n + 1)).
"""

from __future__ import annotations

from dataclasses import replace

from femsi.cracks.checks import segment_distance
from femsi.cracks.layout import CrackLayout
from femsi.errors import InputError

#: Default ring radius as a fraction of the distance to the nearest other boundary.
RING_FRACTION = 0.5


def ring_radii(radius: float, n: int) -> tuple[tuple[float, float], ...]:
    """(r₁, r₂) of n rings whose largest outer radius is ``radius``."""
    outer = [radius * (k + 1) / (n + 1) for k in range(1, n + 1)]
    return tuple((r2 / 2, r2) for r2 in outer)


def with_rings(layout: CrackLayout, crack, layouts: list[CrackLayout]) -> CrackLayout:
    """Choose the rings of a crack and check them against its clearance and tip size."""
    if layout.kind == "channel":
        return layout
    clearance = layout.clearance
    for other in layouts:
        if other is not layout:
            for tip in layout.tips:
                clearance = min(clearance, segment_distance(tip.point, other.start, other.end))
    rings = choose_rings(layout.index, crack, layout.region, clearance, layout.tip_size)
    return replace(layout, rings=rings, clearance=clearance)


def choose_rings(
    index: int, crack, region: str, clearance: float, tip_size: float, where: str = "tip"
) -> tuple[tuple[float, float], ...]:
    """The rings of a crack: ``ring_radius`` or a fraction of the clearance, checked."""
    field = f"cracks.{index}"
    if crack.ring_radius is not None:
        if crack.ring_radius >= clearance:
            raise InputError(
                f"{field}.ring_radius",
                f"rings of radius {crack.ring_radius:.4g} m would leave the {region} "
                f"around the {where}: the nearest boundary, interface or other crack is "
                f"{clearance:.4g} m away",
            )
        radius = crack.ring_radius
    else:
        radius = RING_FRACTION * clearance
    n = crack.rings
    largest_tip = radius / (2 * (n + 1))
    if tip_size > largest_tip:
        raise InputError(
            f"{field}.tip_size",
            f"{tip_size:.4g} m is too coarse for this crack: its smallest ring "
            f"(radius {2 * radius / (n + 1):.4g} m, from a ring radius of {radius:.4g} m) needs "
            f"tip_size <= {largest_tip:.4g} m (or fewer rings)",
        )
    return ring_radii(radius, n)
