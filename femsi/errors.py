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
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class SolveError(RuntimeError):
    """A solve that did not converge even at the smallest time step."""
