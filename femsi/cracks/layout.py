"""Where the cracks of a study lie, and the checks that keep their G meaningful.

Pure geometry on the validated config, before any mesh exists. Each entry of ``cracks:``
becomes a :class:`CrackLayout`: its segment in the modelled 2D section, its tips with the
direction each would grow, the region (material) it cuts, the rings of the domain integral,
and whether it lies on a mirror line of the model. The geometry builders mesh these segments;
the loader calls :func:`crack_layouts` so that bad cracks are input errors before anything is
solved: a crack outside the body, longer than its particle, coating, matrix or film allows, a
kind the geometry cannot hold, a tip element too coarse for the rings, rings that would leave
the cracked material (the domain integral is path independent only inside one homogeneous
elastic material, away from other boundaries), and cracks in plastic regions (J is no fracture
parameter where the material flows).

Kinds, in the x-y plane of the section (φ = ``angle``, e = (cos φ, sin φ), R the particle
radius, L = ``length``):

- ``edge``: from the free surface R e inward to the tip (R − L) e (sphere, hollow_sphere);
- ``centre``: from −(L/2) e to (L/2) e through the particle's centre, two tips (sphere,
  core_shell, particle_in_matrix); in axisymmetry a penny crack of diameter L;
- ``coating``: from the coating's outer surface b e (b = R + coating_thickness) inward to
  (b − L) e (core_shell);
- ``electrolyte``: in the matrix from the particle surface R e outward to (R + L) e
  (particle_in_matrix); the crack ends on the (intact) particle, so its root is closed;
- ``channel``: the film's through-thickness crack on x = 0, from the top to the film-substrate
  interface (film, a plane-strain strip whose x = 0 and x = width walls are mirror lines: a
  row of channel cracks 2 × width apart);
- ``tagged``: a curve of a 2D mesh file (its tips are found on the mesh).

Axisymmetric cracks lie in the equatorial plane (φ = 0): ring cracks, and the penny crack.

3D studies (``geometry.dimension: 3``) hold planar cracks in the plane z = 0, described by the
same layout in that plane (the x-y coordinates of its diameter through the crack's centre):

- ``centre``: a penny crack of radius L/2 centred at the particle's centre (φ = 0 only);
- ``edge``: a semicircular surface crack, the disc of radius L centred at the surface point
  R e, cut by the particle's surface: its deepest point is (R − L) e;
- ``tagged``: a surface of a 3D mesh file (its front is found on the mesh:
  :mod:`femsi.cracks.fronts`).

An ``octant`` model's mirror z = 0 holds the crack (symmetry factor 2), which its mirrors
x = 0 and y = 0 cut: a centre crack into a quarter, an edge crack at φ = 0 or 90° into a half;
with ``symmetry: full`` the crack lies inside the body and Gmsh's Crack plugin splits it. After
meshing each 3D crack becomes a :class:`FrontLayout`: its fronts (ordered polylines with their
advance directions), the rings, and the number of stations where G is evaluated.

Symmetry: a crack on a mirror line of the model (y = 0 of a plane-strain ``half`` or an
axisymmetric ``octant``; x = 0 or y = 0 of a plane-strain ``octant``, where only a centre crack
fits) is a free part of that line, and the modelled half carries half of G (symmetry factor
2). A crack off the mirror lines would be mirrored into more cracks: an input error.

Rings: n = ``rings`` rings with outer radii r₂ = r (k + 1)/(n + 1), k = 1 … n, and inner
radii r₁ = r₂/2 (q = 1 inside r₁, 0 outside r₂), r = ``ring_radius``, by default half the
distance d from the tip to the nearest boundary, interface, axis or other crack (the crack's
own faces excepted). The narrowest annulus (width r/(n + 1)) must hold two tip elements:
tip_size ≤ r/(2(n + 1)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from femsi.errors import InputError

Point = tuple[float, float]

#: The region each built-in kind cuts.
REGION_OF = {
    "edge": "particle",
    "centre": "particle",
    "coating": "coating",
    "electrolyte": "matrix",
    "channel": "film",
}
#: The geometry types that can hold each kind.
GEOMETRIES_OF = {
    "edge": ("sphere", "hollow_sphere"),
    "centre": ("sphere", "core_shell", "particle_in_matrix"),
    "coating": ("core_shell",),
    "electrolyte": ("particle_in_matrix",),
    "channel": ("film",),
    "tagged": ("mesh_file",),
}
#: The kinds a 3D study can hold.
KINDS_3D = ("centre", "edge", "tagged")
#: Default ring radius as a fraction of the distance to the nearest other boundary.
RING_FRACTION = 0.5
#: Default number of stations on each 3D crack front.
DEFAULT_STATIONS = 9
_TOL = 1e-9


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


def ring_radii(radius: float, n: int) -> tuple[tuple[float, float], ...]:
    """(r₁, r₂) of n rings whose largest outer radius is ``radius``."""
    outer = [radius * (k + 1) / (n + 1) for k in range(1, n + 1)]
    return tuple((r2 / 2, r2) for r2 in outer)


def crack_layouts(study) -> list[CrackLayout]:
    """The layouts of a study's built-in cracks (``tagged`` ones are laid out on the mesh).

    Args:
        study: The validated :class:`~femsi.config.schema.Study`.

    Raises:
        InputError: A crack that does not fit its geometry, physics or mesh sizes.
    """
    if not study.cracks:
        return []
    geometry = study.geometry
    _check_study(study)
    dimension = getattr(geometry, "dimension", 3)
    layouts: list[CrackLayout] = []
    for index, crack in enumerate(study.cracks):
        if crack.stations is not None and dimension != 3:
            raise InputError(
                f"cracks.{index}.stations", "stations are points of 3D crack fronts (dimension: 3)"
            )
        if crack.kind == "tagged":
            _check_tagged(index, crack, dimension)
            continue
        layouts.append(_layout(index, crack, geometry))
    _check_pairs(layouts, study.cracks, dimension)
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
    return [_with_rings(layout, study.cracks[layout.index], layouts) for layout in layouts]


def _check_study(study) -> None:
    """What every crack needs: mechanics, unique names, a geometry and dimension that fit."""
    geometry = study.geometry
    three_d = getattr(geometry, "dimension", 3) == 3
    names: set[str] = set()
    for index, crack in enumerate(study.cracks):
        if crack.name in names:
            raise InputError(f"cracks.{index}.name", f"two cracks are named {crack.name!r}")
        names.add(crack.name)
        allowed = GEOMETRIES_OF[crack.kind]
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


def _check_tagged(index: int, crack, dimension: int) -> None:
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


def _unit(angle: float) -> Point:
    return (math.cos(angle), math.sin(angle))


def _at(e: Point, r: float) -> Point:
    return (r * e[0], r * e[1])


def _layout(index: int, crack, geometry) -> CrackLayout:
    """The full-section segment of a built-in crack, clipped to the modelled part."""
    field = f"cracks.{index}"
    if crack.curve is not None:
        raise InputError(f"{field}.curve", "only a tagged crack names a mesh curve")
    if crack.surface is not None:
        raise InputError(f"{field}.surface", "only a tagged crack names a mesh surface")
    if crack.tip_size is None:
        raise InputError(f"{field}.tip_size", "required: the element size at the crack tips")
    if crack.kind == "channel":
        return _channel(index, crack, geometry)
    if crack.length is None:
        raise InputError(f"{field}.length", f"required for a {crack.kind} crack")
    axisymmetric = geometry.formulation == "axisymmetric"
    angle = math.remainder(crack.angle, 2 * math.pi)
    three_d = getattr(geometry, "dimension", 3) == 3
    if three_d and crack.kind == "centre" and abs(angle) > _TOL:
        raise InputError(
            f"{field}.angle",
            "a 3D centre crack is a penny crack centred in the plane z = 0: it has no angle",
        )
    if axisymmetric and abs(angle) > _TOL:
        raise InputError(
            f"{field}.angle",
            "an axisymmetric crack lies in the equatorial plane (angle 0): a ring crack, or a "
            "penny crack for kind centre",
        )
    e = _unit(0.0 if axisymmetric else angle)
    back = (-e[0], -e[1])
    L, R = crack.length, geometry.radius
    kind = crack.kind
    open_ends: list[Point] = []
    if kind == "edge":
        inner = getattr(geometry, "inner_radius", 0.0)
        what = "the particle wall" if inner else "the particle"
        if L >= R - inner:
            raise InputError(
                f"{field}.length",
                f"{L:.4g} m reaches through {what} ({R - inner:.4g} m from its surface)",
            )
        start, end = _at(e, R), _at(e, R - L)
        tips = [TipLayout(end, back, L)]
        distance = min(L, R - L - inner)
        open_ends.append(start)
    elif kind == "centre":
        a = L / 2
        if a >= R:
            raise InputError(
                f"{field}.length",
                f"{L:.4g} m is longer than the particle's diameter ({2 * R:.4g} m)",
            )
        start, end = _at(back, a), _at(e, a)
        tips = [TipLayout(end, e, L), TipLayout(start, back, L)]
        distance = min(R - a, a)
    elif kind == "coating":
        t = geometry.coating_thickness
        b = R + t
        if L >= t:
            raise InputError(
                f"{field}.length",
                f"{L:.4g} m reaches through the coating ({t:.4g} m thick); the tip must stay "
                "inside the coating",
            )
        start, end = _at(e, b), _at(e, b - L)
        tips = [TipLayout(end, back, L)]
        distance = min(L, b - L - R)
        open_ends.append(start)
    else:  # electrolyte
        start, end = _at(e, R), _at(e, R + L)
        distance = min(L, _matrix_clearance(geometry, end, axisymmetric))
        if distance <= 0:
            raise InputError(
                f"{field}.length",
                f"{L:.4g} m leaves the matrix (its tip {end} m is outside the body)",
            )
        tips = [TipLayout(end, e, L)]
    if axisymmetric:
        distance = min(distance, *(t.point[0] for t in tips if t.point[0] > 0))
    layout = CrackLayout(
        index,
        crack.name,
        kind,
        REGION_OF[kind],
        start,
        end,
        tuple(tips),
        tuple(open_ends),
        None,
        crack.tip_size,
        (),
        clearance=distance,
        stations=crack.stations or DEFAULT_STATIONS,
    )
    if three_d:
        return _clip_3d(layout, geometry, field)
    return _clip_to_model(layout, geometry, field)


def _clip_3d(layout: CrackLayout, geometry, field: str) -> CrackLayout:
    """A 3D crack in the plane z = 0: on an octant's mirror, cut by its other mirrors."""
    if geometry.symmetry == "full":
        return layout
    if layout.kind == "centre":  # the quarter x, y >= 0 of the penny crack
        (tip,) = (t for t in layout.tips if t.point[0] > 0)
        return _replace(layout, start=(0.0, 0.0), end=tip.point, tips=(tip,), mirror_axis=2)
    x, y = layout.start
    norm = math.hypot(x, y)
    if not (abs(y) < _TOL * norm and x > 0) and not (abs(x) < _TOL * norm and y > 0):
        raise InputError(
            f"{field}.angle",
            "symmetry: octant mirrors the body at x = 0, y = 0 and z = 0, which would copy this "
            "crack: centre it on a mirror (angle 0 or 90 deg) or use symmetry: full",
        )
    return _replace(layout, mirror_axis=2)


