"""Guards on a study's mesh and elements, checked at load: too coarse, too fine, locking.

- **Too coarse**: fewer than :data:`WARN_ELEMENTS` elements through the smallest feature (the
  radius of a particle, a coating, a shell, a film) resolve neither the concentration nor the
  stress (one element through the radius ran 15-22 % low on capacity with a negative centre
  concentration): a loud warning with the numbers.
- **Too fine for the machine**: the cells of a built-in geometry are estimated before meshing
  from its volume and mesh sizes (a regular tetrahedron of edge h has volume h³/(6√2); a
  triangle √3 h²/4); beyond :data:`MAX_CELLS` the study is refused unless ``--force``.
- **Locking**: small-strain P1 displacements lock near incompressibility (ν = 0.4999 gave
  ±3 TPa of the wrong sign): ν ≥ 0.49 with ``displacement_degree: 1`` is refused, ν ≥ 0.45
  warned about; P2 (``displacement_degree: 2``) does not lock at these ν.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from femsi.config.loader import StudyConfig

#: Elements through the smallest feature below which a warning is given.
WARN_ELEMENTS = 3
#: Estimated cells above which a study needs ``--force`` (about 4 GB of memory at P2 in 3D).
MAX_CELLS = 5_000_000
#: Poisson's ratios at which P1 small-strain displacements are warned about / refused.
WARN_NU, REFUSE_NU = 0.45, 0.49
#: The most probes a study may have (each is evaluated at every step).
MAX_PROBES = 1000


def _tetrahedra(volume: float, h: float) -> float:
    """Regular tetrahedra of edge ``h`` in ``volume`` (inf, not an error, for an absurd h)."""
    return volume / h / h / h * (6 * math.sqrt(2))


def _triangles(area: float, h: float) -> float:
    """Equilateral triangles of edge ``h`` in ``area``."""
    return area / h / h * (4 / math.sqrt(3))


def _packed_cells(geometry) -> float:
    """Cells of a packed electrode or RVE: matrix, particles and their refined surface layer."""
    if geometry.type == "rve":
        box = geometry.size**3
        if geometry.particles is not None:
            particles = geometry.particles * 4 / 3 * math.pi * geometry.radius.mean**3
        else:
            particles = geometry.volume_fraction * box
    else:
        box = geometry.width * geometry.y_size * geometry.height
        layer = geometry.width * geometry.y_size * geometry.electrode_thickness
        fraction = geometry.volume_fraction + (geometry.inert.volume_fraction
                                               if geometry.inert else 0.0)  # fmt: skip
        particles = fraction * layer
    surface = 3 * particles / geometry.radius.mean  # the area of spheres of this volume
    h_in, h_surface = geometry.particle_h, geometry.interface_h
    return (
        _tetrahedra(max(box - particles, 0.0), geometry.mesh_size)
        + _tetrahedra(particles, h_in)
        + _tetrahedra(surface * h_surface, h_surface)
    )


def estimated_cells(geometry) -> float | None:
    """Cells Gmsh will make for a built-in geometry, before meshing (None if unknown)."""
    if geometry.type in ("electrode", "rve"):
        return _packed_cells(geometry)
    h = getattr(geometry, "mesh_size", None)
    if h is None or geometry.type not in ("sphere", "core_shell", "hollow_sphere",
                                          "particle_in_matrix", "film"):  # fmt: skip
        return None
    dimension = getattr(geometry, "dimension", 3)
    if geometry.type == "film":
        height = geometry.thickness + geometry.substrate_thickness
        width = geometry.width
        if dimension == 2:
            return _triangles(width * height, h)
        depth = getattr(geometry, "depth", None) or width
        return _tetrahedra(width * depth * height, h)
    outer = geometry.radius
    if geometry.type == "core_shell":
        outer = geometry.radius + geometry.coating_thickness
    if geometry.type == "particle_in_matrix":
        outer = geometry.matrix_size
    fraction = {"octant": 1 / 8, "half": 1 / 2}.get(getattr(geometry, "symmetry", "full"), 1.0)
    surface = getattr(geometry, "surface_mesh_size", None) or h
    if dimension == 2:  # a quarter or half disc (the axisymmetric or plane-strain section)
        area = math.pi * outer**2 * (1 / 4 if fraction == 1 / 8 else fraction)
        cells = _triangles(area, h)
        cells += _triangles(math.pi * geometry.radius * surface, surface)
        return cells
    volume = 4 / 3 * math.pi * outer**3 * fraction
    cells = _tetrahedra(volume, h)
    layer = 4 * math.pi * geometry.radius**2 * fraction * surface  # the refined surface layer
    cells += _tetrahedra(layer, surface)
    return cells


def mesh_warnings(geometry) -> list[str]:
    """Warnings of a mesh too coarse to mean anything."""
    if geometry.type in ("electrode", "rve"):  # the particles are the smallest feature
        h = geometry.particle_h
        radius = geometry.radius
        size = min(radius.values) if radius.distribution == "list" else radius.mean
        name = "particle_mesh_size" if geometry.particle_mesh_size else "mesh_size"
    else:
        h = getattr(geometry, "mesh_size", None)
        feature = getattr(geometry, "smallest_feature", None)
        if h is None or feature is None:
            return []
        try:
            size = feature()
        except NotImplementedError:
            return []
        name = "mesh_size"
    elements = size / h
    if elements >= WARN_ELEMENTS:
        return []
    return [
        f"geometry.{name}: {h:.3g} m leaves {elements:.2g} elements through the smallest "
        f"feature ({size:.3g} m); concentration and stress are not resolved below "
        f"{WARN_ELEMENTS}: use {name} {size / 4:.3g} m or less"
    ]


def check_elements(study, materials: dict) -> list[str]:
    """Refuse P1 locking and too many probes; the warnings of a study.

    Raises:
        InputError: ν ≥ 0.49 with small-strain P1 displacements, or more than
            :data:`MAX_PROBES` probes.
    """
    from femsi.errors import InputError

    warnings = mesh_warnings(study.geometry)
    physics = study.physics
    if physics.mechanics != "none" and physics.displacement_degree == 1:
        for region, material in materials.items():
            nu = material.poissons_ratio
            if nu >= REFUSE_NU:
                raise InputError(
                    f"materials.{region}.poissons_ratio",
                    f"{nu:g} is nearly incompressible: P1 displacements lock (the stresses come "
                    "out wrong by orders of magnitude); use physics.displacement_degree: 2",
                )
            if nu >= WARN_NU:
                warnings.append(
                    f"materials.{region}.poissons_ratio: {nu:g} with P1 displacements may "
                    "lock; physics.displacement_degree: 2 does not"
                )
    if len(study.outputs.probes) > MAX_PROBES:
        raise InputError(
            "outputs.probes",
            f"{len(study.outputs.probes)} probes; at most {MAX_PROBES} (each is evaluated at "
            "every step): write the fields (outputs.fields) instead",
        )
    return warnings


def check_size(
    config: StudyConfig, force: bool, remedy: str = "pass --force to mesh it anyway"
) -> None:
    """Refuse a mesh estimated too large for the machine, unless ``force``.

    Args:
        config: The loaded study.
        force: Accept any size.
        remedy: What the message offers besides a coarser mesh.

    Raises:
        InputError: More than :data:`MAX_CELLS` estimated cells and no ``force``.
    """
    from femsi.errors import InputError

    cells = estimated_cells(config.study.geometry)
    if cells is not None and cells > MAX_CELLS and not force:
        raise InputError(
            "geometry.mesh_size",
            f"about {cells:.2g} cells estimated (more than {MAX_CELLS:.0e}, several GB and "
            f"hours on one machine): coarsen mesh_size, or {remedy}",
        )
