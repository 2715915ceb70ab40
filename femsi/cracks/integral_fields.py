"""Virtual crack-advance fields θ and the auxiliary near-tip field of the domain integrals.

A 2D tip (plane strain or axisymmetric section) advances along a unit direction e:

    θ(x) = q(|x − tip|) e,   q(d) = clamp((r₂ − d)/(r₂ − r₁), 0, 1),

q = 1 inside r₁ (the plateau), 0 outside r₂. A 3D front, a polyline of points with in-plane
unit normals n (the crack-advance directions), advances at station k by

    θ_k(x) = q(d(x)) φ_k(s(x)) n(s(x)),

d the distance of x to the front, s the arc length of the closest front point, n(s) the
normal interpolated linearly between points (then normalised) and φ_k the hat function of
station k along the arc length (1 at station k, 0 at its neighbours). The crack area swept by
θ_k is ∫ φ_k ds. A closed front (the whole rim of an embedded penny crack) is periodic: the
polyline returns to its first point and the hat of the first station wraps around. The fields
are evaluated with NumPy at the nodes of a P1 space: no form is compiled when the tip, front
or ring changes.

The auxiliary field of the interaction integral is Williams' near-tip displacement of unit
K_I or K_II in plane strain (Williams 1957; e.g. Anderson, Fracture Mechanics, 3rd ed. (2005),
Table 2.2), in the tip's frame (x₁ along e, x₂ normal to the crack), r, φ polar about the tip:

    u₁ = √(r/2π)/(2μ) [K_I cos(φ/2)(κ − 1 + 2 sin²(φ/2)) + K_II sin(φ/2)(κ + 1 + 2 cos²(φ/2))],
    u₂ = √(r/2π)/(2μ) [K_I sin(φ/2)(κ + 1 − 2 cos²(φ/2)) − K_II cos(φ/2)(κ − 1 − 2 sin²(φ/2))],

κ = 3 − 4ν.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl

#: Points per block in the point-to-front distance (bounds the temporary arrays).
_CHUNK = 4096


def plateau(distance: np.ndarray, r1: float, r2: float) -> np.ndarray:
    """q(d) = clamp((r₂ − d)/(r₂ − r₁), 0, 1)."""
    return np.clip((r2 - distance) / (r2 - r1), 0.0, 1.0)


def ring_field(x: np.ndarray, tip, direction, r1: float, r2: float) -> np.ndarray:
    """θ = q(|x − tip|) e at points ``x`` (n × 3, the mesh's padded coordinates).

    Returns:
        θ at the points, n × 2.
    """
    d = np.hypot(x[:, 0] - tip[0], x[:, 1] - tip[1])
    return plateau(d, r1, r2)[:, None] * np.asarray(direction, dtype=float)[None, :2]


@dataclass(frozen=True)
class Front:
    """A 3D crack front: a polyline with unit crack-advance normals and hat stations.

    Attributes:
        points: Front points, m × 3, in order along the front (a closed front repeats its
            first point at the end).
        normals: Unit crack-advance directions at the points (in the crack plane, normal to
            the front), m × 3.
        stations: Indices into ``points`` of the stations, increasing, first 0 and last m − 1
            (on a closed front the last is the first point again: the same station).
        closed: Whether the front is a closed loop.
    """

    points: np.ndarray
    normals: np.ndarray
    stations: np.ndarray
    closed: bool = False

    @classmethod
    def build(cls, points, normals, stations=None, closed: bool = False) -> Front:
        """Check and normalise a front.

        Args:
            points: Front points, m × 3, in order (a closed front without repeating the first).
            normals: Unit crack-advance directions at the points, m × 3.
            stations: Indices of the stations (default: every point), increasing from 0; an
                open front's last is m − 1.
            closed: The front is a closed loop (the last point joins the first).

        Raises:
            ValueError: Shapes, repeated points, normals that are not unit or are along the
                front, stations out of order.
        """
        points = np.asarray(points, dtype=float)
        normals = np.asarray(normals, dtype=float)
        if points.ndim != 2 or points.shape[1] != 3 or len(points) < (3 if closed else 2):
            raise ValueError(f"front points must be an m × 3 array, m ≥ 2; got {points.shape}")
        if normals.shape != points.shape:
            raise ValueError(f"front normals {normals.shape} must match the points {points.shape}")
        m = len(points)
        if stations is None:
            stations = np.arange(m)
        stations = np.asarray(stations, dtype=int)
        if closed:
            if stations[-1] > m - 1:
                raise ValueError("front stations must be indices of the front's points")
            points = np.vstack([points, points[:1]])
            normals = np.vstack([normals, normals[:1]])
            stations = np.append(stations, m)
        lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
        if np.any(lengths <= 1e-12 * lengths.max()):
            raise ValueError("front points must be distinct")
        if not np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-6):
            raise ValueError("front normals must be unit vectors")
        if closed:  # periodic central differences
            ring = points[:-1]
            tangents = np.roll(ring, -1, axis=0) - np.roll(ring, 1, axis=0)
            tangents = np.vstack([tangents, tangents[:1]])
        else:
            tangents = np.gradient(points, axis=0)
        tangents /= np.linalg.norm(tangents, axis=1)[:, None]
        along = np.abs(np.einsum("ij,ij->i", tangents, normals))
        if np.any(along > 0.1):
            raise ValueError(
                f"front normals must be normal to the front (largest |n·t| = {along.max():.3f})"
            )
        last = len(points) - 1
        if stations[0] != 0 or stations[-1] != last or np.any(np.diff(stations) <= 0):
            raise ValueError("front stations must increase from the first point to the last")
        return cls(points, normals, stations, closed)

    @property
    def count(self) -> int:
        """Number of distinct stations (a closed front's last station is its first)."""
        return len(self.stations) - int(self.closed)

    @property
    def arc(self) -> np.ndarray:
        """Arc length of each point from the first, m."""
        return np.concatenate(
            [[0.0], np.cumsum(np.linalg.norm(np.diff(self.points, axis=0), axis=1))]
        )

    @property
    def station_arc(self) -> np.ndarray:
        """Arc length of each station, m."""
        return self.arc[self.stations]

    def hat(self, k: int, s: np.ndarray) -> np.ndarray:
        """φ_k at arc lengths ``s``: 1 at station k, linear to 0 at its neighbours.

        On a closed front the first station's hat also takes the last interval (it wraps).
        """
        if self.closed and k == 0:
            return self._hat(0, s) + self._hat(len(self.stations) - 1, s)
        return self._hat(k, s)

    def _hat(self, k: int, s: np.ndarray) -> np.ndarray:
        sk = self.station_arc
        values = np.zeros_like(s)
        if k > 0:
            left = (s >= sk[k - 1]) & (s <= sk[k])
            values[left] = (s[left] - sk[k - 1]) / (sk[k] - sk[k - 1])
        if k < len(sk) - 1:
            right = (s >= sk[k]) & (s <= sk[k + 1])
            values[right] = (sk[k + 1] - s[right]) / (sk[k + 1] - sk[k])
        return values

    def hat_length(self, k: int) -> float:
        """∫ φ_k ds: the crack area swept per unit advance of station k, m."""
        sk = self.station_arc
        if self.closed and k == 0:
            return 0.5 * (sk[1] - sk[0] + sk[-1] - sk[-2])
        left = sk[k] - sk[k - 1] if k > 0 else 0.0
        right = sk[k + 1] - sk[k] if k < len(sk) - 1 else 0.0
        return 0.5 * (left + right)

    def closest(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distance to the front, arc length and advance direction of the closest front point.

        Args:
            x: Points, n × 3.

        Returns:
            (d, s, n): distances (n), arc lengths (n), unit directions (n × 3).
        """
        d, s, n = np.empty(len(x)), np.empty(len(x)), np.empty((len(x), 3))
        for start in range(0, len(x), _CHUNK):
            part = slice(start, start + _CHUNK)
            d[part], s[part], n[part] = self._closest(x[part])
        return d, s, n

    def _closest(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.points[:-1], self.points[1:]
        ab = b - a
        t = np.einsum("nsj,sj->ns", x[:, None, :] - a[None], ab) / np.einsum("sj,sj->s", ab, ab)
        t = np.clip(t, 0.0, 1.0)
        dist = np.linalg.norm(x[:, None, :] - (a[None] + t[..., None] * ab[None]), axis=2)
        seg = np.argmin(dist, axis=1)
        rows = np.arange(len(x))
        ts = t[rows, seg]
        arc = self.arc
        s = arc[seg] + ts * (arc[seg + 1] - arc[seg])
        n = (1 - ts)[:, None] * self.normals[seg] + ts[:, None] * self.normals[seg + 1]
        n /= np.linalg.norm(n, axis=1)[:, None]
        return dist[rows, seg], s, n


def williams_displacement(x, tip, direction, mode, mu, kappa):
    """Plane-strain Williams displacement of unit K at a 2D tip (UFL; see the module doc).

    Args:
        x: Spatial coordinate of the 2D mesh.
        tip: Tip position (2-vector).
        direction: Unit crack direction e (2-vector).
        mode: Weights (K_I, K_II) of the two modes.
        mu: Shear modulus.
        kappa: 3 − 4ν.
    """
    e1 = direction
    e2 = ufl.as_vector([-e1[1], e1[0]])
    d = x - tip
    x1, x2 = ufl.dot(d, e1), ufl.dot(d, e2)
    r = ufl.sqrt(x1**2 + x2**2)
    phi = ufl.atan2(x2, x1)
    c, s = ufl.cos(phi / 2), ufl.sin(phi / 2)
    amp = ufl.sqrt(r / (2 * np.pi)) / (2 * mu)
    u1 = amp * (mode[0] * c * (kappa - 1 + 2 * s**2) + mode[1] * s * (kappa + 1 + 2 * c**2))
    u2 = amp * (mode[0] * s * (kappa + 1 - 2 * c**2) - mode[1] * c * (kappa - 1 - 2 * s**2))
    return u1 * e1 + u2 * e2
