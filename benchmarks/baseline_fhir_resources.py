#!/usr/bin/env python3
"""Baseline (d): the same counts with validated fhir.resources R4B models.

    python3 baseline_fhir_resources.py DIR YEAR MAPPING.toml
"""
import sys
from pathlib import Path

import orjson
import pandas as pd
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole

from baseline_pandas import FTE, ISCO, count


def read_roles(path):
    rows = []
    with open(path, "rb") as f:
        for line in f:
            r = PractitionerRole.model_validate_json(line)
            code = next((c.code for cc in (r.code or []) for c in (cc.coding or []) if c.system == ISCO), None)
            start = str(r.period.start) if r.period and r.period.start else None
            end = str(r.period.end) if r.period and r.period.end else None
            pid = (r.practitioner.reference or "").rpartition("/")[2] if r.practitioner else ""
            fte = next((float(e.valueDecimal) for e in (r.extension or []) if e.url == FTE and e.valueDecimal is not None), None)
            rows.append((pid, r.id, code, start, end, r.active, fte))
    return pd.DataFrame(rows, columns=["pid", "rid", "isco", "start", "end", "active", "fte"])


def read_practitioners(path):
    rows = []
    with open(path, "rb") as f:
        for line in f:
            p = Practitioner.model_validate_json(line)
            rows.append((p.id, p.gender, p.active))
    return pd.DataFrame(rows, columns=["id", "gender", "active"])


def main():
    directory, year, mapping_path = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    roles = read_roles(directory / "PractitionerRole.ndjson")
    practitioners = read_practitioners(directory / "Practitioner.ndjson")
    sys.stdout.write(orjson.dumps(count(roles, practitioners, year, mapping_path)).decode())


if __name__ == "__main__":
    main()
