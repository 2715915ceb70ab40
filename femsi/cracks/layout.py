"""What a crack is to the mesh builders and the fracture outputs: its layout (data only).

A 2D crack (and a built-in 3D crack before meshing) is a :class:`CrackLayout`: its segment in
the modelled section, its tips (:class:`TipLayout`) with the direction each would grow, the
region (material) it cuts, the rings of the domain integral, and whether it lies on a mirror
line of the model. After meshing each 3D crack becomes a :class:`FrontLayout`: its fronts
(:class:`FrontLine`, ordered polylines with their advance directions, found on the mesh by
:mod:`femsi.cracks.fronts`), the rings, and the number of stations where G is evaluated.

The layouts are computed from the config by :func:`femsi.cracks.config_layouts.crack_layouts`
and completed on the mesh by :mod:`femsi.cracks.mesh_layouts`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

Point = tuple[float, float]


#: Default number of stations on each 3D crack front.
DEFAULT_STATIONS = 9


@dataclass(frozen=True)
class TipLayout:
    """A crack tip.

    Attributes:
        point: Tip position, m.
        direction: Unit direction the tip would grow in.
        straight: Length of the straight crack behind the tip, m (where the opening is read).
    """

    point: Point
    direction: Point
    straight: float = 0.0


@dataclass(frozen=True)
class CrackLayout:
    """One crack as the mesh builders and the fracture outputs need it.

    Attributes:
        index: Position in ``cracks:`` (for error fields).
        name: The crack's name (``crack.NAME.*`` columns, surface ``crack_NAME``).
        kind: ``edge``, ``centre``, ``coating``, ``electrolyte``, ``channel`` or ``tagged``.
        region: The region the crack cuts.
        start: First end of the modelled segment (the mouth of a surface crack), m.
        end: Second end, m.
        tips: The tips inside the modelled part.
        open_ends: Ends on the outer boundary or the axis, whose nodes the crack splits.
        mirror_axis: The crack lies on the model's mirror line normal to this axis (0: x = 0,
            1: y = 0), or None for a crack inside the section.
        tip_size: Element size at the tips, m.
        rings: (r₁, r₂) of each ring, m (empty for a channel crack).
        clearance: Distance from the tips to the nearest boundary, interface, axis or other
            crack (the crack's own faces excepted), m: the rings stay inside it.
        thickness: Film thickness h of a channel crack, m.
        stations: Stations on each front of a 3D crack.
    """

    index: int
    name: str
    kind: str
    region: str
    start: Point
    end: Point
    tips: tuple[TipLayout, ...]
    open_ends: tuple[Point, ...]
    mirror_axis: int | None
    tip_size: float
    rings: tuple[tuple[float, float], ...]
    clearance: float = math.inf
    thickness: float = 0.0
    stations: int = DEFAULT_STATIONS

    @property
    def symmetry_factor(self) -> float:
        """Full-body G over the G of the modelled part: 2 on a mirror line."""
        return 2.0 if self.mirror_axis is not None else 1.0

    @property
    def surface(self) -> str:
        """Name of the crack faces' facet group."""
        return f"crack_{self.name}"

    def scaled(self, factor: float) -> CrackLayout:
        """The same layout with every length divided by ``factor`` (meshing in radius units)."""

        def s(p: Point) -> Point:
            return (p[0] / factor, p[1] / factor)

        return CrackLayout(
            self.index,
            self.name,
            self.kind,
            self.region,
            s(self.start),
            s(self.end),
            tuple(TipLayout(s(t.point), t.direction, t.straight / factor) for t in self.tips),
            tuple(s(p) for p in self.open_ends),
            self.mirror_axis,
            self.tip_size / factor,
            tuple((a / factor, b / factor) for a, b in self.rings),
            self.clearance / factor,
            self.thickness / factor,
            self.stations,
        )


@dataclass(frozen=True)
class FrontLine:
    """One front of a 3D crack: an ordered polyline of mesh nodes.

    Attributes:
        points: Front points in order, m × 3 (a closed front does not repeat its first).
        normals: Unit crack-advance directions at the points (in the crack plane, normal to
            the front, away from the crack), m × 3.
        binormals: Unit normals of the crack plane at the points, m × 3 (into the body for a
            crack on a mirror plane).
        closed: The front is a closed loop (an embedded penny crack's rim).
        free_ends: Whether the first and the last point lie on a boundary that is no mirror
            plane (a free or loaded surface): their stations carry the surface's vertex
            singularity and are left out of G_max and the front mean.
    """

    points: np.ndarray
    normals: np.ndarray
    binormals: np.ndarray
    closed: bool = False
    free_ends: tuple[bool, bool] = (False, False)

    def scaled(self, unit: float) -> FrontLine:
        """The same front with coordinates multiplied by ``unit``."""
        return replace(self, points=self.points * unit)

    @property
    def length(self) -> float:
        """Arc length of the front (a closed one including its closing segment)."""
        points = np.vstack([self.points, self.points[:1]]) if self.closed else self.points
        return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


@dataclass(frozen=True)
class FrontLayout:
    """A 3D crack as the fracture outputs need it (found on the mesh, SI).

    Attributes:
        index: Position in ``cracks:``.
        name: The crack's name.
        kind: ``centre``, ``edge`` or ``tagged``.
        region: The region the crack lies in.
        fronts: Its fronts.
        mirror: The crack is a free part of a mirror plane of the model: the modelled half
            carries half of G (symmetry factor 2).
        tip_size: Element size at the front, m.
        rings: (r₁, r₂) distances from the front of each ring, m.
        clearance: Distance from the front to the nearest boundary, interface or other crack
            (the crack's own plane and the surfaces its front ends on excepted), and at most
            the crack's depth, m.
        stations: Number of stations on each front.
        boundary: The body's boundary near the front: points (k × 3, m) and the directions
            normal to the boundary there (k × 3 × 3, zero rows when fewer than three), along
            which the virtual crack advance θ must vanish.
    """

    index: int
    name: str
    kind: str
    region: str
    fronts: tuple[FrontLine, ...]
    mirror: bool
    tip_size: float
    rings: tuple[tuple[float, float], ...]
    clearance: float
    stations: int
    boundary: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def symmetry_factor(self) -> float:
        """Full-body G over the G of the modelled part: 2 on a mirror plane."""
        return 2.0 if self.mirror else 1.0

    @property
    def surface(self) -> str:
        """Name of the crack faces' facet group."""
        return f"crack_{self.name}"
