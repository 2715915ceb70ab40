"""Where each built-in kind of crack lies in its geometry, clipped to the modelled part.

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
with ``symmetry: full`` the crack lies inside the body and Gmsh's Crack plugin splits it.

Symmetry: a crack on a mirror line of the model (y = 0 of a plane-strain ``half`` or an
axisymmetric ``octant``; x = 0 or y = 0 of a plane-strain ``octant``, where only a centre crack
fits) is a free part of that line, and the modelled half carries half of G (symmetry factor
2). A crack off the mirror lines would be mirrored into more cracks: an input error.
"""

from __future__ import annotations

import math
from dataclasses import replace

from femsi.cracks.layout import DEFAULT_STATIONS, CrackLayout, Point, TipLayout
from femsi.errors import InputError

#: The region each built-in kind cuts.
REGION_OF = {
    "edge": "particle",
    "centre": "particle",
    "coating": "coating",
    "electrolyte": "matrix",
    "channel": "film",
}
#: The kinds a 3D study can hold.
KINDS_3D = ("centre", "edge", "tagged")
_TOL = 1e-9


def _unit(angle: float) -> Point:
    return (math.cos(angle), math.sin(angle))


def _at(e: Point, r: float) -> Point:
    return (r * e[0], r * e[1])


def builtin_layout(index: int, crack, geometry) -> CrackLayout:
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
        return replace(layout, start=(0.0, 0.0), end=tip.point, tips=(tip,), mirror_axis=2)
    x, y = layout.start
    norm = math.hypot(x, y)
    if not (abs(y) < _TOL * norm and x > 0) and not (abs(x) < _TOL * norm and y > 0):
        raise InputError(
            f"{field}.angle",
            "symmetry: octant mirrors the body at x = 0, y = 0 and z = 0, which would copy this "
            "crack: centre it on a mirror (angle 0 or 90 deg) or use symmetry: full",
        )
    return replace(layout, mirror_axis=2)


def crack_disc(layout: CrackLayout) -> tuple[tuple[float, float], float]:
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
        return replace(layout, start=start, tips=tips, open_ends=tuple(opens), mirror_axis=mirror)
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
        return replace(layout, mirror_axis=1)
    # A plane-strain octant (the quarter x, y >= 0) mirrors at both axes: only a centre crack
    # on one of them is its own mirror image.
    if layout.kind != "centre" or not (on_x_axis or on_y_axis):
        raise InputError(
            "geometry.symmetry",
            f"symmetry: octant mirrors the section at x = 0 and y = 0, which would copy crack "
            f"{layout.name!r} into several: use symmetry: full (or half for a crack on y = 0)",
        )
    tip = next(t for t in layout.tips if min(t.point) > -_TOL * norm)
    return replace(
        layout, start=(0.0, 0.0), end=tip.point, tips=(tip,), mirror_axis=1 if on_x_axis else 0
    )
