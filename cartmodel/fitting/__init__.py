"""Reading the antigen burden ``P`` back from repeated CAR T counts.

The paper proposes using Equation 1 in reverse: count circulating CAR T cells
on a few days after an infusion and, with the CAR's affinity ``B`` known, read
the antigen burden ``P`` from the growth curve (Toor et al., 2019).  This
module fits ``P`` (and, optionally, the CAR T growth rate ``r``, the tumour
growth rate ``q`` and the ``scale`` between measured counts and the model's
cells) by least squares on log counts, gives a profile-likelihood confidence
interval for ``P``, and warns when the sampling schedule cannot pin a
parameter down.

Measurement model
-----------------
A count ``y_i`` on day ``d_i`` is ``scale * N(d_i)`` times log-normal error::

    ln y_i = ln(scale * N(d_i; P, r, q, B, K, n0)) + e_i,    e_i ~ Normal(0, sigma^2)

``N`` is :func:`cartmodel.simulate` (Equation 1, one step per ``dt`` days).
``scale`` is the measured count per model cell: the paper assumes that the
cells in blood are proportional to the whole CAR T pool, and ``scale`` is that
(unknown) proportion, expressed in whatever unit the counts are in.  Because
``scale * N(K, n0) = N(scale * K, scale * n0)``, fitting ``scale`` is the same
as fitting the dose and the capacity scale together: the "dose scaling".

What the data can identify
--------------------------
* Before the cells come near their capacity, ``N_t ~ n0 e^{r t}``: early
  counts identify ``r`` and ``scale * n0`` but carry no information on ``P``
  or ``q``.
* Around the peak and during the contraction the cells follow the capacity
  ``K B P e^{(q - r) t}``: these counts identify ``scale * K * B * P`` and the
  contraction rate ``r - q``.
* After the tumour is gone the cells sit at ``K B``: plateau counts identify
  ``scale * K * B`` and nothing else.

So ``P`` needs counts near the peak or in the contraction, plus either known
``scale`` or counts that fix it (early counts, through the known dose, or
plateau counts, through the known ``K B``); ``r`` and ``q`` together need both
the expansion and the contraction.
"""

from __future__ import annotations

from ._checks import DEFAULT_BOUNDS, FREE_PARAMETERS
from ._counts import log_sensitivities, sample_counts
from ._fit import BurdenFit, CohortFit, cohort_recovery, fit_burden, fit_cohort
from ._pipeline import IdentifiabilityWarning
from ._recovery import CohortRecovery, clopper_pearson
from ._synthetic import SyntheticCohort, synthetic_cohort

# scipy.optimize and scipy.stats are imported inside the functions that use them: they
# take about a second to import, which every chapter would pay through `import cartmodel`.

__all__ = [
    "BurdenFit",
    "DEFAULT_BOUNDS",
    "FREE_PARAMETERS",
    "IdentifiabilityWarning",
    "CohortFit",
    "CohortRecovery",
    "SyntheticCohort",
    "clopper_pearson",
    "cohort_recovery",
    "fit_burden",
    "fit_cohort",
    "log_sensitivities",
    "sample_counts",
    "synthetic_cohort",
]

