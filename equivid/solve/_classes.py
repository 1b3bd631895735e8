"""Solver part: the learner knows only a class ``H`` of mechanisms (docs/theory.md#result-2-a-known-class-of-mechanisms).

The identification set is ``A = {a : a∘m∘a^{-1} in H for every m}`` (one learned
mechanism per true mechanism). For ``a(z) = Bz + c`` and ``m(z) = Az + b`` the
conjugate is ``h = (P, q)`` with ``P = B A B^{-1}`` and ``q = Bb + c - Pc``; writing
``c = Bw`` gives ``q = B(b + (I - A)w)``. A class is a union of affine pieces
``{(P, q)}`` (a template affine in the latents, its coefficients affine in the
unknowns), and each piece turns the condition into exact linear algebra:

- ``P`` fixed (translations ``P = I``, a permutation matrix): ``BA = PB`` and the
  condition on ``q = Bb + (I - P)c`` are linear in ``(B, c)``;
- ``P`` diagonal: the rows of ``B`` are joint left eigenvectors of the ``A``'s, one
  linear space per assignment of rows to joint eigenspaces;
- ``P`` arbitrary: no condition on ``B``;

and ``q = 0`` means ``(A - I)w = b`` for every ``m``, ``q`` arbitrary leaves ``c`` free.
``orthogonal`` is the one non-linear class: ``B^T B`` must be a form that every ``A``
preserves. The union of the pieces need not be a group; :func:`_pieces.is_group`
decides it, and membership always tests the defining condition exactly.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_spec('''
... latents: [z1, z2]
... mechanisms: {grow: [2*z1, 3*z2]}
... learner: {knows: class, class: diagonal}
... ''')
>>> group = equivid.solve(system)
>>> group.dimension, group.components, group.name
(2, 8, 'monomial matrices (permutations times scalings)')
>>> group.contains("(3*z2, -z1)"), group.contains("(z1 + z2, z2)")
(True, False)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import sympy

from ..ansatz import Ansatz
from ..errors import BudgetExceededError, SpecError, UnsupportedMechanismError, VerificationError
from ..mechanisms import System, make_symbols
from ..naming import class_name
from ._forms import AffineForm, affine_forms
from ._pieces import (
    AffineMap,
    Piece,
    affine_membership,
    assemble,
    is_group,
    sample_union,
)
from ._result import Solution
from .problem import Problem

__all__ = ["ClassPart", "MechanismClass", "mechanism_class", "NAMED_CLASSES", "named_templates"]

NAMED_CLASSES = ("translations", "axis_translations", "diagonal", "linear", "affine", "permutations", "orthogonal")
#: At most this many combinations of class pieces (one per mechanism) are solved.
MAX_COMBINATIONS = 4096

_DESCRIBE = {
    "translations": "translations z -> z + d",
    "axis_translations": "axis-aligned translations z -> z + d e_i (one coordinate moves)",
    "diagonal": "diagonal linear maps z -> Dz",
    "linear": "linear maps z -> Pz",
    "affine": "affine maps z -> Pz + q",
    "permutations": "permutations of the coordinates",
    "orthogonal": "orthogonal linear maps z -> Qz",
}


@dataclass(frozen=True)
class ClassPiece:
    """One affine piece ``{(P0 + sum u_k P_k, q0 + sum u_k q_k)}`` of a class.

    ``kind_P`` is ``fixed`` (no ``P`` directions), ``all`` or ``diagonal``; ``kind_q`` is
    ``zero``, ``all`` or ``affine``. ``rows``/``rhs`` are the implicit equations of the
    piece on ``(vec P, q)``, used for exact membership.
    """

    P0: sympy.Matrix
    kind_P: str
    diag0: sympy.Matrix
    diag_dirs: sympy.Matrix
    q0: sympy.Matrix
    q_rows: sympy.Matrix
    kind_q: str
    rows: sympy.Matrix
    rhs: sympy.Matrix

    def contains(self, P: sympy.Matrix, q: sympy.Matrix) -> bool:
        x = sympy.Matrix(list(P) + list(q))
        residual = self.rows * x - self.rhs
        return all(_zero(e) for e in residual)


@dataclass(frozen=True)
class MechanismClass:
    """A class ``H`` of affine mechanisms: a union of affine pieces, or ``orthogonal``."""

    name: str
    pieces: tuple[ClassPiece, ...]
    text: str
    n: int

    def contains(self, P: sympy.Matrix, q: sympy.Matrix) -> bool:
        """Whether ``z -> Pz + q`` lies in the class (exact; symbolic entries allowed)."""
        if self.name == "orthogonal":
            return all(_zero(e) for e in list(P.T * P - sympy.eye(self.n)) + list(q))
        return any(piece.contains(P, q) for piece in self.pieces)


def _zero(e: sympy.Expr) -> bool:
    e = sympy.sympify(e)
    if e == 0:
        return True
    if not e.free_symbols:
        return bool(sympy.nsimplify(e) == 0) if not e.is_Rational else False
    return bool(sympy.cancel(sympy.together(e)) == 0)


def _piece_from_template(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol],
                         unknowns: Sequence[sympy.Symbol], field: str) -> ClassPiece:
    n = len(latents)
    values: list[sympy.Expr] = []  # vec P then q, each affine in the unknowns
    rows_P, col_q = [], []
    affine = "an expression affine in the latents whose coefficients are affine in the unknowns"
    for i, e in enumerate(components):
        try:
            poly = sympy.Poly(e, *latents)
        except sympy.PolynomialError:
            raise SpecError(f"{field}[{i}]", str(e), affine, detail="not polynomial in the latents") from None
        if poly.total_degree() > 1:
            raise SpecError(f"{field}[{i}]", str(e), affine, detail=f"degree {poly.total_degree()} in the latents")
        ones = [tuple(int(k == j) for k in range(n)) for j in range(n)]
        rows_P.append([poly.coeff_monomial(m) for m in ones])
        col_q.append(poly.coeff_monomial(1))
    values = [v for row in rows_P for v in row] + col_q
    for v in values:
        stray = v.free_symbols - set(unknowns)
        if stray:
            raise SpecError(field, str(v), affine, detail=f"a coefficient in {sorted(map(str, stray))[0]}, not an unknown")
        if unknowns:
            try:
                degree = sympy.Poly(v, *unknowns).total_degree()
            except sympy.PolynomialError:
                raise SpecError(field, str(v), affine, detail="a coefficient not polynomial in the unknowns") from None
            if degree > 1:
                raise SpecError(field, str(v), affine, detail=f"a coefficient of degree {degree} in the unknowns")
    at_zero = {u: 0 for u in unknowns}
    v0 = sympy.Matrix([v.xreplace(at_zero) for v in values])
    dirs = sympy.Matrix([[sympy.diff(v, u) for u in unknowns] for v in values]) if unknowns else sympy.zeros(n * n + n, 0)
    left = dirs.T.nullspace() if dirs.cols else [sympy.eye(n * n + n)[:, k] for k in range(n * n + n)]
    rows = sympy.Matrix.vstack(*[v.T for v in left]) if left else sympy.zeros(0, n * n + n)
    rhs = rows * v0
    dirs_P, dirs_q = dirs[: n * n, :], dirs[n * n:, :]
    if dirs.cols and dirs.rank() != dirs_P.rank() + dirs_q.rank():
        raise UnsupportedMechanismError(
            f"{field}: templates whose linear part and translation share unknowns are not supported yet")
    P0 = sympy.Matrix(n, n, list(v0[: n * n]))
    q0 = v0[n * n:, :]
    diagonal = [i * n + i for i in range(n)]
    off = [k for k in range(n * n) if k not in diagonal]
    if dirs_P.rank() == 0:
        kind_P = "fixed"
    elif dirs_P.rank() == n * n:
        kind_P = "all"
    elif all(P0[k] == 0 for k in off) and all(dirs_P[k, j] == 0 for k in off for j in range(dirs.cols)):
        kind_P = "diagonal"
    else:
        raise UnsupportedMechanismError(
            f"{field}: the template's linear part must be fixed, diagonal or arbitrary (supported so far)")
    qr = dirs_q.rank()
    kind_q = "all" if qr == n else "zero" if qr == 0 and q0.is_zero_matrix else "affine"
    if kind_q == "affine" and kind_P != "fixed":
        raise UnsupportedMechanismError(
            f"{field}: a partly free translation needs a fixed linear part in the template (supported so far)")
    q_left = dirs_q.T.nullspace() if dirs_q.cols else [sympy.eye(n)[:, k] for k in range(n)]
    q_rows = sympy.Matrix.vstack(*[v.T for v in q_left]) if q_left else sympy.zeros(0, n)
    diag_dirs = sympy.Matrix([[dirs_P[k, j] for j in range(dirs.cols)] for k in diagonal]) if dirs.cols else sympy.zeros(n, 0)
    return ClassPiece(P0, kind_P, sympy.Matrix([P0[k] for k in diagonal]), diag_dirs, q0, q_rows, kind_q, rows, rhs)


def named_templates(name: str, latents: Sequence[sympy.Symbol]) -> list[tuple[list[sympy.Expr], list[sympy.Symbol]]]:
    n = len(latents)
    u = sympy.symbols(f"u1:{n * n + n + 1}")
    z = list(latents)
    if name == "translations":
        return [([z[i] + u[i] for i in range(n)], list(u[:n]))]
    if name == "axis_translations":
        return [([z[i] + (u[0] if i == k else 0) for i in range(n)], [u[0]]) for k in range(n)]
    if name == "diagonal":
        return [([u[i] * z[i] for i in range(n)], list(u[:n]))]
    if name in ("linear", "affine"):
        rows = [sum((u[i * n + j] * z[j] for j in range(n)), sympy.Integer(0)) for i in range(n)]
        if name == "affine":
            return [([r + u[n * n + i] for i, r in enumerate(rows)], list(u))]
        return [(rows, list(u[: n * n]))]
    if name == "permutations":
        if n > 6:
            raise BudgetExceededError(f"learner.class: permutations of {n} coordinates ({math.factorial(n)} pieces) exceed the budget")
        return [([z[p[i]] for i in range(n)], []) for p in itertools.permutations(range(n))]
    raise AssertionError(name)  # pragma: no cover


def mechanism_class(learner: Any, system: System) -> MechanismClass:
    """Read ``learner: {knows: class, class: NAME | {template: [...], unknowns: [...]}}``.

    Examples
    --------
    >>> system = System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> H = mechanism_class({"knows": "class", "class": "axis_translations"}, system)
    >>> H.contains(sympy.eye(2), sympy.Matrix([0, 5])), H.contains(sympy.eye(2), sympy.Matrix([1, 1]))
    (True, False)
    """
    if not isinstance(learner, Mapping) or learner.get("knows") != "class" or set(learner) - {"knows", "class"}:
        raise SpecError("learner", learner, "{knows: class, class: NAME or {template: [...], unknowns: [...]}}")
    value = learner.get("class")
    n = system.n
    if isinstance(value, str):
        if value not in NAMED_CLASSES:
            raise SpecError("learner.class", value, f"one of {', '.join(NAMED_CLASSES)} or a template")
        if value == "orthogonal":
            return MechanismClass(value, (), _DESCRIBE[value], n)
        templates = named_templates(value, system.latents)
        field = f"learner.class ({value})"
        pieces = tuple(_piece_from_template(t, system.latents, u, field) for t, u in templates)
        return MechanismClass(value, pieces, _DESCRIBE[value], n)
    if not isinstance(value, Mapping) or set(value) != {"template", "unknowns"}:
        raise SpecError("learner.class", value, f"one of {', '.join(NAMED_CLASSES)} or {{template: [...], unknowns: [...]}}")
    raw_unknowns = value["unknowns"]
    if not isinstance(raw_unknowns, list):
        raise SpecError("learner.class.unknowns", raw_unknowns, "a list of names")
    unknowns = make_symbols(raw_unknowns, "learner.class.unknowns", taken=[s.name for s in system.latents + system.families])
    table = {s.name: s for s in system.latents + unknowns}
    from ..mechanisms import mechanism_components

    components = mechanism_components(value["template"], table, "learner.class.template", n, {})
    piece = _piece_from_template(components, system.latents, unknowns, "learner.class.template")
    text = "the template (" + ", ".join(map(str, components)) + ") with unknowns " + ", ".join(map(str, unknowns))
    return MechanismClass("template", (piece,), text, n)


# -- the condition ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassCondition:
    """``a∘m∘a^{-1} in H`` for every mechanism: exact membership."""

    kind = "class"

    H: MechanismClass
    mechanisms: tuple[tuple[sympy.Matrix, sympy.Matrix], ...]
    ansatz: Ansatz
    pieces: tuple[Piece, ...] = ()

    def sample(self, rng: Any, latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
        """A random element of the set (any piece)."""
        return sample_union(self.pieces, rng, latents)

    def holds(self, a: AffineMap) -> bool:
        B, c = a
        Binv = B.inv() if not B.free_symbols else B.adjugate() / B.det()
        for A, b in self.mechanisms:
            P = (B * A * Binv).applyfunc(sympy.cancel)
            q = (B * b + c - P * c).applyfunc(sympy.cancel)
            if not self.H.contains(P, q):
                return False
        return True

    def membership(self, a: Any, system: System) -> tuple[tuple[sympy.Expr, ...], bool, bool | None, bool | None]:
        return affine_membership(a, system, self.ansatz, self.holds)

    def describe(self) -> str:
        return f"the learner knows only that every mechanism is one of {self.H.text}"


# -- solving ---------------------------------------------------------------------------------
def _nullspace_solution(equations: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol]) -> tuple[sympy.Matrix, list[sympy.Matrix]] | None:
    """Particular solution and nullspace basis of linear equations, or None if inconsistent."""
    if not equations:
        return sympy.zeros(len(unknowns), 1), [sympy.eye(len(unknowns))[:, k] for k in range(len(unknowns))]
    M, rhs = sympy.linear_eq_to_matrix(list(equations), list(unknowns))
    try:
        particular, params = M.gauss_jordan_solve(rhs)
    except ValueError:
        return None
    free = list(params)
    base = particular.xreplace({p: 0 for p in free})
    return base, M.nullspace()


def _joint_left_eigenspaces(mats: Sequence[sympy.Matrix], n: int) -> list[tuple[tuple[sympy.Expr, ...], list[sympy.Matrix]]]:
    """``[(eigenvalues per matrix, basis of row vectors r with r A_m = lambda_m r)]``, real only."""
    spaces: list[tuple[tuple[sympy.Expr, ...], list[sympy.Matrix]]] = [((), [sympy.eye(n)[k, :] for k in range(n)])]
    for A in mats:
        nxt = []
        for lams, basis in spaces:
            E = sympy.Matrix.vstack(*basis)  # rows span the current space
            for lam, _, _ in A.T.eigenvects():
                if not lam.is_real:
                    continue
                # x E (A - lam I) = 0
                coeffs = (E * (A - lam * sympy.eye(n))).T.nullspace()
                vecs = [(v.T * E).applyfunc(sympy.nsimplify) for v in coeffs]
                if vecs:
                    nxt.append((lams + (lam,), vecs))
        spaces = nxt
    return spaces


def _solve_piece_combo(forms: Sequence[tuple[sympy.Matrix, sympy.Matrix]], pieces: Sequence[ClassPiece],
                       n: int, linear: bool, names: tuple[sympy.Symbol, ...]) -> list[Piece]:
    """All pieces of ``{a : a m_k a^{-1} in pieces[k]}`` (same kind for every k)."""
    kind = pieces[0].kind_P
    Bs = sympy.Matrix(n, n, sympy.symbols(f"_b0:{n * n}"))
    cs = sympy.Matrix(sympy.symbols(f"_c0:{n}"))
    if kind == "fixed":
        eqs: list[sympy.Expr] = []
        for (A, b), piece in zip(forms, pieces):
            eqs += list(Bs * A - piece.P0 * Bs)
            q = Bs * b + (sympy.eye(n) - piece.P0) * cs
            if piece.kind_q != "all":
                eqs += list(piece.q_rows * (q - piece.q0))
        if linear:
            eqs += list(cs)
        unknowns = list(Bs) + list(cs)
        solved = _nullspace_solution([e for e in eqs if e != 0], unknowns)
        if solved is None:
            return []
        base, null = solved
        return [_linear_piece(base, null, n, names)]
    # kind "all" or "diagonal": B-spaces, then w or c
    if kind == "all":
        spaces: list[tuple[sympy.Matrix, list[sympy.Matrix]]] = [(sympy.zeros(n * n, 1), [sympy.eye(n * n)[:, k] for k in range(n * n)])]
    else:
        spaces = _diagonal_spaces(forms, pieces, n)
    if pieces[0].kind_q == "all":
        out = []
        for base, null in spaces:
            vb = [sympy.Matrix(list(v) + [0] * n) for v in null]
            vc = [] if linear else [sympy.Matrix([0] * (n * n) + [int(j == k) for j in range(n)]) for k in range(n)]
            out.append(_linear_piece(sympy.Matrix(list(base) + [0] * n), vb + vc, n, names))
        return out
    # q = 0: (A - I) w = b for every mechanism, c = B w
    w = sympy.Matrix(sympy.symbols(f"_w0:{n}"))
    weqs = [e for A, b in forms for e in (A - sympy.eye(n)) * w - b]
    if linear:
        weqs += list(w)
    solved = _nullspace_solution([e for e in weqs if e != 0], list(w))
    if solved is None:
        return []
    w0, K = solved
    out = []
    for base, null in spaces:
        out.append(_bilinear_piece(base, null, w0, K, n, names))
    return out


def _diagonal_spaces(forms: Sequence[tuple[sympy.Matrix, sympy.Matrix]], pieces: Sequence[ClassPiece], n: int) -> list[tuple[sympy.Matrix, list[sympy.Matrix]]]:
    joint = _joint_left_eigenspaces([A for A, _ in forms], n)
    if sum(len(basis) for _, basis in joint) < n:
        return []  # not simultaneously diagonalizable over the reals
    labels = [j for j, (_, basis) in enumerate(joint) for _ in basis]
    assignments = sorted(set(itertools.permutations(labels)))
    if len(assignments) > MAX_COMBINATIONS:
        raise BudgetExceededError(f"learner.class: {len(assignments)} eigenvector assignments exceed the budget of {MAX_COMBINATIONS}")
    out = []
    for assignment in assignments:
        ok = True
        for m, piece in enumerate(pieces):
            d = sympy.Matrix([joint[j][0][m] for j in assignment])
            if piece.diag_dirs.cols:
                ok = _nullspace_solution(list(piece.diag_dirs * sympy.Matrix(sympy.symbols(f"_d0:{piece.diag_dirs.cols}")) + piece.diag0 - d),
                                         list(sympy.symbols(f"_d0:{piece.diag_dirs.cols}"))) is not None and ok
            else:
                ok = ok and piece.diag0 == d
        if not ok:
            continue
        null = []
        for i, j in enumerate(assignment):
            for v in joint[j][1]:
                M = sympy.zeros(n, n)
                M[i, :] = v
                null.append(sympy.Matrix(list(M)))
        out.append((sympy.zeros(n * n, 1), null))
    return out


def _linear_piece(base: sympy.Matrix, null: Sequence[sympy.Matrix], n: int, names: tuple[sympy.Symbol, ...]) -> Piece:
    """``(vec B, c) = base + sum t_k null_k``."""
    t = names[: len(null)]
    vec = base + sum((tk * v for tk, v in zip(t, null)), sympy.zeros(n * n + n, 1))
    B = sympy.Matrix(n, n, list(vec[: n * n]))
    c = vec[n * n:, :]
    return _with_point(B, c, tuple(t))


def _bilinear_piece(base: sympy.Matrix, null: Sequence[sympy.Matrix], w0: sympy.Matrix, K: Sequence[sympy.Matrix],
                    n: int, names: tuple[sympy.Symbol, ...]) -> Piece:
    """``B = base + sum t_k null_k``, ``c = B (w0 + sum r_j K_j)``."""
    t = names[: len(null) + len(K)]
    vec = base + sum((tk * v for tk, v in zip(t, null)), sympy.zeros(n * n, 1))
    B = sympy.Matrix(n, n, list(vec))
    w = w0 + sum((r * k for r, k in zip(t[len(null):], K)), sympy.zeros(n, 1))
    return _with_point(B, (B * w).applyfunc(sympy.expand), tuple(t))


def _with_point(B: sympy.Matrix, c: sympy.Matrix, t: tuple[sympy.Symbol, ...]) -> Piece:
    """Find the identity in the piece if it is there, else a random invertible element."""
    n = B.rows
    eqs = [e for e in list(B - sympy.eye(n)) + list(c) if e != 0]
    if not eqs:
        return Piece(B, c, t, tuple(sympy.Integer(0) for _ in t), has_identity=True)
    sol = sympy.solve(eqs, list(t), dict=True) if t else []
    if sol:
        point = tuple(sympy.sympify(sol[0].get(s, 0)).xreplace({x: 0 for x in t}) for s in t)
        Bp = B.xreplace(dict(zip(t, point)))
        cp = c.xreplace(dict(zip(t, point)))
        if Bp == sympy.eye(n) and cp.is_zero_matrix:
            return Piece(B, c, t, point, has_identity=True)
    rng = np.random.default_rng(3)
    from ._pieces import random_point

    for _ in range(200):
        point = tuple(random_point(len(t), rng))
        if B.xreplace(dict(zip(t, point))).det() != 0:
            return Piece(B, c, t, point)
    return Piece(B, c, t, ())  # singular piece: dropped by the caller


def _affine_maps(system: System) -> tuple[tuple[sympy.Matrix, sympy.Matrix], ...]:
    forms: list[AffineForm] | None = affine_forms(system)
    if forms is None or system.families or system.flows:
        raise UnsupportedMechanismError(
            "learner: classes are supported for affine maps without families or flows so far")
    return tuple((sympy.Matrix(f.slices[0].A), sympy.Matrix(f.slices[0].b)) for f in forms)


class ClassPart:
    """Matches a system whose learner knows only a class; solves for the identification set."""

    name = "class"
    #: Cross-examined by default: the pieces come from a hand-picked list of candidate conjugations.
    examined = True

    def matches(self, problem: Problem) -> bool:
        return problem.learner_class and not problem.finite

    def solve(self, problem: Problem) -> Solution:
        system, ansatz = problem.system, problem.ansatz
        if isinstance(system.learner, Mapping) and system.learner.get("knows") == "exact" and set(system.learner) == {"knows"}:
            raise AssertionError("exact learners are solved by the other parts")  # pragma: no cover
        H = mechanism_class(system.learner, system)
        if ansatz.kind not in ("linear", "affine"):
            raise UnsupportedMechanismError(f"ansatz: {ansatz} with a class of mechanisms is not supported yet (use linear or affine)")
        if any(m.noise for m in system.mechanisms):
            raise UnsupportedMechanismError("learner: a class of stochastic mechanisms is not supported yet")
        maps = _affine_maps(system)
        n = system.n
        linear = ansatz.kind == "linear"
        names = _parameter_names(system, n)
        condition = ClassCondition(H, maps, ansatz)
        if H.name == "orthogonal":
            from ._orthogonal import orthogonal_pieces

            pieces = orthogonal_pieces(maps, n, linear, names)
        else:
            pieces = self._pieces(H, maps, n, linear, names)
        notes = [condition.describe() + f"; searched among {ansatz.describe()}"]
        if not pieces:
            raise UnsupportedMechanismError(
                f"learner: no invertible {ansatz.describe()} conjugates every mechanism into the class "
                f"({H.text}): the mechanisms are not in the class up to a change of coordinates")
        condition = replace(condition, pieces=tuple(pieces))
        group = is_group(pieces, condition.holds, n)
        if group:
            notes.append(f"the set is a group ({len(pieces)} piece{'s' if len(pieces) > 1 else ''})")
        else:
            notes.append(
                f"the set is not a group: a∘m∘a^{{-1}} in H for every m does not survive composition "
                f"({len(pieces)} piece{'s' if len(pieces) > 1 else ''}, each given by one element in 'discrete')")
        name = class_name(pieces, n, group, linear)
        extra = (("learner", {"knows": "class", "class": H.name, "description": H.text}), ("pieces", len(pieces)))
        solution = assemble(
            pieces, latents=system.latents, ansatz=ansatz, part=self.name, holds=condition.holds,
            condition=condition, group=group, name=name, notes=notes, extra=extra,
        )
        if H.name == "orthogonal":  # O(n) times a convex cone: two components per piece
            Bp, cp = pieces[0].at(pieces[0].point)
            R = sympy.diag(-1, *([1] * (n - 1)))
            if not condition.holds((R * Bp, R * cp)):
                raise VerificationError("the reflected element fails the defining condition")
            other = tuple(sympy.expand(e) for e in R * Bp * sympy.Matrix(system.latents) + R * cp)
            solution = replace(solution, components=2 * len(pieces), discrete=solution.discrete + (other,), notes=solution.notes + (
                "the general element is subject to the equations "
                + ", ".join(f"{e} = 0" for e in pieces[0].equations)
                + " (B^T B is a form every linear part preserves); dimension: the forms' plus n(n-1)/2",))
        if name in (f"GL({n})", f"affine group Aff({n})"):  # two components: det B > 0 and det B < 0
            flip = (-system.latents[0],) + tuple(system.latents[1:])
            reflection = (sympy.diag(-1, *([1] * (n - 1))), sympy.zeros(n, 1))
            if not condition.holds(reflection):
                raise VerificationError(f"the reflection {flip} fails the defining condition")
            solution = replace(solution, components=2, discrete=(flip,))
        if group and solution.parameters and "equations" not in dict(solution.extra):
            solution = replace(solution, lie_algebra=_tangents(solution))
        return solution

    def _pieces(self, H: MechanismClass, maps: Sequence[tuple[sympy.Matrix, sympy.Matrix]], n: int, linear: bool,
                names: tuple[sympy.Symbol, ...]) -> list[Piece]:
        combos = len(H.pieces) ** len(maps)
        if combos > MAX_COMBINATIONS:
            raise BudgetExceededError(
                f"learner.class: {combos} combinations of class pieces for {len(maps)} mechanisms exceed the budget of {MAX_COMBINATIONS}")
        options = []
        for A, _ in maps:  # prune fixed pieces that cannot be conjugate to A
            options.append([p for p in H.pieces if p.kind_P != "fixed" or p.P0.charpoly() == A.charpoly()])
        found: list[Piece] = []
        seen: set[Any] = set()
        for combo in itertools.product(*options):
            for piece in _solve_piece_combo(maps, combo, n, linear, names):
                if not piece.point:
                    continue
                key = _span_key(piece) or (tuple(piece.B), tuple(piece.c))
                if key in seen:
                    continue
                seen.add(key)
                found.append(piece)
        return found


def _span_key(piece: Piece) -> tuple[Any, ...] | None:
    """A canonical form of a piece that is an affine space in ``(vec B, c)`` (None otherwise)."""
    entries = list(piece.B) + list(piece.c)
    dirs = [sympy.Matrix([sympy.diff(e, t) for e in entries]) for t in piece.parameters]
    if any(v.free_symbols for v in dirs):
        return None
    base = sympy.Matrix([e.xreplace({t: 0 for t in piece.parameters}) for e in entries])
    if not dirs:
        return (tuple(base),)
    rref, pivots = sympy.Matrix.hstack(*dirs).T.rref()
    rows = [rref.row(k) for k in range(len(pivots))]
    for row, col in zip(rows, pivots):
        base = base - base[col] * row.T
    return tuple(tuple(r) for r in rows), tuple(base)


def _parameter_names(system: System, n: int) -> tuple[sympy.Symbol, ...]:
    from ._result import parameter_symbols

    return parameter_symbols(2 * n * n + 2 * n, [s.name for s in system.latents + system.families])


def _tangents(solution: Solution) -> tuple[tuple[sympy.Expr, ...], ...]:
    """Tangent vectors of the general element at the identity: the Lie algebra of the group."""
    at = dict(zip(solution.parameters, solution.identity))
    return tuple(
        tuple(sympy.expand(sympy.diff(e, t).xreplace(at)) for e in solution.general_element)
        for t in solution.parameters
    )
