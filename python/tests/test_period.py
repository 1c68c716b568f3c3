import datetime
import pickle

import pytest

import hrh


def test_parse_and_dates() -> None:
    p = hrh.Period("2024W1")
    assert str(p) == "2024W1"
    assert repr(p) == "Period('2024W1')"
    assert p.start == datetime.date(2024, 1, 1)
    assert p.end == datetime.date(2024, 1, 7)
    assert p.period_type == "Weekly"
    assert isinstance(p.start, datetime.date)


@pytest.mark.parametrize(
    ("period_id", "start", "end", "period_type"),
    [
        ("2024", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "Yearly"),
        ("202402", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), "Monthly"),
        ("2024Q3", datetime.date(2024, 7, 1), datetime.date(2024, 9, 30), "Quarterly"),
        ("2024NovQ1", datetime.date(2023, 11, 1), datetime.date(2024, 1, 31), "QuarterlyNov"),
    ],
)
def test_period_types(period_id: str, start: datetime.date, end: datetime.date, period_type: str) -> None:
    p = hrh.Period(period_id)
    assert (p.start, p.end, p.period_type) == (start, end, period_type)


def test_equality_hash_and_order() -> None:
    assert hrh.Period("2024W1") == hrh.Period("2024W1")
    assert hrh.Period("2024W1") != hrh.Period("2024W2")
    assert len({hrh.Period("2024W1"), hrh.Period("2024W1"), hrh.Period("2024")}) == 2
    assert hrh.Period("2024W1") < hrh.Period("2024W2")
    assert sorted([hrh.Period("2024W3"), hrh.Period("2024W1")]) == [hrh.Period("2024W1"), hrh.Period("2024W3")]


def test_containing() -> None:
    # Monday 2024-12-30 is in ISO week 1 of 2025.
    assert str(hrh.Period.containing(datetime.date(2024, 12, 30), "Weekly")) == "2025W1"
    assert str(hrh.Period.containing(datetime.date(2024, 3, 15), "Monthly")) == "202403"


def test_contains() -> None:
    p = hrh.Period("2024")
    assert p.contains(datetime.date(2024, 6, 1))
    assert not p.contains(datetime.date(2025, 1, 1))


def test_adx_round_trip() -> None:
    p = hrh.Period("2024W1")
    assert p.to_adx() == "2024-01-01/P7D"
    assert hrh.Period.from_adx(p.to_adx()) == p
    assert hrh.Period.from_adx("2024-01-01/P1Y") == hrh.Period("2024")


@pytest.mark.parametrize("bad", ["2024X", "", "2024W99", "12345678901"])
def test_bad_period_is_invalid_input(bad: str) -> None:
    with pytest.raises(hrh.InvalidInput, match="invalid period"):
        hrh.Period(bad)


def test_unknown_period_type() -> None:
    with pytest.raises(hrh.InvalidInput, match="unknown period type"):
        hrh.Period.containing(datetime.date(2024, 1, 1), "Fortnightly")


def test_bad_adx() -> None:
    with pytest.raises(hrh.InvalidInput):
        hrh.Period.from_adx("not a period")


def test_invalid_input_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        hrh.Period("nope")


def test_date_out_of_range() -> None:
    # The week of 9999-12-31 ends in year 10000, which DHIS2 cannot express.
    with pytest.raises(hrh.InvalidInput, match="outside the supported range"):
        hrh.Period.containing(datetime.date(9999, 12, 31), "Weekly")


def test_pickle() -> None:
    p = hrh.Period("2024NovQ1")
    assert pickle.loads(pickle.dumps(p)) == p
