"""Crack layouts completed with what the mesh says: tagged cracks and 3D fronts (no Gmsh).

The mesh builders find a tagged crack's tips (2D) or any 3D crack's fronts on the mesh
(:mod:`femsi.cracks.tagged_curves`, :mod:`femsi.cracks.fronts`) in mesh units; these functions
turn those facts into SI layouts with checked rings.
"""

from __future__ import annotations

from femsi.cracks.layout import DEFAULT_STATIONS, CrackLayout, FrontLayout, FrontLine, TipLayout
from femsi.cracks.rings import choose_rings, with_rings


def tagged_layout(index: int, crack, tips, region: str, facts: dict, unit: float) -> CrackLayout:
    """The layout of a ``tagged`` crack from what was found on the mesh (mesh units × unit).

    Args:
        index: Position in ``cracks:``.
        crack: Its config entry.
        tips: The tips found (:class:`TipLayout`, mesh units).
        region: The region around the tips.
        facts: ``clearance`` and ``tip_size`` (mean length of the crack's segments at its
            tips), mesh units.
        unit: Metres per mesh unit (``geometry.length_unit``).

    Raises:
        InputError: Rings that leave the region, or a mesh too coarse at the tips for them.
    """
    scaled = tuple(
        TipLayout((t.point[0] * unit, t.point[1] * unit), t.direction, t.straight * unit)
        for t in tips
    )
    layout = CrackLayout(
        index,
        crack.name,
        "tagged",
        region,
        scaled[0].point,
        scaled[-1].point,
        scaled,
        (),
        None,
        crack.tip_size if crack.tip_size is not None else facts["tip_size"] * unit,
        (),
        clearance=facts["clearance"] * unit,
    )
    return with_rings(layout, crack, [layout])


def tagged_front_layout(
    index: int, crack, fronts: tuple[FrontLine, ...], region: str, facts: dict, unit: float
) -> FrontLayout:
    """The layout of a ``tagged`` 3D crack from what was found on the mesh (mesh units × unit).

    Args:
        index: Position in ``cracks:``.
        crack: Its config entry.
        fronts: The fronts found (mesh units).
        region: The region the crack lies in.
        facts: ``mirror`` (the crack is a free part of a mirror plane), ``clearance``,
            ``tip_size`` (mean length of the front's segments) and ``boundary`` (points and
            normal directions), mesh units.
        unit: Metres per mesh unit (``geometry.length_unit``).

    Raises:
        InputError: Rings that leave the region, or a mesh too coarse at the front for them.
    """
    clearance = facts["clearance"] * unit
    tip_size = crack.tip_size if crack.tip_size is not None else facts["tip_size"] * unit
    rings = choose_rings(index, crack, region, clearance, tip_size, where="front")
    return FrontLayout(
        index,
        crack.name,
        crack.kind,
        region,
        tuple(front.scaled(unit) for front in fronts),
        bool(facts["mirror"]),
        tip_size,
        rings,
        clearance,
        crack.stations if crack.stations is not None else DEFAULT_STATIONS,
        _scaled_boundary(facts, unit),
    )


def _scaled_boundary(facts: dict, unit: float):
    boundary = facts.get("boundary")
    return None if boundary is None else (boundary[0] * unit, boundary[1])


def builtin_front_layout(
    layout: CrackLayout, fronts: tuple[FrontLine, ...], facts: dict, unit: float
) -> FrontLayout:
    """The layout of a built-in 3D crack: its config layout (rings, checked at load) and fronts.

    Args:
        layout: The config layout (SI).
        fronts: The fronts found on the mesh (model units).
        facts: ``mirror`` and ``boundary`` found on the mesh (model units).
        unit: Metres per model unit.
    """
    return FrontLayout(
        layout.index,
        layout.name,
        layout.kind,
        layout.region,
        tuple(front.scaled(unit) for front in fronts),
        bool(facts["mirror"]),
        layout.tip_size,
        layout.rings,
        layout.clearance,
        layout.stations,
        _scaled_boundary(facts, unit),
    )
