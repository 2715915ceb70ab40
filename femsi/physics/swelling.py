"""Swelling from lithium concentration.

The volume ratio of stress-free swelling is J_s = 1 + Ω (c - c_ref). At finite strain the
swelling part of F = F_e F_s is F_s = J_s^(1/3) I; at small strain the eigenstrain is
ε* = Ω (c - c_ref)/3 I, the limit of F_s as Ω (c - c_ref) → 0.
"""

from __future__ import annotations

import ufl


def swelling_ratio(c, omega, c_ref):
    """J_s = 1 + Ω (c - c_ref)."""
    return 1 + omega * (c - c_ref)


def eigenstrain(c, omega, c_ref, dim: int = 3):
    """ε* = Ω (c - c_ref)/3 I."""
    return omega * (c - c_ref) / 3 * ufl.Identity(dim)
