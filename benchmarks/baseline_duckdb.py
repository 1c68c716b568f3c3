#!/usr/bin/env python3
"""Baseline (e): what a competent analyst writes with DuckDB (read_ndjson + SQL, all cores).

Counts NHWA Module 1 "Total", "By Sex" and "By Age group" figures from a bulk
export (Practitioner.ndjson, PractitionerRole.ndjson) with hrh's stock rules
(README, "How workers are counted"): reference date = 31 December of the year; a
worker is in the stock when the practitioner is not inactive and holds a role
that is not inactive and whose period contains the reference date; with several,
the highest FTE (unknown = 0), then the earliest start (unknown first), then the
lowest role id. Age = completed years at the reference date; an invalid or
future birth date leaves the worker out of age figures only. Prints
{"DE|COC": count} as JSON.

    python3 baseline_duckdb.py DIR YEAR MAPPING.toml
"""
import sys
from pathlib import Path

import duckdb
import orjson

from baseline_targets import AGE_BANDS_SQL, ISCO, select

ROLE_COLUMNS = {
    "id": "VARCHAR",
    "active": "BOOLEAN",
    "period": 'STRUCT(start VARCHAR, "end" VARCHAR)',
    "practitioner": "STRUCT(reference VARCHAR)",
    "code": "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR)[])[]",
    "extension": "STRUCT(url VARCHAR, valueDecimal DOUBLE)[]",
}
PRACTITIONER_COLUMNS = {"id": "VARCHAR", "active": "BOOLEAN", "gender": "VARCHAR", "birthDate": "VARCHAR"}
FTE = "https://hrh.dev/fhir/StructureDefinition/practitionerrole-fte"


def counts(directory, year):
    """(isco, sex, age band, workers) rows of the stock."""
    ref = f"{year}-12-31"
    con = duckdb.connect()
    query = f"""
    WITH roles AS (
        SELECT id AS rid,
               split_part(practitioner.reference, '/', 2) AS pid,
               list_filter(flatten(list_transform(code, lambda c: c.coding)), lambda c: c.system = '{ISCO}')[1].code AS isco,
               coalesce(list_filter(extension, lambda e: e.url = '{FTE}')[1].valueDecimal, 0) AS fte,
               substr(period.start, 1, 10) AS start
        FROM read_ndjson(?, columns = {ROLE_COLUMNS!r}, format = 'newline_delimited', ignore_errors = true)
        WHERE coalesce(active, true)
          AND coalesce(substr(period.start, 1, 10), '') <= '{ref}'
          AND coalesce(substr(period."end", 1, 10), '9999-12-31') >= '{ref}'
    ),
    stock AS (
        SELECT pid, arg_min(isco, (-fte, coalesce(start, ''), rid)) AS isco
        FROM roles GROUP BY pid
    ),
    workers AS (
        SELECT id, gender,
               {year} - year(try_strptime(birthDate, '%Y-%m-%d')) AS age
        FROM read_ndjson(?, columns = {PRACTITIONER_COLUMNS!r}, format = 'newline_delimited', ignore_errors = true)
        WHERE coalesce(active, true)
    )
    SELECT isco, gender, {AGE_BANDS_SQL} AS band, count(*) AS n
    FROM stock JOIN workers ON workers.id = stock.pid
    WHERE isco IS NOT NULL
    GROUP BY ALL
    """
    return con.execute(query, [str(directory / "PractitionerRole.ndjson"), str(directory / "Practitioner.ndjson")]).fetchall()


def main():
    directory, year, mapping_path = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    sys.stdout.write(orjson.dumps(select(counts(directory, year), mapping_path)).decode())


if __name__ == "__main__":
    main()
