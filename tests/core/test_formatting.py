from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from motcua.core.formatting import count_vi, date_vi, datetime_vi, number_vi, percent_vi


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("99.56"), "99,56%"),
        (Decimal("24.00"), "24%"),
        (Decimal("25.50"), "25,5%"),
        (19.444, "19,44%"),
        (19.445, "19,45%"),
        (0, "0%"),
        (None, "không có dữ liệu"),
    ],
)
def test_percent_in_vietnamese_style(value, text):
    assert percent_vi(value) == text


def test_numbers_dates_and_counts():
    assert number_vi(1234567.891) == "1.234.567,89"
    assert number_vi(-5) == "-5"
    assert percent_vi(Decimal("53.93"), space=True) == "53,93 %"
    assert count_vi(6) == "06"
    assert date_vi(date(2023, 9, 29)) == "29/09/2023"
    # 17:30 UTC is already the next day in Vietnam.
    assert date_vi(datetime(2023, 9, 29, 17, 30, tzinfo=UTC)) == "30/09/2023"
    assert datetime_vi(datetime(2023, 9, 29, 1, 0, tzinfo=UTC)) == "29/09/2023 08:00"
