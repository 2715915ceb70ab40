"""Probe points that follow the geometry: names, fractions, or absolute coordinates.

A probe is given as

- a point (``[1 um, 0, 0]``; 2D sections take ``[x, y]``): absolute, as before;
- a name of the geometry (``surface``, ``centre``, ``interface``, ...: :func:`named_points`);
- ``{fraction: [fx, fy, fz]}``: coordinates in units of the geometry (the radius of a
  particle; the width, depth and total thickness of a film along x, y, z).

Names and fractions are resolved when the study is loaded, so a probe stays where it is meant
to be when ``--set geometry.radius=...`` or a sweep changes the size; ``config.yaml`` records
the absolute point.
"""

from __future__ import annotations

from femsi.errors import InputError

PARTICLES = ("sphere", "core_shell", "hollow_sphere", "particle_in_matrix")


def named_points(geometry) -> dict[str, tuple[float, ...]]:
    """The named points of a geometry (empty for a mesh file or a packed electrode)."""
    dimension = getattr(geometry, "dimension", 3)

    def at(*xyz: float) -> tuple[float, ...]:
        return tuple(xyz[:dimension]) if dimension == 2 else tuple(xyz)

    kind = geometry.type
    if kind in PARTICLES:
        r = geometry.radius
        points = {"centre": at(0.0, 0.0, 0.0), "surface": at(r, 0.0, 0.0)}
        if kind == "core_shell":
            t = geometry.coating_thickness
            points |= {"interface": at(r, 0.0, 0.0), "coating_surface": at(r + t, 0.0, 0.0)}
        if kind == "hollow_sphere":
            inner = geometry.inner_radius
            del points["centre"]
            points |= {
                "inner_surface": at(inner, 0.0, 0.0),
                "mid_wall": at((inner + r) / 2, 0.0, 0.0),
            }
        if kind == "particle_in_matrix":
            points |= {
                "interface": at(r, 0.0, 0.0),
                "matrix_surface": at(geometry.matrix_size, 0, 0),
            }
        return points
    if kind == "film":
        w, h_f, h_s = geometry.width, geometry.thickness, geometry.substrate_thickness
        if dimension == 2:
            return {
                "top": (w / 2, h_s + h_f),
                "film_centre": (w / 2, h_s + h_f / 2),
                "interface": (w / 2, h_s),
                "bottom": (w / 2, 0.0),
            }
        d = getattr(geometry, "depth", None) or w
        return {
            "top": (w / 2, d / 2, h_s + h_f),
            "film_centre": (w / 2, d / 2, h_s + h_f / 2),
            "interface": (w / 2, d / 2, h_s),
            "bottom": (w / 2, d / 2, 0.0),
        }
    return {}


def _units(geometry) -> tuple[float, ...] | None:
    """The length of one unit along x, y, z of ``{fraction: ...}``, or None."""
    if geometry.type in PARTICLES:
        return (geometry.radius,) * 3
    if geometry.type == "film":
        height = geometry.thickness + geometry.substrate_thickness
        if getattr(geometry, "dimension", 3) == 2:
            return (geometry.width, height, height)
        return (geometry.width, getattr(geometry, "depth", None) or geometry.width, height)
    return None


def resolve_probes(geometry, probes: dict) -> dict[str, tuple[float, ...]]:
    """Every probe as an absolute point.

    Raises:
        InputError: A name the geometry does not have, or fractions without a unit.
    """
    resolved = {}
    for name, spec in probes.items():
        where = f"outputs.probes.{name}"
        if isinstance(spec, str):
            points = named_points(geometry)
            if spec not in points:
                raise InputError(
                    where,
                    f"{geometry.type} has no point named {spec!r}"
                    + (f" (it has: {', '.join(points)})" if points else " (give coordinates)"),
                )
            resolved[name] = points[spec]
        elif isinstance(spec, tuple):
            resolved[name] = spec
        else:  # {fraction: [...]}
            units = _units(geometry)
            if units is None:
                raise InputError(where, f"{geometry.type} has no unit length: give coordinates")
            resolved[name] = tuple(f * u for f, u in zip(spec.fraction, units, strict=False))
    return resolved