def _disc(layout: CrackLayout) -> tuple[tuple[float, float], float]:
    """Centre and radius in the plane z = 0 of a 3D built-in crack."""
    if layout.kind == "centre":
        return (0.0, 0.0), math.hypot(*layout.tips[0].point)
    return layout.start, math.hypot(
        layout.start[0] - layout.end[0], layout.start[1] - layout.end[1]
    )


def _matrix_clearance(geometry, point: Point, axisymmetric: bool) -> float:
    """Distance from a point to the matrix's outer boundary (negative outside)."""
    if geometry.matrix_shape == "sphere":
        return geometry.matrix_size - math.hypot(*point)
    s = geometry.matrix_size
    return min(s - abs(point[0]), s - abs(point[1]))


def _channel(index: int, crack, geometry) -> CrackLayout:
    field = f"cracks.{index}"
    h, t_s = geometry.thickness, geometry.substrate_thickness
    if t_s <= 0:
        raise InputError(
            "geometry.substrate_thickness",
            "a channel crack runs through a film bonded to a substrate: give its thickness",
        )
    if crack.length is not None and abs(crack.length - h) > 1e-6 * h:
        raise InputError(
            f"{field}.length",
            f"a channel crack runs through the film's thickness ({h:.4g} m): leave length out",
        )
    if abs(math.remainder(crack.angle, 2 * math.pi)) > _TOL:
        raise InputError(f"{field}.angle", "a channel crack stands upright at x = 0 (angle 0)")
    if crack.ring_radius is not None:
        raise InputError(
            f"{field}.ring_radius",
            "a channel crack's G comes from its opening profile (Beuth), not from rings",
        )
    if crack.tip_size > h / 8:
        raise InputError(
            f"{field}.tip_size",
            f"{crack.tip_size:.4g} m is too coarse for the film ({h:.4g} m thick): the crack "
            f"face needs at least 8 elements (tip_size <= {h / 8:.4g} m)",
        )
    top, interface = (0.0, t_s + h), (0.0, t_s)
    return CrackLayout(
        index,
        crack.name,
        "channel",
        "film",
        top,
        interface,
        (TipLayout(interface, (0.0, -1.0), h),),
        (),
        0,
        crack.tip_size,
        (),
        thickness=h,
    )


