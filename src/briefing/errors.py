"""One error hierarchy for the package.

Every error the package raises on purpose subclasses :class:`BriefingError` and
carries an ``exit_code`` that the command line returns:

====  ==========================================================
0     done
2     invalid input (data, judgments, parameters)
3     the notebook raised while it was executed
4     export (HTML or PDF) failed
5     the machine refused: the output folder cannot be written (not a folder,
      read-only, no permission, disk full) or a file cannot be read or written
====  ==========================================================

(1 is what ``briefing verify`` returns when it finds differences.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class BriefingError(Exception):
    """Base class of every error the package raises on purpose."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file, located as an editor shows it.

    Parameters
    ----------
    path : str
        The file, as given by the user.
    line : int
        1-based line of the file (the header of a table is line 1); 0 when the
        problem concerns the whole file.
    column : str
        The column (or front-matter key) the problem is in; empty for the row
        or file as a whole.
    message : str
        What was found and what was expected.
    """

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class InvalidInputError(BriefingError, ValueError):
    """Input data, judgments or parameters are not valid (exit code 2).

    Parameters
    ----------
    problems : list of Problem
        Every problem found, so that a user can fix them all at once.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ClaimValidationError(InvalidInputError):
    """The claims table breaks a rule."""


class SourceValidationError(InvalidInputError):
    """A source document or its front matter breaks a rule."""


class ReferenceValidationError(InvalidInputError):
    """A codebook in ``data/reference`` is malformed."""


class ParameterError(InvalidInputError):
    """A render parameter (date, path, ...) is not valid."""

    def __init__(self, name: str, message: str):
        super().__init__([Problem("parameters", 0, name, message)])
        self.args = (f"parameter {name}: {message}",)


class NotebookExecutionError(BriefingError):
    """The briefing notebook raised while papermill executed it (exit code 3)."""

    exit_code = 3


class ExportError(BriefingError):
    """HTML or PDF export failed (exit code 4)."""

    exit_code = 4


class EnvironmentFailure(BriefingError):
    """The machine refused what a render needs: writing the output folder (it is a file,
    read-only, not permitted, or the disk is full), reading a file (exit code 5).

    Parameters
    ----------
    action : str
        What was being done, e.g. ``"write reports/2024-12-27"``.
    error : OSError
        What the operating system said.
    """

    exit_code = 5

    def __init__(self, action: str, error: OSError):
        shown = display_path(error.filename) if error.filename else ""
        where = f" ({shown})" if shown and shown not in action else ""
        reason = error.strerror or str(error)
        super().__init__(f"cannot {action}: {reason}{where}")


def display_path(path: Path | str) -> str:
    """Return ``path`` relative to the working directory when it lies below it.

    Parameters
    ----------
    path : Path or str
        Any path.

    Returns
    -------
    str
        The shortest faithful spelling of ``path`` for messages.
    """
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
