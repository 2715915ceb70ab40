"""Gmsh builder for packed particles: the composite electrode and the representative volume.

The particles are packed first (``femsi.geometry.packing``, in SI), then built with
OpenCASCADE in units of the mean radius (OCC tolerances are absolute, ~1e-7):

- ``electrode``: boxes for the current collector [0, t_cc], the composite layer
  [t_cc, t_cc + t_el] and the separator [t_cc + t_el, H], over [0, width] x [0, depth]; the
  spheres lie inside the composite layer, at least ``wall_gap`` from its faces.
- ``rve``: one cube [0, size]^3 of solid electrolyte holding the spheres.

All solids are fragmented together so every interface conforms. The pieces are named from the
fragment map: each sphere's piece is a particle (``particle`` for silicon, ``inert`` for the
inert phase), the rest of the composite box is ``matrix``. Faces are named by where they lie:
``bottom`` (z = 0), ``top`` (z = H), ``side_x0|x1|y0|y1`` (x = 0, width; y = 0, depth), the
layer interfaces ``electrode_bottom`` (z = t_cc) and ``electrode_top`` (z = t_cc + t_el), and
the sphere faces ``particle_surface`` (silicon, where lithium enters) and ``inert_surface``.

Mesh size: ``interface_mesh_size`` at the sphere surfaces, growing linearly with the distance
from them to ``mesh_size`` one mean radius away, and ``particle_mesh_size`` inside the particles
(graded from half the radius to the surface). Gmsh evaluates it as the minimum over one pair of
Ball fields per sphere (fast for hundreds of spheres), or, for many more spheres, as a
Distance + Threshold field from the sphere surfaces capped by a Constant field on their
volumes. Delaunay (``Mesh.Algorithm3D`` 1) with ``Mesh.Optimize``: HXT was not faster here.
"""

from __future__ import annotations

import logging
import time

import gmsh
import numpy as np

from femsi.config.schema import ElectrodeGeometry, LognormalRadius, RadiusList, RveGeometry
from femsi.errors import InputError
from femsi.geometry.packing import Packing, RadiusDistribution, random_packing

logger = logging.getLogger(__name__)

#: Region name to physical tag (fixed, so tags mean the same in every packed mesh).
REGION_TAGS = {"particle": 1, "matrix": 2, "separator": 3, "current_collector": 4, "inert": 5}
#: The walls of the box and the displacement component a roller (die wall, floor) holds there.
WALL_AXES = {"side_x0": 0, "side_x1": 0, "side_y0": 1, "side_y1": 1, "bottom": 2}
#: Bumped whenever the built mesh changes for the same parameters (part of the cache key).
BUILDER_VERSION = 2
#: Up to this many spheres the mesh size comes from one Ball field per sphere (cheap to
#: evaluate: 2.4 s for 107 spheres where a Distance field from their surfaces took 13 s,
#: most of it meshing the curves); beyond, from a Distance field (logarithmic in the count).
BALL_FIELDS_UP_TO = 400


def distribution(radius) -> RadiusDistribution:
    """The packing's radius distribution for a ``radius`` config entry."""
    if isinstance(radius, LognormalRadius):
        return RadiusDistribution("lognormal", radius.mean, radius.std)
    if isinstance(radius, RadiusList):
        return RadiusDistribution("list", radius.mean, values=tuple(radius.values))
    return RadiusDistribution("constant", radius.value)


def packing_box(geometry: ElectrodeGeometry | RveGeometry) -> tuple[tuple, tuple]:
    """Lower and upper corner of the box the particles are packed in, m."""
    if isinstance(geometry, RveGeometry):
        return (0.0, 0.0, 0.0), (geometry.size,) * 3
    t_cc = geometry.current_collector_thickness
    return (0.0, 0.0, t_cc), (geometry.width, geometry.y_size, t_cc + geometry.electrode_thickness)


def pack(geometry: ElectrodeGeometry | RveGeometry) -> Packing:
    """Pack the particles (silicon first, then the inert phase) of a geometry, SI.

    Raises:
        InputError: Particles that do not fit, or a fraction the packing cannot reach.
    """
    count = getattr(geometry, "particles", None)
    phases = [(distribution(geometry.radius), geometry.volume_fraction, count)]
    fields = ["geometry"]
    inert = getattr(geometry, "inert", None)
    if inert is not None:
        phases.append((distribution(inert.radius), inert.volume_fraction, None))
        fields.append("geometry.inert")
    lower, upper = packing_box(geometry)
    try:
        return random_packing(
            lower,
            upper,
            phases,
            min_gap=geometry.gap,
            wall_gap=geometry.wall,
            seed=geometry.seed,
            fields=fields,
        )
    except InputError as err:
        if count is None or err.field != "geometry.volume_fraction":
            raise
        raise InputError("geometry.particles", err.message) from None


