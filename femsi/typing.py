"""Type aliases for the finite-element objects femsi passes around.

DOLFINx, UFL and petsc4py ship type information, so DOLFINx objects are annotated with their
own classes (``fem.Function``, ``fem.Constant``, ``mesh.Mesh``, ``PETSc.Vec``). UFL's
expression operators are untyped: the result of ``c * ufl.grad(v)`` is ``Any`` to a type
checker whatever its operands. The aliases below name what a parameter holds all the same, so
that signatures read as documentation; they are checked only as far as UFL's classes allow.
"""

from __future__ import annotations

import ufl
from ufl.core.expr import Expr

#: A UFL expression: a Function, a Constant, a test function or an expression built of them.
type UFLExpr = Expr
#: A scalar operand of a UFL expression: an expression or a plain number (UFL wraps numbers).
type UFLValue = Expr | float
#: A UFL form: an integral or a sum of integrals (``integrand * dx``).
type UFLForm = ufl.Form
