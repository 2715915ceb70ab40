"""What the domain integrals return: G, K_I, K_II of a 2D tip and G along a 3D front."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def mode_I_K(G, E: float, nu: float):
    """K = √(G E/(1 − ν²)): the K of a plane-strain (or 3D front) tip in pure mode I, Pa√m."""
    return np.sqrt(np.asarray(G) * E / (1 - nu**2))


@dataclass(frozen=True)
class CrackResult:
    """Domain-integral results of one 2D tip on several rings.

    Attributes:
        G: Energy release rate on each ring, J/m².
        K_I: Mode-I stress intensity factor on each ring, Pa√m (NaN at finite strain).
        K_II: Mode-II stress intensity factor on each ring, Pa√m (NaN at finite strain).
    """

    G: np.ndarray
    K_I: np.ndarray
    K_II: np.ndarray

    @property
    def G_mean(self) -> float:
        """Mean of G over the rings."""
        return float(np.mean(self.G))

    @property
    def G_spread(self) -> float:
        """(max − min)/|mean| of G over the rings."""
        return float(np.ptp(self.G) / abs(np.mean(self.G)))


@dataclass(frozen=True)
class FrontResult:
    """Domain-integral results along a 3D crack front.

    Attributes:
        s: Arc length of each station from the front's first point, m.
        points: Station points, k × 3, m.
        G: Energy release rate, rings × stations, J/m².
    """

    s: np.ndarray
    points: np.ndarray
    G: np.ndarray

    @property
    def G_station(self) -> np.ndarray:
        """Mean over the rings at each station, J/m²."""
        return self.G.mean(axis=0)

    @property
    def ring_spread(self) -> np.ndarray:
        """(max − min)/|mean| over the rings at each station."""
        return np.ptp(self.G, axis=0) / np.abs(self.G_station)

    @property
    def G_mean(self) -> float:
        """Mean over rings and stations, J/m²."""
        return float(np.mean(self.G))

    @property
    def front_spread(self) -> float:
        """(max − min)/|mean| of the ring-averaged G along the front."""
        return float(np.ptp(self.G_station) / abs(self.G_mean))
