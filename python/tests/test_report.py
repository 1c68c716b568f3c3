import re
from pathlib import Path

import pytest

import hrh


def headline(page: str) -> dict[str, str]:
    """Data element -> the headline cell's value (`withheld` when withheld)."""
    section = page.split('id="headline"', 1)[1].split("</section>", 1)[0]
    found = {}
    for row in re.finditer(r'<tr data-figure="([^"]+)">(.*?)</tr>', section):
        value = re.search(r'data-value="(\d+)"', row.group(2))
        found[row.group(1)] = value.group(1) if value else "withheld"
    return found


def test_to_html_is_a_self_contained_page_of_the_figures(
    registry: hrh.Registry, mapping: hrh.Mapping
) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ", suppress=5)
    page = result.to_html()
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
    assert "<script" not in page and "https://" not in page
    assert page.count('<svg class="chart" role="img"') >= 8
    shown = headline(page)
    undivided: dict[str, list[int | float]] = {}
    for value in result.values:
        undivided.setdefault(value["data_element"], []).append(value["value"])
    withheld = {v["data_element"] for v in result.withheld}
    compared = 0
    for data_element, cell in shown.items():
        if data_element in withheld and data_element not in undivided:
            assert cell == "withheld"
        else:
            assert [int(cell)] == undivided[data_element]
        compared += 1
    assert compared > 20
    assert 'id="suppression"' in page


def test_repr_html_is_a_compact_summary(registry: hrh.Registry, mapping: hrh.Mapping) -> None:
    result = registry.aggregate(mapping, period="2024", country="UZ", org_unit="UZ")
    summary = result._repr_html_()
    assert "<svg" not in summary and "<table>" in summary
    assert "Medical Doctors" in summary
    assert str(result.account["workers"]) in summary
    assert len(summary) < len(result.to_html()) / 5


def test_registry_report_writes_the_page(
    registry: hrh.Registry, mapping: hrh.Mapping, tmp_path: Path
) -> None:
    path = tmp_path / "profile.html"
    page = registry.report(mapping, period="2024", country="UZ", org_unit="UZ", path=path)
    assert path.read_text(encoding="utf-8") == page
    assert "Findings by kind" in page, "the records' quality is in the page"
    assert 'id="no-geometry"' not in page, "facility positions make a map"
    assert [p.name for p in tmp_path.iterdir()] == ["profile.html"]
    with pytest.raises(OSError):
        registry.report(mapping, period="2024", country="UZ", org_unit="UZ", path=tmp_path / "missing" / "p.html")
