"""The geometry families: one declaration per ``geometry.type``, read wherever a family matters.

A :class:`Family` holds what the config checks, the crack layouts, the critical-size sweep and
the mesh builders need to know about one geometry type: its schema class (its YAML keys), the
regions and surfaces it builds, whether it has 2D sections, the crack kinds it holds, whether it
stands in a die (the ``cell`` section), whether it is one particle with a radius, which of its
regions may store lithium, and the function that meshes it. Adding a family is one entry in
:data:`FAMILIES` (and its class in the schema's ``Geometry`` union).

No Gmsh, no DOLFINx: the config reads the families before anything is meshed, and each builder
imports its meshing modules when it runs.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from femsi.config.schema import (
    CoreShellGeometry,
    ElectrodeGeometry,
    FilmGeometry,
    HollowSphereGeometry,
    MeshFileGeometry,
    ParticleInMatrixGeometry,
    RveGeometry,
    SphereGeometry,
)

#: Builder signature: (geometry, comm, crack layouts, tagged cracks, plastic regions) → MeshModel.
Builder = Callable[..., object]


def _particle(geometry, comm, cracks, tagged, plastic_regions):
    from femsi.geometry.particle_mesh import build_particle_mesh

    return build_particle_mesh(geometry, comm, cracks)


def _film(geometry, comm, cracks, tagged, plastic_regions):
    if cracks:  # a channel crack: the strip meshed by Gmsh around its tip
        from femsi.cracks.channel_film import build_channel_film

        return build_channel_film(geometry, cracks[0], comm)
    from femsi.geometry.film import build_film

    return build_film(geometry, comm)


def _mesh_file(geometry, comm, cracks, tagged, plastic_regions):
    from femsi.geometry.mesh_file import read_mesh_file

    return read_mesh_file(geometry, comm, tagged, plastic_regions)


def _packed(geometry, comm, cracks, tagged, plastic_regions):
    from femsi.geometry.packed_mesh import build_packed_mesh

    return build_packed_mesh(geometry, comm)


def _film_regions(geometry) -> dict[str, bool]:
    return {"substrate": geometry.substrate_thickness > 0}


def _electrode_regions(geometry) -> dict[str, bool]:
    return {
        "separator": geometry.separator_thickness > 0,
        "current_collector": geometry.current_collector_thickness > 0,
        "inert": geometry.inert is not None,
    }


@dataclass(frozen=True)
class Family:
    """One geometry type.

    Attributes:
        type: The ``geometry.type`` in the YAML file.
        schema: Its section class in :mod:`femsi.config.schema` (its keys and defaults).
        build: Its mesh builder, called as ``build(geometry, comm, cracks, tagged,
            plastic_regions)`` by :func:`femsi.geometry.build_mesh`.
        regions: Every region it may build (each needs a material), or None: the user's mesh
            names them.
        surfaces: Every named surface it may build (besides ``crack_NAME`` of its cracks), or
            None: the user's mesh names them.
        sections: It has 2D models (``dimension: 2`` with a ``formulation``).
        crack_kinds: The kinds of ``cracks:`` it holds.
        cell: It stands in a die and may carry a pressure plate (the ``cell`` section).
        single_particle: One particle with a ``radius`` (what ``femsi critical-size`` sweeps).
        active_regions: The regions that may store lithium, or None: any.
        optional: Which of its regions its options build (region to present), None: all.
    """

    type: str
    schema: builtins.type  # ``type`` is the field above in this class's scope
    build: Builder
    regions: tuple[str, ...] | None
    surfaces: tuple[str, ...] | None
    sections: bool = False
    crack_kinds: tuple[str, ...] = ()
    cell: bool = False
    single_particle: bool = False
    active_regions: tuple[str, ...] | None = None
    optional: Callable[[object], dict[str, bool]] | None = None

    def regions_of(self, geometry) -> tuple[str, ...]:
        """The regions this geometry section builds with its options (each needs a material)."""
        regions = self.regions or ()
        if self.optional is None:
            return regions
        present = self.optional(geometry)
        return tuple(r for r in regions if present.get(r, True))


_MIRRORS = ("symmetry_x", "symmetry_y", "symmetry_z")
_BOX = ("bottom", "top", "side_x0", "side_x1", "side_y0", "side_y1")


class _ParticleOptions(TypedDict):
    """The options every single-particle family shares."""

    build: Builder
    sections: bool
    single_particle: bool
    active_regions: tuple[str, ...]


_PARTICLE: _ParticleOptions = {
    "build": _particle,
    "sections": True,
    "single_particle": True,
    "active_regions": ("particle",),
}

#: The families, in the order of the schema's ``Geometry`` union.
FAMILIES: dict[str, Family] = {
    f.type: f
    for f in (
        Family(
            "sphere",
            SphereGeometry,
            regions=("particle",),
            surfaces=("particle_surface", *_MIRRORS),
            crack_kinds=("edge", "centre"),
            **_PARTICLE,
        ),
        Family(
            "core_shell",
            CoreShellGeometry,
            regions=("particle", "coating"),
            surfaces=("particle_surface", "outer_surface", *_MIRRORS),
            crack_kinds=("centre", "coating"),
            **_PARTICLE,
        ),
        Family(
            "hollow_sphere",
            HollowSphereGeometry,
            regions=("particle",),
            surfaces=("particle_surface", "inner_surface", *_MIRRORS),
            crack_kinds=("edge",),
            **_PARTICLE,
        ),
        Family(
            "particle_in_matrix",
            ParticleInMatrixGeometry,
            regions=("particle", "matrix"),
            surfaces=("particle_surface", "outer_surface", *_MIRRORS),
            crack_kinds=("centre", "electrolyte"),
            **_PARTICLE,
        ),
        Family(
            "film",
            FilmGeometry,
            _film,
            regions=("film", "substrate"),
            surfaces=(*_BOX, "film_bottom"),
            sections=True,
            crack_kinds=("channel",),
            cell=True,
            optional=_film_regions,
        ),
        Family(
            "mesh_file",
            MeshFileGeometry,
            _mesh_file,
            regions=None,
            surfaces=None,
            sections=True,
            crack_kinds=("tagged",),
        ),
        Family(
            "electrode",
            ElectrodeGeometry,
            _packed,
            regions=("particle", "matrix", "separator", "current_collector", "inert"),
            surfaces=(
                *_BOX,
                "electrode_bottom",
                "electrode_top",
                "particle_surface",
                "inert_surface",
            ),
            cell=True,
            active_regions=("particle",),
            optional=_electrode_regions,
        ),
        Family(
            "rve",
            RveGeometry,
            _packed,
            regions=("particle", "matrix"),
            surfaces=(*_BOX, "particle_surface"),
            cell=True,
            active_regions=("particle",),
        ),
    )
}


def family_of(geometry) -> Family:
    """The family of a validated geometry section."""
    return FAMILIES[geometry.type]


def types_where(fact: Callable[[Family], bool]) -> tuple[str, ...]:
    """The geometry types whose family has a fact, in the order of :data:`FAMILIES`."""
    return tuple(name for name, family in FAMILIES.items() if fact(family))
