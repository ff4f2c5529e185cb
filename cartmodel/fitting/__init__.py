"""Reading the antigen burden ``P`` back from repeated CAR T counts (Toor et al., 2019).

With the CAR's affinity ``B`` known, :func:`fit_burden` (one patient) and
:func:`fit_cohort` (many at once) fit ``P`` and, optionally, the rates ``r``,
``q`` and the ``scale`` of measured counts per model cell, by least squares on
log counts::

    ln y_i = ln(scale * N(d_i; P, r, q, B, K, n0)) + e_i,    e_i ~ Normal(0, sigma^2)

with ``N`` from :func:`cartmodel.simulate`.  The interval for ``P`` is a
profile-likelihood interval: the ``P`` whose profile sum of squares (the other
free parameters re-fitted) is at most ``RSS_min + c * sigma^2``, ``c`` the
``confidence`` quantile of F(1, n - p) with ``sigma`` estimated as
``sqrt(RSS_min / (n - p))``, or of chi-squared(1) with ``sigma`` given.  Other
parameters are judged by Wald intervals on the log scale.  An
:class:`IdentifiabilityWarning` names each parameter the counts cannot pin
down: early counts see only ``r`` and ``scale * n0``, counts near the peak and
in the contraction ``scale * K * B * P`` and ``r - q``, plateau counts
``scale * K * B``.
"""

from __future__ import annotations

from ._checks import DEFAULT_BOUNDS, FREE_PARAMETERS
from ._counts import log_sensitivities, sample_counts
from ._fit import BurdenFit, CohortFit, cohort_recovery, fit_burden, fit_cohort
from ._pipeline import IdentifiabilityWarning
from ._recovery import CohortRecovery, clopper_pearson
from ._synthetic import SyntheticCohort, synthetic_cohort

# scipy.stats is imported inside the functions that use it: it takes about a second to
# import, which every chapter would pay through `import cartmodel`.

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

