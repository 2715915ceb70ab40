"""The mesh with its named regions and surfaces, as every later stage sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401


def ghosted_partitioner():
    """Cell partitioner that ghosts cells across process boundaries (shared facets).

    Interface fluxes are integrals over interior facets (``dS``); DOLFINx can integrate an
    interior facet on a process boundary only when both of its cells are present.
    """
    return dmesh.create_cell_partitioner(dmesh.GhostMode.shared_facet, 2)


@dataclass
class MeshModel:
    """A distributed mesh with named cell regions and facet groups.

    Attributes:
        mesh: The DOLFINx mesh (SI coordinates).
        cell_tags: Region tag of every cell.
        facet_tags: Surface tag of tagged facets (interior and exterior).
        regions: Region name (``particle``, ``coating``, ``matrix``) to cell tag.
        surfaces: Surface name to facet tag.
        active_surfaces: Names of the surfaces lithium crosses (galvanostatic flux, held
            concentration).
        fixed_surfaces: Names of surfaces with zero displacement.
        pressure_surfaces: Names of surfaces loaded by ``outer_pressure``.
        symmetry: Axis index (0, 1, 2) to the name of the symmetry plane normal to it.
        outer_pressure: Pressure on ``pressure_surfaces``, Pa.
        volume_scale: Full body over modelled part (8 for an octant), for reports.
        rollers: Surface name to the axis (0, 1, 2) of the displacement component held at
            zero there: die walls and die floor, which the body may slide along.
        plate: The surface a rigid pressure plate presses on (its outward normal is +z, or +y
            in a 2D section: :attr:`thickness_axis`), or None for bodies without a plate.
        layer_interfaces: Names of the (interior) surfaces bounding the electrode layer from
            below and above, whose mean z displacements give the electrode thickness change.
        layer_thickness: Initial thickness of that layer, m.
        info: Facts about how the geometry was made (packing, meshing time, cache), for the
            summary and manifest.
        formulation: ``3d``, or the 2D cross-section's ``plane_strain`` or ``axisymmetric``
            (x = r, y = z; integrals carry 2πr).
        cracks: The cracks meshed into the body (:class:`femsi.cracks.layout.CrackLayout`,
            SI), their faces the facet groups ``crack_NAME``.
    """

    mesh: dmesh.Mesh
    cell_tags: dmesh.MeshTags
    facet_tags: dmesh.MeshTags
    regions: dict[str, int]
    surfaces: dict[str, int]
    active_surfaces: list[str] = field(default_factory=list)
    fixed_surfaces: list[str] = field(default_factory=list)
    pressure_surfaces: list[str] = field(default_factory=list)
    symmetry: dict[int, str] = field(default_factory=dict)
    outer_pressure: float = 0.0
    volume_scale: float = 1.0
    rollers: dict[str, int] = field(default_factory=dict)
    plate: str | None = None
    layer_interfaces: tuple[str, str] | None = None
    layer_thickness: float = 0.0
    info: dict = field(default_factory=dict)
    formulation: str = "3d"
    cracks: list = field(default_factory=list)

    @classmethod
    def of_particle(
        cls,
        geometry,
        data,
        regions: dict[str, int],
        surfaces: dict[str, int],
        roles: dict,
        symmetry: dict[int, str],
        volume_scale: float,
        formulation: str = "3d",
    ) -> MeshModel:
        """The model of a spherical-family body (sphere, core-shell, hollow, in a matrix).

        Args:
            geometry: Its geometry section (``outer_boundary``, ``outer_pressure``).
            data: The distributed mesh with cell and facet tags (DOLFINx ``MeshData``).
            regions: Region name to cell tag.
            surfaces: Surface name to facet tag.
            roles: The builder's ``active`` and ``outer`` surface names.
            symmetry: Axis to the name of its symmetry plane (or line).
            volume_scale: Full body over the modelled part.
            formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
        """
        outer, boundary = roles["outer"], geometry.outer_boundary
        return cls(
            mesh=data.mesh,
            cell_tags=data.cell_tags,
            facet_tags=data.facet_tags,
            regions=regions,
            surfaces=surfaces,
            active_surfaces=roles["active"],
            fixed_surfaces=outer if boundary == "fixed" else [],
            pressure_surfaces=outer if boundary == "pressure" else [],
            symmetry=symmetry,
            outer_pressure=geometry.outer_pressure,
            volume_scale=volume_scale,
            formulation=formulation,
        )

    def cells_of(self, region: str) -> np.ndarray:
        """Local cell indices (owned and ghost) of a region."""
        return self.cell_tags.find(self.regions[region])

    def facets_of(self, surface: str) -> np.ndarray:
        """Local facet indices of a named surface."""
        return self.facet_tags.find(self.surfaces[surface])

    @property
    def thickness_axis(self) -> int:
        """The axis normal to a layered body's layers and plate: z (2), or y (1) in 2D.

        A 2D layered section (the plane-strain film strip) is meshed in the x-y plane with y
        the thickness direction; the last coordinate is the thickness axis in both cases.
        """
        return self.mesh.geometry.dim - 1

    @property
    def is_constrained(self) -> bool:
        """Whether boundary conditions remove all rigid-body motion."""
        held = set(self.symmetry) | set(self.rollers.values())
        return bool(self.fixed_surfaces) or held == set(range(self.mesh.geometry.dim))