def _clip_to_model(layout: CrackLayout, geometry, field: str) -> CrackLayout:
    """Keep the part of the crack the model holds; a crack a mirror would copy is an error."""
    symmetry, formulation = geometry.symmetry, geometry.formulation
    if formulation == "axisymmetric":
        # The half-disc r >= 0 holds the part of the crack at r >= 0 (a penny crack's radius).
        start = (max(layout.start[0], 0.0), 0.0)
        tips = tuple(t for t in layout.tips if t.point[0] > 0)
        opens = list(layout.open_ends)
        if layout.kind == "centre":
            opens.append(start)  # the penny crack crosses the axis
        mirror = 1 if symmetry == "octant" else None
        return _replace(layout, start=start, tips=tips, open_ends=tuple(opens), mirror_axis=mirror)
    if symmetry == "full":
        return layout
    direction = (layout.end[0] - layout.start[0], layout.end[1] - layout.start[1])
    norm = math.hypot(*direction)
    along = [abs(direction[1]) < _TOL * norm, abs(direction[0]) < _TOL * norm]  # on y=0, x=0
    on_x_axis = along[0] and abs(layout.start[1]) < _TOL * norm
    on_y_axis = along[1] and abs(layout.start[0]) < _TOL * norm
    if symmetry == "half":
        if not on_x_axis:
            raise InputError(
                f"{field}.angle",
                "symmetry: half mirrors the section at y = 0, which would copy this crack: put "
                "it on the mirror line (angle 0 or 180 deg) or use symmetry: full",
            )
        return _replace(layout, mirror_axis=1)
    # A plane-strain octant (the quarter x, y >= 0) mirrors at both axes: only a centre crack
    # on one of them is its own mirror image.
    if layout.kind != "centre" or not (on_x_axis or on_y_axis):
        raise InputError(
            "geometry.symmetry",
            f"symmetry: octant mirrors the section at x = 0 and y = 0, which would copy crack "
            f"{layout.name!r} into several: use symmetry: full (or half for a crack on y = 0)",
        )
    tip = next(t for t in layout.tips if min(t.point) > -_TOL * norm)
    return _replace(
        layout, start=(0.0, 0.0), end=tip.point, tips=(tip,), mirror_axis=1 if on_x_axis else 0
    )


