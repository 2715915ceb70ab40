"""The material library: literature values with their sources, and per-region resolution."""

from femsi.materials.library import Material, library, resolve_material
from femsi.materials.properties import SocFunction

__all__ = ["Material", "SocFunction", "library", "resolve_material"]
