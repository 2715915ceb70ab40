"""Import a user's mesh: Gmsh ``.msh`` directly, anything else meshio reads through Gmsh format.

Regions are cell physical groups; a region is found by its name (``particle``, ``coating``,
``matrix``) or through ``geometry.regions`` (name to physical name or number). Surfaces are
facet physical groups, named or numbered likewise.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from mpi4py import MPI

import gmsh
import numpy as np
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.config.schema import MeshFileGeometry
from femsi.cracks.layout import CrackLayout, FrontLayout
from femsi.cracks.mesh_layouts import tagged_front_layout, tagged_layout
from femsi.cracks.surfaces import analyse_surfaces, open_surfaces, surface_group
from femsi.cracks.tagged_curves import curve_group, find_tagged_crack, open_tagged
from femsi.errors import InputError
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel, ghosted_partitioner
from femsi.parallel import on_rank0

KNOWN_REGIONS = ("particle", "coating", "matrix")


def _to_msh(path: Path, workdir: Path) -> Path:
    """Convert any meshio-readable mesh with integer cell data to Gmsh 2.2 format."""
    import meshio

    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            data = meshio.read(path)
    except (Exception, SystemExit) as err:  # many types; some readers call sys.exit
        detail = " ".join(said.getvalue().split()) or str(err)
        raise InputError("geometry.path", f"meshio cannot read {path}: {detail}") from None
    physical = {}
    for name, arrays in data.cell_data.items():
        if all(np.issubdtype(np.asarray(a).dtype, np.integer) for a in arrays):
            physical = {"gmsh:physical": arrays, "gmsh:geometrical": arrays}
            if name == "gmsh:physical":
                break
    if not physical:
        raise InputError("geometry.path", "the mesh has no integer cell data for region tags")
    keep = [i for i, block in enumerate(data.cells) if block.type in ("tetra", "triangle")]
    mesh = meshio.Mesh(
        data.points,
        [data.cells[i] for i in keep],
        cell_data={
            k: [np.asarray(v[i], dtype=np.int32) for i in keep] for k, v in physical.items()
        },
    )
    target = workdir / "mesh.msh"
    meshio.write(target, mesh, file_format="gmsh22", binary=False)
    return target


def _split_curves(tagged) -> list:
    """Find and split the tagged crack curves of the open 2D model (rank 0).

    Returns:
        Per crack (group tag, open ends, tips, physical surface tag at each tip, facts), mesh
        units.
    """
    groups = [curve_group(crack.curve, f"cracks.{index}.curve") for index, crack in tagged]
    found = []
    for (index, _), group in zip(tagged, groups, strict=True):
        others = [g for g in groups if g != group]
        found.append(find_tagged_crack(group, f"cracks.{index}.curve", others))
    open_tagged([(f[0], f[1]) for f in found])
    return found


def _split_surfaces(tagged, mirrors) -> list:
    """Find the fronts of the tagged crack surfaces of the open 3D model and split them.

    Args:
        tagged: (index, crack) of the tagged cracks.
        mirrors: Names or numbers of the symmetry surfaces (``geometry.symmetry_surfaces``).

    Returns:
        Per crack (group tag, :class:`~femsi.cracks.fronts.CrackSurface`), mesh units.
    """
    fields = [f"cracks.{index}.surface" for index, _ in tagged]
    keys = [crack.surface for _, crack in tagged]
    groups = [surface_group(key, field) for key, field in zip(keys, fields, strict=True)]
    mirror_tags = set()
    for key in mirrors:
        try:
            mirror_tags.add(surface_group(key, "geometry.symmetry_surfaces"))
        except InputError:
            pass  # reported with its field when the surfaces are named on the mesh
    surfaces, node_tags = analyse_surfaces(list(zip(groups, fields, strict=True)), mirror_tags)
    open_surfaces(list(zip(groups, surfaces, strict=True)), node_tags)
    return list(zip(groups, surfaces, strict=True))


def _read_with_cracks(path: Path, comm: MPI.Comm, tagged, gdim: int, mirrors=()):
    """Open a .msh on rank 0, split its tagged cracks, distribute it.

    Returns:
        The mesh data and, per tagged crack, what :func:`_split_curves` (2D) or
        :func:`_split_surfaces` (3D) found.
    """
    with gmsh_session("mesh_file_cracks"):

        def split():
            try:
                gmsh.open(str(path))
            except Exception as err:  # gmsh raises plain Exceptions for unreadable files
                raise InputError("geometry.path", f"cannot read the mesh: {err}") from None
            return _split_curves(tagged) if gdim == 2 else _split_surfaces(tagged, mirrors)

        found = on_rank0(comm, split, "geometry.path", "reading the mesh")
        data = gmshio.model_to_mesh(
            gmsh.model, comm, 0, gdim=gdim, partitioner=ghosted_partitioner()
        )
    return data, found


def read_mesh_file(
    geometry: MeshFileGeometry, comm: MPI.Comm, tagged=(), plastic_regions=()
) -> MeshModel:
    """Read the mesh, scale it to metres and name its regions and surfaces.

    Args:
        geometry: The ``mesh_file`` section.
        comm: Communicator to distribute the mesh over.
        tagged: (index, crack) of the study's ``tagged`` cracks: their curves (2D) or
            surfaces (3D) are split by Gmsh's Crack plugin and laid out from the mesh.
        plastic_regions: Regions that flow (a crack may not lie in one).

    Raises:
        InputError: Missing file, unreadable mesh, or regions/surfaces that are not there.
    """
    path = Path(geometry.path)
    if not path.is_file():
        raise InputError("geometry.path", f"no such mesh file: {path}")
    with tempfile.TemporaryDirectory() as tmp:
        msh = path
        if path.suffix != ".msh":
            converted = on_rank0(
                comm, lambda: str(_to_msh(path, Path(tmp))), "geometry.path", "converting"
            )
            msh = Path(converted)
        tdim = geometry.dimension
        found = []
        if tagged:
            mirrors = list(geometry.symmetry_surfaces.values())
            data, found = _read_with_cracks(msh, comm, list(tagged), tdim, mirrors)
        else:
            try:
                data = gmshio.read_from_msh(
                    str(msh), comm, 0, gdim=tdim, partitioner=ghosted_partitioner()
                )
            except Exception as err:  # gmsh raises plain Exceptions for unreadable files
                raise InputError("geometry.path", f"cannot read the mesh: {err}") from None
    data.mesh.geometry.x[:] *= geometry.length_unit
    # Formats read through meshio carry numbers only: their groups have empty names.
    groups = {name: (g.dim, g.tag) for name, g in data.physical_groups.items() if name}
    present = {
        tdim: _global_tags(comm, data.cell_tags.values),
        tdim - 1: _global_tags(comm, data.facet_tags.values if data.facet_tags is not None else []),
    }

    def lookup(key: str | int, dim: int, field: str) -> int:
        if isinstance(key, int):
            if key not in present[dim]:
                what = "cells" if dim == tdim else "facets"
                tags = ", ".join(map(str, sorted(present[dim]))) or "none"
                raise InputError(field, f"no {what} tagged {key} (the mesh has: {tags})")
            return key
        if key in groups and groups[key][0] == dim:
            return groups[key][1]
        names = ", ".join(n for n, (d, _) in groups.items() if d == dim) or "none"
        raise InputError(
            field, f"no physical group {key!r} of dimension {dim} (the mesh has: {names})"
        )

    regions: dict[str, int] = {}
    for name in KNOWN_REGIONS:
        if name in geometry.regions:
            regions[name] = lookup(geometry.regions[name], tdim, f"geometry.regions.{name}")
        elif name in groups and groups[name][0] == tdim:
            regions[name] = groups[name][1]
    for name in geometry.regions:
        if name not in KNOWN_REGIONS:
            raise InputError(f"geometry.regions.{name}", f"regions are named {KNOWN_REGIONS}")
    if not regions:
        regions = {
            "particle": int(
                comm.allreduce(
                    int(data.cell_tags.values.min()) if data.cell_tags.values.size else 10**9,
                    op=MPI.MIN,
                )
            )
        }
    surfaces: dict[str, int] = {n: t for n, (d, t) in groups.items() if d == tdim - 1}

    def surface_name(key: str | int, field: str) -> str:
        tag = lookup(key, tdim - 1, field)
        for name, value in surfaces.items():
            if value == tag:
                return name
        surfaces[f"surface_{tag}"] = tag
        return f"surface_{tag}"

    active = (
        [surface_name(geometry.active_surface, "geometry.active_surface")]
        if geometry.active_surface is not None
        else []
    )
    fixed = [
        surface_name(s, f"geometry.fixed_surfaces.{i}")
        for i, s in enumerate(geometry.fixed_surfaces)
    ]
    if tdim == 2 and "z" in geometry.symmetry_surfaces:
        raise InputError("geometry.symmetry_surfaces.z", "a 2D mesh has symmetry lines x and y")
    symmetry = {
        "xyz".index(axis): surface_name(s, f"geometry.symmetry_surfaces.{axis}")
        for axis, s in geometry.symmetry_surfaces.items()
    }
    if data.facet_tags is None:
        raise InputError("geometry.path", "the mesh has no tagged surfaces")
    cracks: list[CrackLayout | FrontLayout] = []
    names = {tag: name for name, tag in regions.items()}
    held = {surfaces[n] for n in (*fixed, *symmetry.values())}
    for (index, crack), entry in zip(tagged, found, strict=True):
        field = f"cracks.{index}.{'curve' if tdim == 2 else 'surface'}"
        if tdim == 2:
            group, _, tips, tip_regions, facts = entry
        else:
            group, surface = entry
            tip_regions, facts = [surface.region], surface.facts
        if any(t not in names for t in tip_regions):
            raise InputError(field, "the crack lies in a region without a name or material")
        region = names[tip_regions[0]]
        if any(names[t] != region for t in tip_regions):
            raise InputError(field, "the tips of one crack must lie in one region")
        if region in plastic_regions:
            raise InputError(
                "physics.plastic_regions",
                f"region {region!r} holds crack {crack.name!r}: G (J) is no fracture parameter "
                "where the material flows; keep cracked regions elastic",
            )
        if group in held:
            raise InputError(
                field, "the crack's faces are free: it cannot be a fixed or symmetry surface"
            )
        surfaces[f"crack_{crack.name}"] = group
        unit = geometry.length_unit
        if tdim == 2:
            cracks.append(tagged_layout(index, crack, tips, region, facts, unit))
        else:
            cracks.append(tagged_front_layout(index, crack, surface.fronts, region, facts, unit))
    return MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions=regions,
        surfaces=surfaces,
        active_surfaces=active,
        fixed_surfaces=fixed,
        symmetry=symmetry,
        formulation=geometry.formulation or "3d",
        cracks=cracks,
    )


def _global_tags(comm: MPI.Comm, values) -> set[int]:
    """The tag values present on any rank."""
    local = {int(v) for v in np.unique(np.asarray(values))}
    return set().union(*comm.allgather(local))
