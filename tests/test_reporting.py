"""Numbers as the prose shows them (cartmodel.reporting.sci)."""

import math

import pytest

from cartmodel.reporting import sci


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (14728068.62, 3, "1.47 × 10⁷"),
        (625010.58, 4, "6.250 × 10⁵"),
        (23.0258, 3, "23.0"),
        (0.625, 3, "0.625"),
        (6250.0, 3, "6,250"),
        (9996.0, 3, "1.00 × 10⁴"),  # rounding carries into the next decade
        (4.44e-16, 2, "4.4 × 10⁻¹⁶"),
        (-3.2e-5, 3, "-3.20 × 10⁻⁵"),
        (0.0, 3, "0"),
    ],
)
def test_sci_text(value, digits, text):
    assert str(sci(value, digits)) == text
    assert repr(sci(value, digits)) == text


def test_sci_round_trips_its_value_to_the_digits_shown():
    for value in (1.2345e-9, 0.0123, 7.0, 123456.0, 9.87e21):
        shown = str(sci(value, 4)).replace(",", "").replace(" × 10", "e")
        mantissa, _, exponent = shown.partition("e")
        exponent = exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")) or "0"
        assert float(mantissa) * 10 ** int(exponent) == pytest.approx(value, rel=5e-4)
        assert float(sci(value)) == value


@pytest.mark.parametrize(("call", "error", "name"), [
    *[(lambda bad=bad: sci(bad), (ValueError, TypeError), "value") for bad in (math.nan, math.inf, "7", None, [1.0, 2.0])],
    (lambda: sci(1.0, 0), ValueError, "digits"),
    (lambda: sci(1.0, 2.5), TypeError, "digits"),
])
def test_sci_refuses_what_is_not_one_finite_number_or_a_positive_integer_of_digits(call, error, name):
    with pytest.raises(error, match=name):
        call()
