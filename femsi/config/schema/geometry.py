"""The ``geometry`` section: every geometry family's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from femsi.config.schema.quantities import (
    NonNegativeLength,
    PositiveLength,
    Pressure,
    Section,
    _quantity,
)

# --------------------------------------------------------------------------- geometry


class _ParticleGeometry(Section):
    """Common fields of the spherical family.

    ``dimension: 2`` models a cross-section with ``formulation``: ``axisymmetric`` (the body of
    revolution about the y axis, meshed in the half plane x = r >= 0: a sphere is a half-disc)
    or ``plane_strain`` (a long body along z: a sphere's cross-section is a disc, a nanowire).
    ``symmetry: octant`` then keeps the quarter x, y >= 0 (the z = 0 mirror plane of an
    axisymmetric body; the two symmetry lines of a plane-strain disc), and ``symmetry: half``
    (plane strain only) the half y >= 0 with the one mirror line y = 0, for a body whose
    cracks lie on that line.
    """

    symmetry: Literal["full", "octant", "half"] = Field(
        default="octant",
        description=(
            "`octant`: the 1/8 model x, y, z ≥ 0 with symmetry planes (2D: the quarter x, y ≥ 0); "
            "`full`: the whole body, rigid-body motion removed by point constraints; `half` (2D "
            "plane strain only): the half y ≥ 0 with the mirror line y = 0"
        ),
    )
    mesh_size: PositiveLength = Field(
        description="target element size; an error if larger than the smallest feature"
    )
    surface_mesh_size: PositiveLength | None = Field(
        default=None,
        description=(
            "finer element size at the particle surface, graded over 0.3 radius; null: mesh_size"
        ),
    )
    outer_boundary: Literal["free", "fixed", "pressure"] = Field(
        default="free",
        description=(
            "the outermost surface: `free`, `fixed` (zero displacement) or `pressure` "
            "(outer_pressure)"
        ),
    )
    outer_pressure: Pressure = Field(
        default=0.0,
        description=(
            "pressure on the outermost surface with outer_boundary: pressure (a follower load at "
            "finite strain)"
        ),
    )
    dimension: Literal[2, 3] = Field(
        default=3, description="3: a solid model; 2: a cross-section with formulation"
    )
    formulation: Literal["axisymmetric", "plane_strain"] | None = Field(
        default=None,
        description=(
            "2D only: `axisymmetric` (a body of revolution, x = r, y = z) or `plane_strain` (a "
            "long body along z, e.g. a nanowire)"
        ),
    )

    @model_validator(mode="after")
    def _pressure_needs_pressure_boundary(self):
        if self.outer_pressure != 0.0 and self.outer_boundary != "pressure":
            raise ValueError("outer_pressure is set but outer_boundary is not 'pressure'")
        return self

    def smallest_feature(self) -> float:
        """The smallest length the mesh must resolve."""
        raise NotImplementedError


class SphereGeometry(_ParticleGeometry):
    """A solid spherical particle of radius ``radius``."""

    type: Literal["sphere"] = Field(description="geometry family: a solid sphere (region particle)")
    radius: PositiveLength = Field(description="particle radius (the stress-free reference state)")

    def smallest_feature(self) -> float:  # noqa: D102
        return self.radius


class CoreShellGeometry(_ParticleGeometry):
    """A spherical particle (``particle``) inside a bonded coating (``coating``)."""

    type: Literal["core_shell"] = Field(description="geometry family: a sphere in a bonded coating")
    radius: PositiveLength = Field(description="radius of the core (region particle)")
    coating_thickness: PositiveLength = Field(
        description="thickness of the coating (region coating)"
    )

    def smallest_feature(self) -> float:  # noqa: D102
        return min(self.radius, self.coating_thickness)


class HollowSphereGeometry(_ParticleGeometry):
    """A hollow spherical particle; lithium enters through the outer surface."""

    type: Literal["hollow_sphere"] = Field(description="geometry family: a hollow sphere")
    radius: PositiveLength = Field(
        description="outer radius; lithium enters through the outer surface"
    )
    inner_radius: PositiveLength = Field(description="radius of the cavity (a free surface)")

    @model_validator(mode="after")
    def _inner_inside(self):
        if self.inner_radius >= self.radius:
            raise ValueError("inner_radius must be smaller than radius")
        return self

    def smallest_feature(self) -> float:  # noqa: D102
        return self.radius - self.inner_radius


class ParticleInMatrixGeometry(_ParticleGeometry):
    """A spherical particle inside a solid-electrolyte matrix (sphere or cube)."""

    type: Literal["particle_in_matrix"] = Field(
        description="geometry family: a sphere in a solid-electrolyte matrix"
    )
    radius: PositiveLength = Field(description="particle radius")
    matrix_shape: Literal["sphere", "cube"] = Field(
        default="sphere", description="shape of the matrix (region matrix): `sphere` or `cube`"
    )
    matrix_size: PositiveLength = Field(description="outer radius (sphere) or half edge (cube)")
    matrix_mesh_size: PositiveLength | None = Field(
        default=None,
        description=(
            "element size at the matrix's outer surface, growing linearly from the particle; null:"
            " mesh_size"
        ),
    )

    @model_validator(mode="after")
    def _particle_inside(self):
        if self.matrix_size <= self.radius:
            raise ValueError("matrix_size must be larger than the particle radius")
        return self

    def smallest_feature(self) -> float:  # noqa: D102
        return min(self.radius, self.matrix_size - self.radius)


class FilmGeometry(Section):
    """A film (``film``) on an optional substrate (``substrate``): a square box, film on top.

    x and y span ``[0, width]``; the substrate fills ``0 <= z <= substrate_thickness`` and the
    film the ``thickness`` above it. Lithium enters through the film's top surface (``top``).
    ``dimension: 2`` with ``formulation: plane_strain`` models the x-y section of a strip
    (y the thickness direction, ε_zz = 0 along the strip).
    The side faces (``side_x0``, ``side_x1``, ``side_y0``, ``side_y1``) and the bottom are die
    walls and floor (see the ``cell`` section); a film bonded to a thick substrate is the
    laterally confined case.
    """

    type: Literal["film"] = Field(description="geometry family: a film on an optional substrate")
    thickness: PositiveLength = Field(description="film thickness (region film)")
    width: PositiveLength = Field(
        description="in-plane size of the square film (2D: of the strip's section)"
    )
    substrate_thickness: NonNegativeLength = Field(
        default=0.0,
        description="substrate thickness under the film (region substrate); 0: no substrate",
    )
    mesh_size: PositiveLength = Field(
        description=(
            "element size of the structured box (a node plane on the film-substrate interface)"
        )
    )
    dimension: Literal[2, 3] = Field(
        default=3,
        description="3: a box; 2: the x-y section of a strip with formulation: plane_strain",
    )
    formulation: Literal["axisymmetric", "plane_strain"] | None = Field(
        default=None, description="2D only: `plane_strain` (ε_zz = 0 along the strip)"
    )

    def smallest_feature(self) -> float:  # noqa: D102
        if self.substrate_thickness > 0:
            return min(self.thickness, self.substrate_thickness)
        return self.thickness


class MeshFileGeometry(Section):
    """A user's mesh (Gmsh .msh or any format meshio reads) with named or numbered regions.

    Regions are physical groups (cell tags) named ``particle``, ``coating``, ``matrix``, or
    mapped to them in ``regions`` (by name or number). ``active_surface`` names the surface
    lithium enters through (required when ``physics.diffusion`` is on). Without fixed or
    symmetry surfaces the body is held by rigid-body point constraints only.
    ``dimension: 2`` reads a 2D Gmsh mesh in the x-y plane (regions are surface groups,
    boundaries curve groups) with ``formulation`` as for the built-in sections.
    """

    type: Literal["mesh_file"] = Field(description="geometry family: a user's mesh file")
    path: str = Field(description="Gmsh .msh or any mesh meshio reads, relative to the YAML file")
    length_unit: PositiveLength = Field(
        default=1.0, description="unit of the mesh coordinates, e.g. `1 um`"
    )
    regions: dict[str, str | int] = Field(
        default_factory=dict,
        description=(
            "femsi region name → physical group of the mesh (name or number); groups named "
            "particle, coating, matrix are found without it"
        ),
    )
    active_surface: str | int | None = Field(
        default=None,
        description=(
            "the surface group lithium enters through (name or number); required with diffusion"
        ),
    )
    fixed_surfaces: list[str | int] = Field(
        default_factory=list, description="surface groups with zero displacement"
    )
    symmetry_surfaces: dict[Literal["x", "y", "z"], str | int] = Field(
        default_factory=dict,
        description="axis → surface group with zero normal displacement along that axis",
    )
    dimension: Literal[2, 3] = Field(
        default=3, description="3: a volume mesh; 2: a Gmsh mesh in the x-y plane"
    )
    formulation: Literal["axisymmetric", "plane_strain"] | None = Field(
        default=None, description="2D only: `axisymmetric` (x = r) or `plane_strain`"
    )

    def smallest_feature(self) -> float:  # noqa: D102
        return float("inf")


class ConstantRadius(Section):
    """Every particle has radius ``value`` (written as a bare length: ``radius: 1.5 um``)."""

    distribution: Literal["constant"] = Field(description="every particle alike")
    value: PositiveLength = Field(description="the radius of every particle")

    @property
    def mean(self) -> float:
        """Mean radius."""
        return self.value

    @property
    def largest(self) -> float:
        """Largest radius that must fit."""
        return self.value


class LognormalRadius(Section):
    """Radii from a lognormal distribution with this mean and standard deviation of the radius.

    Draws below mean - 3 std or too large to fit the box with its gaps are redrawn.
    """

    distribution: Literal["lognormal"] = Field(
        description="radii drawn from a lognormal distribution"
    )
    mean: PositiveLength = Field(description="mean of the radius")
    std: NonNegativeLength = Field(description="standard deviation of the radius")

    @property
    def largest(self) -> float:
        """Largest radius that must fit (larger draws are redrawn)."""
        return self.mean


class RadiusList(Section):
    """Particles take the radii of ``values`` in order, cycling until the fraction is reached."""

    distribution: Literal["list"] = Field(description="radii taken from a list")
    values: Annotated[list[PositiveLength], Field(min_length=1)] = Field(
        description="the radii, used in order and cycled until the volume fraction is reached"
    )

    @property
    def mean(self) -> float:
        """Mean radius of the list."""
        return sum(self.values) / len(self.values)

    @property
    def largest(self) -> float:
        """Largest radius that must fit."""
        return max(self.values)


def _bare_length_is_constant(value):
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"distribution": "constant", "value": value}
    return value


#: A particle radius: a length, or ``{distribution: lognormal, mean, std}``, or
#: ``{distribution: list, values: [...]}``.
Radius = Annotated[
    ConstantRadius | LognormalRadius | RadiusList,
    Field(discriminator="distribution"),
    BeforeValidator(_bare_length_is_constant),
]
#: Volume fraction of a packed phase (random packings jam above ~0.6).
PackingFraction = Annotated[float, _quantity("dimensionless"), Field(gt=0, le=0.6)]
#: Default gap between particles, relative to the mean radius: keeps OpenCASCADE away from
#: nearly touching spheres.
DEFAULT_GAP = 0.05


class _PackedGeometry(Section):
    """Spherical particles packed at random in a box (see ``femsi.geometry.packing``).

    Subclasses declare their box sizes before ``radius``, so the radius validator sees them.
    """

    min_gap: PositiveLength | None = Field(
        default=None,
        description="smallest distance between particle surfaces; null: 5 % of the mean radius",
    )
    wall_gap: PositiveLength | None = Field(
        default=None,
        description=(
            "smallest distance between a particle and the faces of its layer; null: min_gap"
        ),
    )
    seed: Annotated[int, Field(ge=0)] = Field(
        default=0,
        description="random seed of the packing: the same seed gives the same microstructure",
    )
    mesh_size: PositiveLength = Field(
        description="element size in the matrix, separator and collector"
    )
    particle_mesh_size: PositiveLength | None = Field(
        default=None,
        description="element size inside the particles, at most the mean radius; null: mesh_size",
    )
    interface_mesh_size: PositiveLength | None = Field(
        default=None,
        description=(
            "element size at the particle surfaces, growing linearly to mesh_size one mean radius "
            "away; null: particle_mesh_size"
        ),
    )
    if TYPE_CHECKING:  # each subclass declares it after its box sizes (not a field here)
        radius: ConstantRadius | LognormalRadius | RadiusList

    @staticmethod
    def _box_sizes(data: dict) -> list[float]:
        raise NotImplementedError

    @field_validator("radius", check_fields=False)
    @classmethod
    def _radius_fits(cls, radius, info: ValidationInfo):
        sizes = cls._box_sizes(info.data)
        if sizes:
            gap = info.data.get("wall_gap") or info.data.get("min_gap")
            gap = gap if gap is not None else DEFAULT_GAP * radius.mean
            if 2 * (radius.largest + gap) > min(sizes):
                raise ValueError(
                    f"a particle of radius {radius.largest:.4g} m with its wall gap "
                    f"{gap:.3g} m does not fit in the layer ({min(sizes):.4g} m)"
                )
        return radius

    @property
    def gap(self) -> float:
        """Smallest distance between particles, m."""
        return self.min_gap if self.min_gap is not None else DEFAULT_GAP * self.radius.mean

    @property
    def wall(self) -> float:
        """Smallest distance between a particle and the faces of its layer, m."""
        return self.wall_gap if self.wall_gap is not None else self.gap

    @property
    def particle_h(self) -> float:
        """Mesh size inside the particles, m."""
        return self.particle_mesh_size or self.mesh_size

    @property
    def interface_h(self) -> float:
        """Mesh size at the particle surfaces, m."""
        return self.interface_mesh_size or self.particle_h


class InertPhase(Section):
    """Inert (carbon) particles packed with the silicon: region ``inert``."""

    volume_fraction: PackingFraction = Field(
        description="inert volume over the composite layer's volume"
    )
    radius: Radius = Field(description="radius of the inert particles: a length or a distribution")


class ElectrodeGeometry(_PackedGeometry):
    """A composite electrode: Si particles in solid electrolyte, on a collector, under an SE.

    x, y span [0, width] x [0, depth]; z rises from the current collector [0, t_cc] through the
    composite layer [t_cc, t_cc + t_el] to the top of the separator.
    """

    type: Literal["electrode"] = Field(
        description="geometry family: a composite electrode in a cell"
    )
    width: PositiveLength = Field(description="in-plane size in x (the footprint is width × depth)")
    depth: PositiveLength | None = Field(
        default=None, description="in-plane size in y; null: width"
    )
    electrode_thickness: PositiveLength = Field(
        description="thickness of the composite layer (particles in region matrix)"
    )
    separator_thickness: NonNegativeLength = Field(
        default=0.0, description="solid-electrolyte layer on top (region separator); 0: none"
    )
    current_collector_thickness: NonNegativeLength = Field(
        default=0.0, description="current collector below (region current_collector); 0: none"
    )
    radius: Radius = Field(
        description=(
            "particle radius: a length, {distribution: lognormal, mean, std} or {distribution: "
            "list, values}"
        )
    )
    volume_fraction: PackingFraction = Field(
        description=(
            "silicon volume over the composite layer's volume (random packings jam above 0.6)"
        )
    )
    inert: InertPhase | None = Field(
        default=None,
        description="inert (carbon) particles packed with the silicon (region inert); null: none",
    )

    @staticmethod
    def _box_sizes(data: dict) -> list[float]:
        names = ("width", "depth", "electrode_thickness")
        return [data[n] for n in names if data.get(n) is not None]

    @field_validator("inert")
    @classmethod
    def _inert_fits(cls, inert, info: ValidationInfo):
        if inert is not None:
            cls._radius_fits(inert.radius, info)
            silicon = info.data.get("volume_fraction", 0.0)
            if silicon + inert.volume_fraction > 0.6:
                raise ValueError(
                    f"silicon and inert volume fractions add up to "
                    f"{silicon + inert.volume_fraction:.3g}; random packings jam above 0.6"
                )
        return inert

    @property
    def y_size(self) -> float:
        """Size in y, m (``depth``, or ``width`` when not given)."""
        return self.depth if self.depth is not None else self.width

    @property
    def height(self) -> float:
        """Total height of collector, composite layer and separator, m."""
        return (
            self.current_collector_thickness + self.electrode_thickness + self.separator_thickness
        )

    def smallest_feature(self) -> float:  # noqa: D102
        layers = (self.current_collector_thickness, self.separator_thickness)
        return min([self.electrode_thickness, self.width, self.y_size, *(t for t in layers if t)])


class RveGeometry(_PackedGeometry):
    """A cube of solid electrolyte (``matrix``) holding randomly packed Si particles."""

    type: Literal["rve"] = Field(
        description="geometry family: a cube of electrolyte holding particles"
    )
    size: PositiveLength = Field(description="edge length of the cube")
    radius: Radius = Field(
        description=(
            "particle radius: a length, {distribution: lognormal, mean, std} or {distribution: "
            "list, values}"
        )
    )
    volume_fraction: PackingFraction | None = Field(
        default=None, description="silicon volume over the cube's volume; give this or particles"
    )
    particles: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="number of particles; give this or volume_fraction"
    )

    @staticmethod
    def _box_sizes(data: dict) -> list[float]:
        return [data["size"]] if data.get("size") is not None else []

    @model_validator(mode="after")
    def _fraction_or_count(self):
        if (self.volume_fraction is None) == (self.particles is None):
            raise ValueError("give exactly one of volume_fraction and particles")
        return self

    def smallest_feature(self) -> float:  # noqa: D102
        return self.size


Geometry = Annotated[
    SphereGeometry
    | CoreShellGeometry
    | HollowSphereGeometry
    | ParticleInMatrixGeometry
    | FilmGeometry
    | MeshFileGeometry
    | ElectrodeGeometry
    | RveGeometry,
    Field(discriminator="type"),
]
