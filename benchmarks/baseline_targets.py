"""The NHWA Module 1 figures the DuckDB and polars baselines compute, from the mapping file.

Both engines reduce a registry to rows (ISCO code, sex, age band, workers); this
module turns those rows into {"DE|COC": count} for the Total, By Sex and By Age
group figures of every occupation group (groups split by specialty are left out:
they need PractitionerRole.specialty).
"""
import tomllib
from collections import defaultdict
from pathlib import Path

ISCO = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"

# Completed years -> NHWA age band; NULL (no valid or a future birth date) stays NULL.
AGE_BANDS_SQL = """CASE WHEN age IS NULL OR age < 0 THEN NULL WHEN age < 25 THEN '<25'
    WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54'
    WHEN age < 65 THEN '55-64' ELSE '65+' END"""


def age_band(age):
    """The NHWA age band of completed years, None for none or a negative age."""
    if age is None or age < 0:
        return None
    for limit, band in ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64")):
        if age < limit:
            return band
    return "65+"


def select(rows, mapping_path):
    """{"DE|COC": count} of the Total, By Sex and By Age group figures."""
    mapping = tomllib.loads(Path(mapping_path).read_text())
    default = mapping["default_combo"]
    combos = {"sex": mapping["combos"]["sex"], "age_group": mapping["combos"]["age_group"]}
    by_code = defaultdict(lambda: defaultdict(int))  # isco -> (breakdown, value) -> n
    for isco, sex, band, n in rows:
        if isco is None:
            continue
        by_code[isco][("none", None)] += n
        if sex in combos["sex"]:
            by_code[isco][("sex", sex)] += n
        if band is not None:
            by_code[isco][("age_group", band)] += n
    result = {}
    for group in mapping.get("group", []):
        if group.get("specialties"):
            continue
        prefixes, exact = group["isco"], group.get("exact", False)
        codes = [c for c in by_code if (c in prefixes if exact else c.startswith(tuple(prefixes)))]
        for breakdown, element in group["data_elements"].items():
            if breakdown == "none":
                result[f"{element}|{default}"] = sum(by_code[c][("none", None)] for c in codes)
            elif breakdown in combos:
                for value, combo in combos[breakdown].items():
                    result[f"{element}|{combo}"] = sum(by_code[c][(breakdown, value)] for c in codes)
    return result
