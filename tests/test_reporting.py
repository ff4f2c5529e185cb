"""Numbers as the prose shows them (cartmodel.reporting.sci)."""

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
    assert str(sci(value, digits)) == text and float(sci(value, digits)) == value


@pytest.mark.parametrize(
    ("value", "digits", "error", "name"),
    [(1.0, 0, ValueError, "digits"), (1.0, 2.5, TypeError, "digits"), ([1.0, 2.0], 3, TypeError, "value")],
)
def test_sci_refuses_an_array_and_digits_that_are_not_a_positive_integer(value, digits, error, name):
    with pytest.raises(error, match=name):
        sci(value, digits)
