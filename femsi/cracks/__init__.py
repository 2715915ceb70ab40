"""Pre-existing cracks: where they lie, how they are meshed, their G and K, and their columns.

The feature runs in four stages, each a group of modules here; a module imports only from
its own stage or an earlier one (and from femsi's config, geometry, physics and outputs).

1. Layouts (pure Python: no Gmsh, no DOLFINx, so that :mod:`femsi.config` can check cracks
   before anything is meshed):

   - :mod:`~femsi.cracks.layout`: the data classes (:class:`~femsi.cracks.layout.CrackLayout`,
     :class:`~femsi.cracks.layout.TipLayout`, :class:`~femsi.cracks.layout.FrontLayout`,
     :class:`~femsi.cracks.layout.FrontLine`);
   - :mod:`~femsi.cracks.kinds`: where each built-in kind lies in its geometry and how the
     model's mirrors clip it;
   - :mod:`~femsi.cracks.checks`: the input checks (names, kinds per geometry family of
     :mod:`femsi.geometry.families`, touching cracks, plastic regions);
   - :mod:`~femsi.cracks.rings`: the rings of the domain integral, checked against the tip
     size and the clearance;
   - :mod:`~femsi.cracks.config_layouts`: :func:`~femsi.cracks.config_layouts.crack_layouts`,
     the layouts of a study, which :func:`femsi.config.load_config` computes once and keeps as
     ``StudyConfig.crack_layouts``;
   - :mod:`~femsi.cracks.mesh_layouts`: layouts completed with what the mesh says (tagged
     cracks, 3D fronts);
   - :mod:`~femsi.cracks.fronts`: a 3D crack's fronts found and checked on a tetrahedral mesh
     (NumPy).

2. Meshes (Gmsh; :func:`femsi.geometry.build_mesh` calls them):

   - :mod:`~femsi.cracks.plugin`: Gmsh's Crack plugin, the crack tags and the tip grading;
   - :mod:`~femsi.cracks.segments`: 2D built-in cracks embedded in a section, refined and
     opened (used by :mod:`femsi.geometry.sections`);
   - :mod:`~femsi.cracks.surfaces`: 3D crack discs, surface groups and their splitting (used by
     :mod:`femsi.geometry.spheres`, :mod:`femsi.geometry.particle_mesh` and
     :mod:`femsi.geometry.mesh_file`);
   - :mod:`~femsi.cracks.tagged_curves`: the crack curves of a user's 2D mesh
     (:mod:`femsi.geometry.mesh_file`);
   - :mod:`~femsi.cracks.channel_film`: the film strip with a channel crack (the ``film``
     family's builder when it has one);
   - :mod:`~femsi.cracks.cracked_plate`, :mod:`~femsi.cracks.penny_cylinder`: the cracked
     plates and penny-crack cylinders of the verification tests.

3. Domain integral (DOLFINx, on the model's elasticity and measures:
   :mod:`femsi.physics.elasticity`, :mod:`femsi.physics.measures`):

   - :mod:`~femsi.cracks.domain_integral`:
     :class:`~femsi.cracks.domain_integral.DomainIntegral`, G and K of 2D tips and G along 3D
     fronts;
   - :mod:`~femsi.cracks.integral_fields`: the crack-advance fields θ and Williams' auxiliary
     field;
   - :mod:`~femsi.cracks.material_rings`: the materials of the cells, rings inside one
     material;
   - :mod:`~femsi.cracks.results`: what the integrals return.

4. Outputs (the run's ``crack.NAME.*`` columns, summary and figures; :mod:`femsi.study`
   builds them):

   - :mod:`~femsi.cracks.outputs`: :class:`~femsi.cracks.outputs.CrackOutputs` and
     :func:`~femsi.cracks.outputs.plot_crack_G`;
   - :mod:`~femsi.cracks.front_outputs`: the columns and profiles of 3D fronts.

Importing this package imports none of its modules.
"""
