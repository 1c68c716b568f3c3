"""From a FHIR workforce registry to a DHIS2 data value set, cell by cell.

A notebook kept as a plain Python script: Jupyter (jupytext), VS Code and
PyCharm run each ``# %%`` cell on its own; ``python registry_to_dhis2.py``
runs them all.

    python examples/python/registry_to_dhis2.py [FHIR_PATH] [OUT_DIR]

FHIR_PATH is a file or folder of FHIR resources (NDJSON, Bundles, ``.gz``);
without it, the sample bulk export of the shared fixtures is read
(``$HRH_FIXTURES/fhir/sample-bulk-fhir-10-patients``, by default
``../shared/fixtures`` next to the repository). OUT_DIR (default
``hrh-example-out``) receives ``datavalueset.json``. Needs pandas.
"""

# %% Inputs
import json
import os
import sys
from pathlib import Path

import hrh

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("HRH_FIXTURES") or ROOT.parent / "shared" / "fixtures")
source = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES / "fhir" / "sample-bulk-fhir-10-patients"
out_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("hrh-example-out")
period = hrh.Period("2024")
print(f"hrh {hrh.__version__}: reading {source}")

# %% Read the registry
# The sample export codes jobs with the NUCC provider taxonomy, not ISCO-08:
# tell the reader which ISCO-08 group each job code means.
config = hrh.ReadConfig(job_to_isco={("http://nucc.org/provider-taxonomy", "208D00000X"): "2211"})
# errors="skip" leaves out what cannot be read (here: the export's log file)
# and lists it in registry.rejected; the default, errors="raise", stops there.
# With errors="skip" the files are read when first needed (here: by
# `registry.rejected`), and kept in memory from then on.
registry = hrh.read_registry(source, config=config, errors="skip")
for rejected in registry.rejected:
    print("  not read:", rejected["message"])
print(registry)

# %% Look at the workers (pandas)
workers = registry.to_pandas()
workers["occupation"] = workers["employments"].map(lambda jobs: jobs[0]["occupation"] if jobs else None)
print(workers[["id", "sex", "birth_date", "occupation"]].head())
print(workers["sex"].value_counts(dropna=False))

# %% Data quality
report = registry.quality(as_of=period.end)
print(f"{len(report)} findings in {report.records_checked} records")
print(report.to_pandas().groupby(["problem", "severity"]).size())

# %% NHWA figures
mapping = hrh.Mapping.builtin("nhwa-module1")
figures = registry.aggregate(mapping, period=period, country="US", org_unit="USroot00001")
print("\n".join(figures.account_lines()))
values = figures.to_pandas()
print(values[values["value"] > 0])

# %% DHIS2 data value set
out_dir.mkdir(parents=True, exist_ok=True)
body = figures.to_dhis2_json()
(out_dir / "datavalueset.json").write_text(body, encoding="utf-8")
sent = json.loads(body)
print(f"{len(sent['dataValues'])} values for data set {sent['dataSet']} in {out_dir / 'datavalueset.json'}")
