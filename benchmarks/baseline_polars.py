#!/usr/bin/env python3
"""Baseline (f): what a competent analyst writes with polars (lazy scan_ndjson, joins, group_by).

The same figures and stock rules as baseline_duckdb.py: NHWA Module 1 "Total",
"By Sex" and "By Age group" from Practitioner.ndjson and PractitionerRole.ndjson,
reference date 31 December, the held role with the highest FTE (unknown = 0),
then the earliest start (unknown first), then the lowest id. Prints
{"DE|COC": count} as JSON.

    python3 baseline_polars.py DIR YEAR MAPPING.toml
"""
import sys
from pathlib import Path

import orjson
import polars as pl

from baseline_targets import ISCO, age_band, select

FTE = "https://hrh.dev/fhir/StructureDefinition/practitionerrole-fte"
CODING = pl.Struct({"system": pl.String, "code": pl.String})
ROLE_SCHEMA = {
    "id": pl.String,
    "active": pl.Boolean,
    "period": pl.Struct({"start": pl.String, "end": pl.String}),
    "practitioner": pl.Struct({"reference": pl.String}),
    "code": pl.List(pl.Struct({"coding": pl.List(CODING)})),
    "extension": pl.List(pl.Struct({"url": pl.String, "valueDecimal": pl.Float64})),
}
PRACTITIONER_SCHEMA = {"id": pl.String, "active": pl.Boolean, "gender": pl.String, "birthDate": pl.String}


def counts(directory, year):
    """(isco, sex, age band, workers) rows of the stock."""
    ref = f"{year}-12-31"
    start = pl.col("period").struct.field("start").str.slice(0, 10)
    end = pl.col("period").struct.field("end").str.slice(0, 10)
    roles = (
        pl.scan_ndjson(directory / "PractitionerRole.ndjson", schema=ROLE_SCHEMA, ignore_errors=True)
        .filter(pl.col("active").fill_null(True) & (start.fill_null("") <= ref) & (end.fill_null("9999-12-31") >= ref))
        .select(
            rid=pl.col("id"),
            pid=pl.col("practitioner").struct.field("reference").str.split("/").list.last(),
            isco=pl.col("code")
            .list.eval(pl.element().struct.field("coding").explode())
            .list.eval(pl.element().filter(pl.element().struct.field("system") == ISCO).struct.field("code"))
            .list.first(),
            fte=pl.col("extension")
            .list.eval(pl.element().filter(pl.element().struct.field("url") == FTE).struct.field("valueDecimal"))
            .list.first()
            .fill_null(0.0),
            start=start.fill_null(""),
        )
    )
    stock = (
        roles.sort(["fte", "start", "rid"], descending=[True, False, False])
        .group_by("pid")
        .agg(pl.col("isco").first())
    )
    born = pl.col("birthDate").str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    workers = (
        pl.scan_ndjson(directory / "Practitioner.ndjson", schema=PRACTITIONER_SCHEMA, ignore_errors=True)
        .filter(pl.col("active").fill_null(True))
        .select(pl.col("id"), pl.col("gender"), age=pl.lit(year) - born.dt.year())
    )
    table = (
        stock.join(workers, left_on="pid", right_on="id")
        .filter(pl.col("isco").is_not_null())
        .group_by(["isco", "gender", "age"])
        .len()
        .collect()
    )
    return [(isco, sex, age_band(age), n) for isco, sex, age, n in table.iter_rows()]


def main():
    directory, year, mapping_path = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    sys.stdout.write(orjson.dumps(select(counts(directory, year), mapping_path)).decode())


if __name__ == "__main__":
    main()
