"""Matplotlib figures of the book, drawn from :mod:`cartmodel.model` results.

Each function draws on an ``ax`` it is given (or a new one) and returns the
axes, so that chapters can compose panels and tests can read back the plotted
data from ``ax.lines``.

The functions live in one module per subject and are all importable from here:

* :mod:`cartmodel.plotting.equation1`: Figures 1 and 2, the readings of Equation 1;
* :mod:`cartmodel.plotting.repertoire`: Figure 3, rank-frequency, the DLI response;
* :mod:`cartmodel.plotting.burden`: the burden estimate, the burden read from counts, kinetics;
* :mod:`cartmodel.plotting.dosing`: dosing curves, nomograms, schedules, target attainment;
* :mod:`cartmodel.plotting.killing`: Equation 1 with killing, its window, verdicts side by side.
"""

from __future__ import annotations

# Each module states its public names once, in its __all__; the package re-exports them.
from . import burden, dosing, equation1, killing, repertoire
from .burden import *  # noqa: F403
from .dosing import *  # noqa: F403
from .equation1 import *  # noqa: F403
from .killing import *  # noqa: F403
from .repertoire import *  # noqa: F403

__all__ = [*equation1.__all__, *repertoire.__all__, *dosing.__all__, *burden.__all__, *killing.__all__]
