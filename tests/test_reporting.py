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
    assert str(sci(value, digits)) == text


@pytest.mark.parametrize(("digits", "error"), [(0, ValueError), (2.5, TypeError)])
def test_sci_refuses_what_is_not_a_positive_integer_of_digits(digits, error):
    with pytest.raises(error, match="digits"):
        sci(1.0, digits)
