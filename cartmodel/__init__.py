"""cartmodel: the executable model behind the companion book to Toor et al. (2019).

The paper argues that CAR T cells, unlike donor lymphocyte infusions or drugs,
expand in proportion to their antigen burden and scFv affinity, so that their
dose should follow the tumour burden.  The package implements its equations and
the tools the book builds on them:

* :mod:`cartmodel.model`: Equation 1, antigen-driven CAR T expansion; its
  computation lives in :mod:`cartmodel.engine`, its parameters' names, units,
  ranges and defaults in :mod:`cartmodel.parameters`.
* :mod:`cartmodel.repertoire`: the donor T cell repertoire: clones, peptides, power laws.
* :mod:`cartmodel.equation2`: Equation 2, the donor clones expanding against their peptides.
* :mod:`cartmodel.response`: the probability of a GVHD-free response to DLI.
* :mod:`cartmodel.burden`: the ALL antigen-burden estimate, its mapping to P and its
  sensitivity to each input.
* :mod:`cartmodel.fitting`: reading the antigen burden from repeated CAR T counts.
* :mod:`cartmodel.dosing`: dose-response grids, ceiling doses and split schedules.
* :mod:`cartmodel.population`: virtual cohorts and probabilities of target attainment.
* :mod:`cartmodel.killing`: the book's extension of Equation 1 in which the CAR T
  cells also kill the tumour, its calibration and therapeutic window.
* :mod:`cartmodel.calibration`: Equation 1 calibrated to the published
  tisagenlecleucel kinetics, for comparing the model with clinical findings.
* :mod:`cartmodel.paper`, :mod:`cartmodel.published`: the paper's caption
  parameters and published values, each with its source.
* :mod:`cartmodel.plotting`, :mod:`cartmodel.widgets`, :mod:`cartmodel.reporting`:
  figures, ipywidgets explorers and numbers for prose (imported on demand, so
  that the model needs neither matplotlib nor ipywidgets at import).
"""
# Each module states its public names once, in its __all__; the package re-exports them.
from . import burden, dosing, equation2, fitting, model, population, repertoire, response
from .burden import *  # noqa: F403  the ALL antigen-burden estimate
from .dosing import *  # noqa: F403  dose-response grids, ceiling doses, split schedules
from .equation2 import *  # noqa: F403  Equation 2: donor T cell clones expanding
from .fitting import *  # noqa: F403  reading the antigen burden from CAR T counts
from .model import *  # noqa: F403  Equation 1: antigen-driven CAR T expansion
from .population import *  # noqa: F403  dosing for a population: virtual cohorts, target attainment
from .repertoire import *  # noqa: F403  the donor T cell repertoire of Equation 2
from .response import *  # noqa: F403  the probability of a GVHD-free response to DLI

__version__ = "0.1.0"

__all__ = [
    *model.__all__,
    *repertoire.__all__,
    *equation2.__all__,
    *response.__all__,
    *burden.__all__,
    *fitting.__all__,
    *dosing.__all__,
    *population.__all__,
]
