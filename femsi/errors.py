"""The errors femsi reports to users without a traceback.

``InputError`` is bad input found before anything is solved (exit code 2); ``SolveError`` is a
solve that failed after step cutting (exit code 1, partial results kept).
"""


class InputError(ValueError):
    """Invalid input: a config field, a unit, a path, a material or a mesh.

    Args:
        field: Dotted path of the offending config field (``geometry.radius``), or a path.
        message: What is wrong with it.
    """

    def __init__(self, field: str, message: str):
        super().__init__(field, message)  # both in args, so the error pickles across MPI ranks
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class SolveError(RuntimeError):
    """A solve that did not converge even at the smallest time step."""
