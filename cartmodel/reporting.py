"""How the book's prose shows numbers computed by the model.

Chapters glue numbers into their text with myst-nb.  Plain float formats print
large cell counts as ``1.47e+07``, which reads as code; :func:`sci` gives an
object that prints as ``1.47 × 10⁷`` instead and can be glued with myst-nb's
``glue:text`` role, given no format spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ._validation import as_real_array, check_positive_int

__all__ = ["Quantity", "sci"]

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Quantity:
    """A number rounded to ``digits`` significant figures for prose.

    Magnitudes from 0.001 up to 10,000 print as decimals (``23.0``,
    ``0.625``, ``6,250``); others as ``m × 10ⁿ`` (``1.47 × 10⁷``).
    """

    value: float
    digits: int = 3

    def __str__(self) -> str:
        if self.value == 0 or not math.isfinite(self.value):
            return "0" if self.value == 0 else str(self.value)
        # Python's "e" format rounds correctly, carries into the next decade (9.996 -> 1.00e+01)
        # and, unlike dividing by 10.0**exponent, works down to the smallest subnormal
        mantissa_text, exponent_text = f"{self.value:.{self.digits - 1}e}".split("e")
        mantissa, exponent = float(mantissa_text), int(exponent_text)
        if -3 <= exponent < 4:
            decimals = max(self.digits - 1 - exponent, 0)
            return f"{mantissa * 10.0**exponent:,.{decimals}f}"
        return f"{mantissa:.{self.digits - 1}f} × 10{str(exponent).translate(_SUPERSCRIPTS)}"

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython's text/plain
        printer.text(str(self))

    def __float__(self) -> float:
        return self.value


def sci(value: Any, digits: int = 3) -> Quantity:
    """Wrap a finite real number for prose; see :class:`Quantity`.

    Examples
    --------
    >>> str(sci(14728068.6)), str(sci(23.03)), str(sci(0.625)), str(sci(6250))
    ('1.47 × 10⁷', '23.0', '0.625', '6,250')
    """
    number = as_real_array("value", value)
    if number.ndim:
        raise TypeError(f"value must be a scalar; got an array of shape {number.shape}")
    return Quantity(float(number), check_positive_int("digits", digits, low=1, high=15))