def build_packed(
    geometry: ElectrodeGeometry | RveGeometry, scale: float
) -> tuple[dict[str, int], dict[str, int], dict, dict]:
    """Pack, build, tag and mesh the geometry in the current Gmsh model (rank 0 only).

    Args:
        geometry: The ``electrode`` or ``rve`` section, SI.
        scale: Reference length: Gmsh coordinates are SI / scale.

    Returns:
        Region name to physical tag, surface name to physical tag, the boundary roles
        (``active``, ``walls``: wall name to axis) and facts about the build (``info``).
    """
    t0 = time.perf_counter()
    packing = pack(geometry)
    packed = time.perf_counter()
    logger.info(
        "packed %d particles to a volume fraction of %.3f in %d iterations (%.2f s)",
        packing.radii.size,
        packing.volume_fraction,
        packing.iterations,
        packed - t0,
    )
    occ = gmsh.model.occ
    width, depth, layers = _layers(geometry)
    boxes = []  # (region, OCC tag) bottom to top
    z = 0.0
    for region, thickness in layers:
        if thickness > 0:
            tag = occ.addBox(0, 0, z / scale, width / scale, depth / scale, thickness / scale)
            boxes.append((region, tag))
        z += thickness
    balls = [
        occ.addSphere(*(c / scale), r / scale)
        for c, r in zip(packing.centres, packing.radii, strict=True)
    ]
    objects = [(3, tag) for _, tag in boxes]
    _, pieces = occ.fragment(objects, [(3, b) for b in balls])
    occ.synchronize()

    sphere_volumes: dict[str, list[int]] = {"particle": [], "inert": []}
    for k, phase in enumerate(packing.phase):
        result = [t for d, t in pieces[len(objects) + k] if d == 3]
        if len(result) != 1:
            raise RuntimeError(f"particle {k} was cut into {len(result)} pieces by OCC")
        sphere_volumes["particle" if phase == 0 else "inert"].append(result[0])
    in_spheres = {t for tags in sphere_volumes.values() for t in tags}
    volumes = {name: tags for name, tags in sphere_volumes.items() if tags}
    for (region, _), result in zip(boxes, pieces[: len(objects)], strict=True):
        volumes[region] = [t for d, t in result if d == 3 and t not in in_spheres]
    regions = {}
    for name, tags in volumes.items():
        gmsh.model.addPhysicalGroup(3, tags, REGION_TAGS[name], name=name)
        regions[name] = REGION_TAGS[name]

    by_name = _classify_faces(geometry, volumes, scale)
    surfaces = {}
    for index, (name, tags) in enumerate(sorted(by_name.items()), start=1):
        gmsh.model.addPhysicalGroup(2, tags, 100 + index, name=name)
        surfaces[name] = 100 + index

    _set_mesh_size(geometry, by_name, volumes, packing, scale)
    gmsh.option.setNumber("Mesh.Algorithm3D", 1)
    gmsh.option.setNumber("Mesh.Optimize", 1)
    gmsh.model.mesh.generate(3)
    meshed = time.perf_counter()
    radii = packing.radii[packing.phase == 0]
    info = {
        "particles": int(radii.size),
        "volume_fraction": packing.volume_fractions[0],
        "radius_mean_m": float(radii.mean()),
        "radius_std_m": float(radii.std()) if np.ptp(radii) > 0 else 0.0,
        "radius_min_m": float(radii.min()),
        "radius_max_m": float(radii.max()),
        "seed": geometry.seed,
        "packing_iterations": packing.iterations,
        "packing_s": packed - t0,
        "meshing_s": meshed - packed,
    }
    if len(packing.volume_fractions) > 1:
        info["inert_particles"] = int(np.sum(packing.phase == 1))
        info["inert_volume_fraction"] = packing.volume_fractions[1]
    roles = {"active": ["particle_surface"], "walls": dict(WALL_AXES)}
    return regions, surfaces, roles, info


def _layers(geometry) -> tuple[float, float, list[tuple[str, float]]]:
    """Width, depth and the (region, thickness) layers from the bottom up, SI."""
    if isinstance(geometry, RveGeometry):
        return geometry.size, geometry.size, [("matrix", geometry.size)]
    return (
        geometry.width,
        geometry.y_size,
        [
            ("current_collector", geometry.current_collector_thickness),
            ("matrix", geometry.electrode_thickness),
            ("separator", geometry.separator_thickness),
        ],
    )


