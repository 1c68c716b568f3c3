import csv
import datetime
import io
import json
import sys
from typing import Any, Optional
from xml.etree import ElementTree

import pytest
from conftest import TABLES, assert_missing_library, assert_table

import hrh


def test_national(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    assert isinstance(result, hrh.Aggregate)
    assert result.data_set == "FuMctq4PQpf"
    values = result.values
    assert len(values) == len(result) > 0
    assert set(values[0]) == {
        "data_element",
        "category_option_combo",
        "attribute_option_combo",
        "org_unit",
        "period",
        "value",
    }
    assert {v["org_unit"] for v in values} == {"UZ"}
    assert {v["period"] for v in values} == {"2024"}
    assert all(isinstance(v["value"], (int, float)) for v in values)
    assert result.withheld == []
    assert "Aggregate(" in repr(result)


def test_account_adds_up(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    account = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ").account
    assert account["workers"] == len(registry)
    assert account["counted"] + sum(account["not_counted"].values()) == account["workers"]
    assert account["counted"] > 0
    assert all(isinstance(reason, str) for reason in account["not_counted"])
    for breakdown, reasons in account["left_out"].items():
        assert isinstance(breakdown, str)
        assert all(isinstance(n, int) and n > 0 for n in reasons.values())
    assert account["withheld_values"] == 0
    assert str(account["reference_date"]) == "2024-12-31"


def test_account_lines(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    lines = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ").account_lines()
    assert lines[0].startswith("300 workers:")


def test_period_object_and_default(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    by_id = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ").values
    by_object = registry.aggregate(mapping, period=hrh.Period("2024"), country="UZ", org_unit="UZ").values
    assert by_id == by_object


def test_suppression(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ", suppress=5)
    assert result.withheld
    assert result.account["withheld_values"] == len(result.withheld)
    assert all(1 <= v["value"] < 5 for v in result.withheld)


def test_subnational(registry: hrh.Registry) -> None:
    result = registry.aggregate(hrh.Mapping.builtin("nhwa-module1-subnational"), period="2024", country="UZ")
    assert len({v["org_unit"] for v in result.values}) > 1


def test_default_period_is_the_last_full_year(mapping: hrh.Mapping) -> None:
    last_year = datetime.date.today().year - 1
    registry = hrh.Registry.synthetic(workers=200, seed=5)
    values = registry.aggregate(mapping, country="UZ", org_unit="UZ").values
    assert values and {v["period"] for v in values} == {str(last_year)}
    # The synthetic registry describes the same year by default.
    assert registry.aggregate(mapping, country="UZ", org_unit="UZ").account["counted"] > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": "2024X", "country": "UZ", "org_unit": "UZ"}, "invalid period"),
        ({"period": "202401", "country": "UZ", "org_unit": "UZ"}, "Monthly"),
        ({"country": "ZZ", "org_unit": "UZ"}, "country"),
        ({"period": "2024", "org_unit": "UZ"}, r'needs the home country .*: give country="UZ"'),
        ({"country": "UZ"}, "org unit"),
    ],
)
def test_invalid_input(registry: hrh.Registry, mapping: hrh.Mapping, kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(hrh.InvalidInput, match=match):
        registry.aggregate(mapping, **kwargs)  # type: ignore[arg-type]


def test_to_pandas(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    pytest.importorskip("pandas")
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    frame = result.to_pandas()
    assert len(frame) == len(result.values)
    assert list(frame.columns) == list(result.values[0])
    assert frame["value"].sum() == sum(v["value"] for v in result.values)


def test_to_pandas_without_pandas(registry: hrh.Registry, mapping: hrh.Mapping, monkeypatch: pytest.MonkeyPatch) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        result.to_pandas()


def test_to_dhis2_json(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    body = json.loads(result.to_dhis2_json())
    assert body["dataSet"] == result.data_set == "FuMctq4PQpf"
    sent = body["dataValues"]
    assert len(sent) == len(result)
    for value, dv in zip(result.values, sent):
        assert dv["dataElement"] == value["data_element"]
        assert dv.get("categoryOptionCombo") == value["category_option_combo"]
        assert dv["orgUnit"] == value["org_unit"]
        assert dv["period"] == value["period"]
        assert float(dv["value"]) == value["value"]


def test_to_dhis2_json_leaves_out_withheld(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ", suppress=5)
    assert result.withheld
    assert len(json.loads(result.to_dhis2_json())["dataValues"]) == len(result.values)


def test_to_dhis2_csv(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    rows = list(csv.reader(io.StringIO(result.to_dhis2_csv())))
    assert rows[0][:6] == ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value"]
    assert len(rows) == len(result) + 1
    first = result.values[0]
    assert rows[1][:4] == [first["data_element"], "2024", "UZ", first["category_option_combo"]]


def test_to_adx(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    root = ElementTree.fromstring(result.to_adx())
    ns = "{urn:ihe:qrph:adx:2015}"
    assert root.tag == f"{ns}adx"
    groups = root.findall(f"{ns}group")
    assert [(g.get("orgUnit"), g.get("period"), g.get("dataSet")) for g in groups] == [("UZ", "2024-01-01/P1Y", "FuMctq4PQpf")]
    assert len(root.findall(f"{ns}group/{ns}dataValue")) == len(result)


def test_dhis2_json_pandas_round_trip(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    pd = pytest.importorskip("pandas")
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    sent = pd.DataFrame(json.loads(result.to_dhis2_json())["dataValues"])
    frame = result.to_pandas()
    assert list(sent["dataElement"]) == list(frame["data_element"])
    assert list(sent["categoryOptionCombo"]) == list(frame["category_option_combo"])
    assert list(sent["value"].astype(float)) == list(frame["value"].astype(float))


def stratum_combo(stratum: dict[str, Any]) -> str:
    """The category option combo of a stratum: its `value`, or (a stratum has one or
    the other, invariant mrp-2) its `categoryOptionCombo` component."""
    if "value" in stratum:
        code: str = stratum["value"]["coding"][0]["code"]
        return code
    combos = [c for c in stratum["component"] if c["code"]["coding"][0]["code"] == "categoryOptionCombo"]
    assert len(combos) == 1, stratum
    combo: str = combos[0]["value"]["coding"][0]["code"]
    return combo


def test_measure_report(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    bundle = json.loads(result.to_measure_report())
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    reports = [e["resource"] for e in bundle["entry"]]
    assert len(reports) == 1
    report = reports[0]
    assert report["resourceType"] == "MeasureReport"
    assert report["type"] == "summary"
    assert report["measure"].endswith(result.data_set)
    assert report["subject"]["identifier"]["value"] == "UZ"
    assert report["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    # Every value is in the report: as the group's score or as one of its strata.
    found: dict[tuple[str, Optional[str]], Any] = {}
    for group in report["group"]:
        element = group["code"]["coding"][0]["code"]
        if "measureScore" in group:
            found[(element, None)] = group["measureScore"]["value"]
        for stratum in group.get("stratifier", []):
            for s in stratum["stratum"]:
                found[(element, stratum_combo(s))] = s["measureScore"]["value"]
    expected = {(v["data_element"], v["category_option_combo"]): v["value"] for v in result.values}
    assert found == expected
    # The mapping names each stratum's breakdown.
    strata = [s for g in report["group"] for st in g.get("stratifier", []) for s in st["stratum"]]
    assert strata and all(s.get("component") for s in strata)


def test_measure_report_leaves_out_withheld(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    full = json.loads(registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ").to_measure_report())
    suppressed = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ", suppress=5)
    assert suppressed.withheld
    text = suppressed.to_measure_report()
    assert len(text) < len(json.dumps(full))


@pytest.mark.parametrize(("method", "module"), TABLES)
def test_tables(registry: hrh.Registry, mapping: hrh.Mapping, method: str, module: str) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    assert_table(result, method, module, result.values)


@pytest.mark.parametrize(("method", "module"), TABLES)
def test_tables_without_their_library(
    registry: hrh.Registry, mapping: hrh.Mapping, monkeypatch: pytest.MonkeyPatch, method: str, module: str
) -> None:
    assert_missing_library(registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ"), method, module, monkeypatch)


@pytest.mark.parametrize("periods", ["2022..2024", ["2022", "2023..2024"], [hrh.Period("2024"), "2022,2023"]])
def test_a_series_in_one_pass_equals_one_run_per_period(registry: hrh.Registry, periods: Any) -> None:
    flows = hrh.Mapping.builtin("nhwa-module5")
    series = registry.aggregate(flows, period=periods, country="UZ", org_unit="UZ")
    singles = [registry.aggregate(flows, period=p, country="UZ", org_unit="UZ") for p in ["2022", "2023", "2024"]]
    assert series.values == [v for s in singles for v in s.values]
    assert series.accounts == [s.account for s in singles]
    assert [a["reference_date"].year for a in series.accounts] == [2022, 2023, 2024]
    assert series.account == singles[0].account


def test_density_from_a_population_file(registry: hrh.Registry, tmp_path: Any) -> None:
    mapping = hrh.Mapping.from_toml(
        'format = 1\nname = "d"\nversion = "1"\n[org_unit]\nrule = "national"\n'
        '[[target]]\ndata_element = "NurseDens01"\nisco = ["3221"]\nmeasure = "density"\n'
    )
    population = tmp_path / "population.csv"
    population.write_text("org_unit,period,population\nUZ,2024,10000\n", encoding="utf-8")
    headcount = hrh.Mapping.from_toml(
        'format = 1\nname = "h"\nversion = "1"\n[org_unit]\nrule = "national"\n'
        '[[target]]\ndata_element = "NurseHead01"\nisco = ["3221"]\n'
    )
    nurses = registry.aggregate(headcount, period="2024", country="UZ", org_unit="UZ").values[0]["value"]
    result = registry.aggregate(mapping, period=["2023", "2024"], country="UZ", org_unit="UZ", population=population)
    # 10,000 people: the density is the nurse count itself; 2023 has no population.
    assert [(v["period"], v["value"]) for v in result.values] == [("2024", float(nurses))]
    assert [a["densities_without_population"] for a in result.accounts] == [1, 0]
    population.write_text("org_unit,period,population\nUZ,2024,lots\n", encoding="utf-8")
    with pytest.raises(hrh.InvalidInput, match="population.csv"):
        registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ", population=population)
