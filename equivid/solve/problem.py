"""The problem every solver part sees: a system, the class searched, and the facts about
them that several parts need, each computed once (on first use) and kept on the value."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..ansatz import Ansatz
from ..mechanisms import System
from ._forms import AffineForm, affine_forms

__all__ = ["Problem"]


@dataclass(frozen=True, eq=False)
class Problem:
    """``a∘m = m∘a`` (or its class, noise, flow or finite-state version) for ``a`` in
    ``ansatz`` and every mechanism of ``system``.

    Examples
    --------
    >>> import equivid
    >>> problem = Problem(equivid.System.from_maps(["z1"], {"m": ["2*z1"]}), equivid.Ansatz.parse("affine"))
    >>> problem.affine, problem.polynomial, problem.finite
    (True, True, False)
    """

    system: System
    ansatz: Ansatz

    @cached_property
    def forms(self) -> list[AffineForm] | None:
        """Affine forms of all mechanisms (slices per family function), or None when one is not affine."""
        if self.finite:
            return None
        return affine_forms(self.system)

    @property
    def affine(self) -> bool:
        return self.forms is not None

    @property
    def finite(self) -> bool:
        return bool(self.system.states)

    @cached_property
    def polynomial(self) -> bool:
        """Every mechanism component is polynomial in the latents and family symbols."""
        gens = self.system.latents + self.system.families
        return not self.finite and all(c.is_polynomial(*gens) for m in self.system.mechanisms for c in m.components)

    @property
    def stochastic(self) -> bool:
        return any(m.noise is not None for m in self.system.mechanisms)

    @property
    def learner_class(self) -> bool:
        return self.system.learner is not None
