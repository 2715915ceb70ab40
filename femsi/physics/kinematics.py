"""Stateless kinematic helpers (UFL)."""

from __future__ import annotations

import ufl


def deformation_gradient(u):
    """F = I + ∇u."""
    return ufl.Identity(len(u)) + ufl.grad(u)


def small_strain(u):
    """ε = sym ∇u."""
    return ufl.sym(ufl.grad(u))
