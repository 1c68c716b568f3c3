"""`Dhis2Client.push()` of DXF2 XML, ADX and mADX text: the format is told by the
document's root, and the id schemes a DXF2 document names reach DHIS2 as the import's
parameters (checked on the stand-in's `/__requests` and on what it stored)."""

import json
import urllib.parse
import urllib.request

import pytest
from conftest import StandIn

import hrh

DATA_SET = "FuMctq4PQpf"
DE, COC = "tu2P5ALJRow", "i14E8ggjzvt"


def sent_queries(standin: StandIn) -> list[dict[str, list[str]]]:
    """The query parameters of every `POST /api/dataValueSets` the stand-in saw."""
    with urllib.request.urlopen(f"{standin.url}/__requests", timeout=10) as answer:
        seen = json.load(answer)["requests"]
    return [
        urllib.parse.parse_qs(r["query"])
        for r in seen
        if r["method"] == "POST" and r["path"] == "/api/dataValueSets"
    ]


def dxf2(value: str, org_unit: str, schemes: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="{DATA_SET}" {schemes}>'
        f'<dataValue dataElement="{DE}" period="2024" orgUnit="{org_unit}" categoryOptionCombo="{COC}" value="{value}"/>'
        "</dataValueSet>"
    )


def test_dxf2_xml_with_org_unit_codes_is_stored_under_the_uid(standin: StandIn) -> None:
    dhis2 = hrh.Dhis2Client(standin.url, auth=("admin", "district"))
    summary = dhis2.push(dxf2("12", "UZ-TK-001", 'orgUnitIdScheme="CODE"'))
    assert summary.ok and summary.imported == 1
    assert sent_queries(standin)[-1]["orgUnitIdScheme"] == ["CODE"]
    stored = dhis2.read_data_values(DATA_SET, "UZfacTsh001", "2024")
    assert [(v["data_element"], v["value"]) for v in stored] == [(DE, "12")]
    # Without the scheme, the code is an unknown org unit: DHIS2 refuses the value.
    refused = dhis2.push(dxf2("13", "UZ-TK-001", ""), preflight=False)
    assert not refused.ok and refused.rejected_indexes == [0]


def test_an_attribute_scheme_is_kept_and_sent(standin: StandIn) -> None:
    dhis2 = hrh.Dhis2Client(standin.url, auth=("admin", "district"))
    text = dxf2("5", "UZfacTsh001", 'dataElementIdScheme="ATTRIBUTE:Kx6rYwlEDtT" idScheme="UID"')
    dhis2.push(text)
    query = sent_queries(standin)[-1]
    assert query["dataElementIdScheme"] == ["ATTRIBUTE:Kx6rYwlEDtT"]
    assert query["idScheme"] == ["UID"]
    assert "orgUnitIdScheme" not in query


def test_adx_and_madx_text_are_told_by_content(standin: StandIn, mapping: hrh.Mapping) -> None:
    dhis2 = hrh.Dhis2Client(standin.url, auth=("admin", "district"))
    figures = hrh.Registry.synthetic(workers=50, seed=2).aggregate(mapping, period="2024", country="UZ", org_unit="UZdemoRoot1")
    assert dhis2.push(figures.to_measure_report()).imported == len(figures)
    assert dhis2.push(figures.to_dhis2_json()).ignored == len(figures)
    with pytest.raises(hrh.InvalidInput, match="unexpected document.*<html> \\(no namespace\\)"):
        dhis2.push("<html><body/></html>")
    with pytest.raises(hrh.InvalidInput, match="dataElementIdScheme=\"SOMETHING\" is not an id scheme"):
        dhis2.push(dxf2("1", "UZfacTsh001", 'dataElementIdScheme="SOMETHING"'))
