#!/usr/bin/env python3
"""The Python wheel's side of `benchmarks/compare.py`: what `hrh aggregate` does, from Python.

    python python/benchmarks/aggregate.py DIR --period 2024 --org-unit OU \\
        [--mapping nhwa-module1] [--country UZ] [--out FILE|-]

Reads the FHIR files under DIR with `hrh.read_registry`, aggregates them with
the mapping (a built-in name or a TOML file) and writes the DHIS2 data value
set JSON to --out (`-`, the default, is stdout). Like `hrh aggregate`, records
that cannot be read are left out and counted on stderr; the account of every
worker goes to stderr too. The timing is done by the caller (wall time of the
whole process, import included), not here.
"""

import argparse
import sys
from pathlib import Path

import hrh


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="FHIR files or directories (NDJSON, Bundles, .gz)")
    parser.add_argument("--period", required=True, help="DHIS2 reporting period, e.g. 2024")
    parser.add_argument("--org-unit", default=None, help="org unit of national figures")
    parser.add_argument("--mapping", default="nhwa-module1", help="built-in mapping name or mapping file")
    parser.add_argument("--country", default="UZ", help="home country (ISO 3166-1)")
    parser.add_argument("--suppress", type=int, default=None, metavar="K", help="withhold values from 1 to K-1")
    parser.add_argument("--out", default="-", help="output file, - for stdout")
    parser.add_argument("--allow-empty", action="store_true", help="accept an input that counts nobody")
    args = parser.parse_args(argv)

    mapping_path = Path(args.mapping)
    mapping = hrh.Mapping.load(mapping_path) if mapping_path.is_file() else hrh.Mapping.builtin(args.mapping)
    registry = hrh.read_registry(*args.inputs, errors="skip")
    figures = registry.aggregate(
        mapping,
        period=args.period,
        country=args.country,
        org_unit=args.org_unit,
        suppress=args.suppress,
        allow_empty=args.allow_empty,
    )
    body = figures.to_dhis2_json()
    if args.out == "-":
        sys.stdout.write(body)
        sys.stdout.flush()
    else:
        Path(args.out).write_text(body, encoding="utf-8")
    if registry.rejected:
        print(f"{len(registry.rejected)} records rejected (see `hrh validate`)", file=sys.stderr)
    print("\n".join(figures.account_lines()), file=sys.stderr)
    print(f"{len(figures)} values written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
