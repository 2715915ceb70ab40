"""Cracks: layouts, meshes, domain integrals and outputs (map to follow)."""