def _replace(layout: CrackLayout, **changes) -> CrackLayout:
    return replace(layout, **changes)


def _segment_distance(p: Point, a: Point, b: Point) -> float:
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
        _segment_distance(p, r, s),
        _segment_distance(q, r, s),
        _segment_distance(r, p, q),
        _segment_distance(s, p, q),
    )


def _check_pairs(layouts: list[CrackLayout], cracks, dimension: int = 2) -> None:
    for i, a in enumerate(layouts):
        for b in layouts[i + 1 :]:
            if dimension == 3:  # two discs in the plane z = 0
                (ca, ra), (cb, rb) = _disc(a), _disc(b)
                gap = max(0.0, math.hypot(ca[0] - cb[0], ca[1] - cb[1]) - ra - rb)
            else:
                gap = _segments_distance(a, b)
            if gap < 2 * max(a.tip_size, b.tip_size):
                raise InputError(
                    f"cracks.{b.index}",
                    f"crack {b.name!r} crosses or touches crack {a.name!r} (gap {gap:.3g} m)",
                )


def _with_rings(layout: CrackLayout, crack, layouts: list[CrackLayout]) -> CrackLayout:
    """Choose the rings of a crack and check them against its clearance and tip size."""
    if layout.kind == "channel":
        return layout
    clearance = layout.clearance
    for other in layouts:
        if other is not layout:
            for tip in layout.tips:
                clearance = min(clearance, _segment_distance(tip.point, other.start, other.end))
    rings = _choose_rings(layout.index, crack, layout.region, clearance, layout.tip_size)
    return _replace(layout, rings=rings, clearance=clearance)


def _choose_rings(
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
    return _with_rings(layout, crack, [layout])


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
    rings = _choose_rings(index, crack, region, clearance, tip_size, where="front")
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
