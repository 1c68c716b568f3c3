#!/usr/bin/env python3
"""Baseline (c): what a competent analyst writes with orjson + pandas.

Counts NHWA Module 1 "Total" and "By Sex" figures from a bulk export
(Practitioner.ndjson, PractitionerRole.ndjson) with hrh's stock rules:
reference date = 31 December of the year; a worker is in the stock when the
practitioner is not inactive and holds a role that is not inactive and whose
period contains the reference date; with several, the highest FTE (unknown = 0),
then the earliest start (unknown first), then the lowest role id. Prints
{"DE|COC": count} as JSON.

    python3 baseline_pandas.py DIR YEAR MAPPING.toml
"""
import sys
import tomllib
from pathlib import Path

import orjson
import pandas as pd

ISCO = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"
FTE = "https://hrh.dev/fhir/StructureDefinition/practitionerrole-fte"


def targets(mapping_path):
    """(data element, combo, isco prefixes, exact, sex or None) for Total and By Sex figures."""
    mapping = tomllib.loads(Path(mapping_path).read_text())
    default = mapping["default_combo"]
    sex = mapping["combos"]["sex"]
    out = []
    for group in mapping.get("group", []):
        if group.get("specialties"):
            continue  # specialty-split groups need PractitionerRole.specialty; not in this baseline
        isco, exact = group["isco"], group.get("exact", False)
        des = group["data_elements"]
        if "none" in des:
            out.append((des["none"], default, isco, exact, None))
        if "sex" in des:
            out += [(des["sex"], sex["female"], isco, exact, "female"), (des["sex"], sex["male"], isco, exact, "male")]
    return out


def read_roles(path):
    rows = []
    with open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            code = next((c.get("code") for cc in r.get("code", []) for c in cc.get("coding", []) if c.get("system") == ISCO), None)
            fte = next((e.get("valueDecimal") for e in r.get("extension", []) if e.get("url") == FTE), None)
            period = r.get("period", {})
            rows.append((r.get("practitioner", {}).get("reference", "").rpartition("/")[2], r["id"], code,
                         period.get("start"), period.get("end"), r.get("active"), fte))
    return pd.DataFrame(rows, columns=["pid", "rid", "isco", "start", "end", "active", "fte"])


def read_practitioners(path):
    rows = []
    with open(path, "rb") as f:
        for line in f:
            p = orjson.loads(line)
            rows.append((p["id"], p.get("gender"), p.get("active")))
    return pd.DataFrame(rows, columns=["id", "gender", "active"])


def count(roles, practitioners, year, mapping_path):
    ref = f"{year}-12-31"
    start = roles["start"].fillna("")
    end = roles["end"].fillna("9999-12-31")
    held = roles[(roles["active"] != False) & (start.str[:10] <= ref) & (end.str[:10] >= ref)]  # noqa: E712
    held = held.assign(start_key=held["start"].fillna(""), fte_key=held["fte"].fillna(0.0))
    held = held.sort_values(["pid", "fte_key", "start_key", "rid"], ascending=[True, False, True, True]).drop_duplicates("pid")
    active = practitioners[practitioners["active"] != False]  # noqa: E712
    stock = held.merge(active, left_on="pid", right_on="id")[["isco", "gender"]].dropna(subset=["isco"])
    by_code = stock.groupby(["isco", "gender"], dropna=False).size()
    result = {}
    for de, coc, prefixes, exact, sex in targets(mapping_path):
        codes = by_code.index.get_level_values(0)
        match = codes.isin(prefixes) if exact else codes.str.startswith(tuple(prefixes))
        chosen = by_code[match]
        if sex is not None:
            chosen = chosen[chosen.index.get_level_values(1) == sex]
        result[f"{de}|{coc}"] = int(chosen.sum())
    return result


def main():
    directory, year, mapping_path = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    roles = read_roles(directory / "PractitionerRole.ndjson")
    practitioners = read_practitioners(directory / "Practitioner.ndjson")
    sys.stdout.write(orjson.dumps(count(roles, practitioners, year, mapping_path)).decode())


if __name__ == "__main__":
    main()
