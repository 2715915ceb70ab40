"""NumPy helpers for stacks of 3 x 3 tensors, shape (n, 3, 3), and their fourth-order tangents.

Fourth-order tensors are stored as (n, 3, 3, 3, 3) arrays, A[p, i, j, k, l] = ∂S_ij/∂E_kl, so
that a UFL form contracts them as ``A[i, j, k, l] * grad(du)[k, l]``.
"""

from __future__ import annotations

import numpy as np

I2 = np.eye(3)
#: δ_ij δ_kl
II = np.einsum("ij,kl->ijkl", I2, I2)
#: Symmetric fourth-order identity ½ (δ_ik δ_jl + δ_il δ_jk).
I4_SYM = 0.5 * (np.einsum("ik,jl->ijkl", I2, I2) + np.einsum("il,jk->ijkl", I2, I2))
#: Deviatoric projector on symmetric tensors.
I4_DEV = I4_SYM - II / 3.0


def trace(a: np.ndarray) -> np.ndarray:
    """Tr a for a stack of tensors, shape (n,)."""
    return np.einsum("nii->n", a)


def deviator(a: np.ndarray) -> np.ndarray:
    """The deviator a - tr(a)/3 I."""
    return a - trace(a)[:, None, None] / 3.0 * I2


def norm(a: np.ndarray) -> np.ndarray:
    """Frobenius norm |a| = √(a : a), shape (n,)."""
    return np.sqrt(np.einsum("nij,nij->n", a, a))


def outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a ⊗ b)_ijkl = a_ij b_kl, shape (n, 3, 3, 3, 3)."""
    return np.einsum("nij,nkl->nijkl", a, b)


def von_mises(stress: np.ndarray) -> np.ndarray:
    """Von Mises equivalent stress √(3/2) |dev σ|."""
    return np.sqrt(1.5) * norm(deviator(stress))


def bulk_shear(youngs_modulus, poissons_ratio) -> tuple[np.ndarray, np.ndarray]:
    """Bulk and shear moduli K = E/(3(1-2ν)), G = E/(2(1+ν))."""
    e = np.asarray(youngs_modulus, dtype=float)
    nu = np.asarray(poissons_ratio, dtype=float)
    return e / (3.0 * (1.0 - 2.0 * nu)), e / (2.0 * (1.0 + nu))


def spectral(values: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Σ_a values_a n_a ⊗ n_a from eigenvalues (n, 3) and eigenvectors (columns, (n, 3, 3))."""
    return (vectors * values[:, None, :]) @ vectors.transpose(0, 2, 1)
