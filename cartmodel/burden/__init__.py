"""The antigen-burden estimate for ALL proposed by Toor et al. (2019), and its link to Equation 1.

The paper suggests a continuous antigen-burden variable for acute lymphoblastic
leukaemia: the blasts in the blood and in the (uniformly involved) marrow, times
the antigen density on each blast::

    circulating blasts = WBC * blood blast fraction * blood volume
    marrow blasts      = weight * marrow nucleated cells per kg
                         * (cellularity / normal cellularity for age)
                         * infiltration fraction
    antigen burden     = (circulating + marrow blasts) * antigen molecules per blast

The marrow count per kg is that of a marrow of *normal* cellularity
(:data:`~cartmodel.burden.estimate.MARROW_NUCLEATED_CELLS_PER_KG`), and
:func:`~cartmodel.burden.estimate.p_from_antigen` turns an antigen burden into
Equation 1's ``P``.

:mod:`~cartmodel.burden.estimate` is the estimate (and the marrow after treatment),
:mod:`~cartmodel.burden.sensitivity` its one-at-a-time (tornado) analysis; every name
of both is importable from here.
"""

from __future__ import annotations

from . import estimate, sensitivity
from .estimate import *  # noqa: F403  the estimate, from measurements to P
from .sensitivity import *  # noqa: F403  the one-at-a-time sensitivity of the estimate

__all__ = [*estimate.__all__, *sensitivity.__all__]