def _classify_faces(geometry, volumes: dict[str, list[int]], scale: float) -> dict[str, list[int]]:
    """Name every face of the model by its position (planes) or its particle (spheres)."""
    width, depth, layers = _layers(geometry)
    by_name: dict[str, list[int]] = {}
    sphere_faces = set()
    for region, surface in (("particle", "particle_surface"), ("inert", "inert_surface")):
        if region in volumes:
            faces = gmsh.model.getBoundary(
                [(3, t) for t in volumes[region]], combined=False, oriented=False
            )
            tags = sorted({t for _, t in faces})
            sphere_faces.update(tags)
            by_name[surface] = tags
    height = sum(t for _, t in layers)
    planes = {2: {0.0: "bottom", height: "top"}, 0: {0.0: "side_x0", width: "side_x1"}}
    planes[1] = {0.0: "side_y0", depth: "side_y1"}
    if isinstance(geometry, ElectrodeGeometry):
        t_cc = geometry.current_collector_thickness
        if t_cc > 0:
            planes[2][t_cc] = "electrode_bottom"
        if geometry.separator_thickness > 0:
            planes[2][t_cc + geometry.electrode_thickness] = "electrode_top"
    tol = 1e-6
    for _, tag in gmsh.model.getEntities(2):
        if tag in sphere_faces:
            continue
        box = gmsh.model.getBoundingBox(2, tag)
        name = None
        for axis, named in planes.items():
            if abs(box[axis + 3] - box[axis]) < tol:
                name = next(
                    (n for at, n in named.items() if abs(box[axis] - at / scale) < tol), None
                )
                break
        if name is None:
            raise RuntimeError(f"face {tag} with bounding box {box} is not a known plane")
        by_name.setdefault(name, []).append(tag)
    return by_name


def _set_mesh_size(geometry, surfaces, volumes, packing: Packing, scale: float) -> None:
    """Background mesh size: fine at the particle surfaces and inside, ``mesh_size`` elsewhere."""
    h, h_in, h_s = (
        geometry.mesh_size / scale,
        geometry.particle_h / scale,
        geometry.interface_h / scale,
    )
    grading = geometry.radius.mean / scale
    field = gmsh.model.mesh.field
    if packing.radii.size <= BALL_FIELDS_UP_TO:
        size = _ball_fields(packing.centres / scale, packing.radii / scale, h, h_in, h_s, grading)
    else:
        size = _distance_fields(surfaces, volumes, h, h_in, h_s, grading)
    field.setAsBackgroundMesh(size)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)


def _ball(centre, radius: float, thickness: float, inside: float, outside: float) -> int:
    """A Ball field: ``inside`` within the ball, linear to ``outside`` over ``thickness``."""
    field = gmsh.model.mesh.field
    tag = field.add("Ball")
    for key, value in zip(("XCenter", "YCenter", "ZCenter"), centre, strict=True):
        field.setNumber(tag, key, float(value))
    field.setNumber(tag, "Radius", float(radius))
    field.setNumber(tag, "Thickness", float(thickness))
    field.setNumber(tag, "VIn", inside)
    field.setNumber(tag, "VOut", outside)
    return tag


def _ball_fields(centres, radii, h, h_in, h_s, grading) -> int:
    """Mesh size from one Ball field per sphere; returns the field tag.

    Per sphere: h_s at its surface growing to h over ``grading`` outside it, and h_in inside
    (graded from half its radius when coarser than h_s); the minimum over the spheres.
    """
    field = gmsh.model.mesh.field
    per_sphere = []
    for centre, r in zip(centres, radii, strict=True):
        outside = _ball(centre, r, grading, h_s, max(h, h_s))
        if h_in >= h_s:
            inside = _ball(centre, r / 2, r / 2, h_in, h_s)
            combined = field.add("Max")
        else:
            inside = _ball(centre, r, 0.0, h_in, 1e22)
            combined = field.add("Min")
        field.setNumbers(combined, "FieldsList", [outside, inside])
        per_sphere.append(combined)
    smallest = field.add("Min")
    field.setNumbers(smallest, "FieldsList", per_sphere)
    return smallest


def _distance_fields(surfaces, volumes, h, h_in, h_s, grading) -> int:
    """Mesh size from the distance to the sphere surfaces; returns the field tag.

    h_s at the surfaces growing to h over ``grading`` (Distance + Threshold), at most h_in
    inside the spheres (Constant on their volumes).
    """
    field = gmsh.model.mesh.field
    faces = surfaces.get("particle_surface", []) + surfaces.get("inert_surface", [])
    balls = volumes.get("particle", []) + volumes.get("inert", [])
    distance = field.add("Distance")
    field.setNumbers(distance, "SurfacesList", faces)
    field.setNumber(distance, "Sampling", 20)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", h_s)
    field.setNumber(threshold, "SizeMax", max(h, h_s))
    field.setNumber(threshold, "DistMin", 0.0)
    field.setNumber(threshold, "DistMax", grading)
    inside = field.add("Constant")
    field.setNumbers(inside, "VolumesList", balls)
    field.setNumber(inside, "VIn", h_in)
    field.setNumber(inside, "VOut", 1e22)
    smallest = field.add("Min")
    field.setNumbers(smallest, "FieldsList", [threshold, inside])
    return smallest
