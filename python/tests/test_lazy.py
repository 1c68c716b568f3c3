"""`read_registry(..., errors="skip")`: the files are read when first needed,
and `aggregate()` before that streams them as `hrh aggregate` does."""

import gzip
import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import hrh
from conftest import ticking

WORKERS = 12_000
ISCO08 = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"
# Records that cannot be read, of several kinds: broken JSON, no id, a bad date.
BAD_LINES = [
    "{not json",
    json.dumps({"resourceType": "Practitioner", "gender": "female"}),
    json.dumps(
        {
            "resourceType": "PractitionerRole",
            "id": "bad-role",
            "practitioner": {"reference": "Practitioner/nobody"},
            "period": {"start": "2020-13-45"},
        }
    ),
]


def spoil(path: Path, every: int) -> int:
    """Puts a bad line (and a blank one) after every `every` lines of an NDJSON
    file and at its end; returns how many bad lines."""
    out: list[str] = []
    bad = 0
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        out.append(line)
        if i % every == 0:
            out += [BAD_LINES[bad % len(BAD_LINES)], ""]
            bad += 1
    out.append(BAD_LINES[bad % len(BAD_LINES)])
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return bad + 1


@pytest.fixture(scope="module")
def generated(hrh_cli: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """`hrh generate` output (with its bad records) spoiled with bad lines over
    many 1 MB batches; the folder and the number of bad lines."""
    folder = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [str(hrh_cli), "generate", "--workers", str(WORKERS), "--seed", "11", "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    bad = spoil(folder / "Practitioner.ndjson", 1_500)
    bad += spoil(folder / "PractitionerRole.ndjson", 2_500)
    bad += spoil(folder / "Organization.ndjson", 10**9)
    return folder, bad


def not_read(registry: hrh.Registry) -> bool:
    return "not read yet" in repr(registry)


def figures(registry: hrh.Registry, mapping: str = "nhwa-module1") -> hrh.Aggregate:
    return registry.aggregate(hrh.Mapping.builtin(mapping), period="2024", country="UZ", org_unit="UZdemoRoot1")


def in_memory(*paths: Path, config: "hrh.ReadConfig | None" = None) -> hrh.Registry:
    registry = hrh.read_registry(*paths, config=config, errors="skip")
    len(registry)  # reads the records
    assert not not_read(registry)
    return registry


@pytest.mark.parametrize("mapping", ["nhwa-module1", "nhwa-module1-subnational"])
def test_streamed_aggregate_equals_the_read(generated: tuple[Path, int], mapping: str) -> None:
    folder, bad = generated
    lazy = hrh.read_registry(folder, errors="skip")
    assert not_read(lazy)
    streamed = figures(lazy, mapping)
    assert not_read(lazy)
    read = in_memory(folder)
    expected = figures(read, mapping)
    assert streamed.account["workers"] == WORKERS
    assert streamed.account["counted"] > WORKERS // 2
    assert streamed.values == expected.values
    assert streamed.account == expected.account
    assert streamed.account_lines() == expected.account_lines()
    # The stream's rejections, in the read's order, without reading the files again.
    rejected = lazy.rejected
    assert not_read(lazy)
    assert len(rejected) == bad
    assert rejected == read.rejected
    # In file order (expanded paths, by name), then line order.
    order = {name: i for i, name in enumerate(sorted(p.name for p in folder.iterdir()))}
    places = [(order[Path(str(r["path"])).name], r["line"] or 0) for r in rejected]
    assert places == sorted(places)
    assert {Path(str(r["path"])).name for r in rejected} == {"Organization.ndjson", "Practitioner.ndjson", "PractitionerRole.ndjson"}
    assert {r["record_id"] for r in rejected} >= {"bad-role", None}
    assert any(r["field"] == "period.start" for r in rejected)


def test_records_are_read_once_when_needed_and_kept(generated: tuple[Path, int]) -> None:
    folder, bad = generated
    lazy = hrh.read_registry(folder, errors="skip")
    streamed = figures(lazy)
    assert len(lazy) == WORKERS
    assert f"practitioners={WORKERS}" in repr(lazy)
    assert f"rejected={bad}" in repr(lazy)
    # Later aggregations use the records now in memory: the same figures.
    again = figures(lazy)
    assert again.values == streamed.values
    assert again.account == streamed.account
    assert len(lazy.rejected) == bad
    assert [w["id"] for w in lazy][:3] == [w["id"] for w in lazy.to_records()][:3]


@pytest.mark.parametrize("first", ["rejected", "quality", "to_records", "iter"])
def test_anything_needing_records_reads_them(generated: tuple[Path, int], first: str) -> None:
    folder, bad = generated
    lazy = hrh.read_registry(folder, errors="skip")
    if first == "rejected":
        assert len(lazy.rejected) == bad
    elif first == "quality":
        assert lazy.quality(as_of=hrh.Period("2024").end).records_checked > WORKERS
    elif first == "to_records":
        assert len(lazy.to_records()) == WORKERS
    else:
        assert sum(1 for _ in lazy) == WORKERS
    assert not not_read(lazy)
    assert f"practitioners={WORKERS}" in repr(lazy)


def test_threads_asking_at_once_all_get_the_records(generated: tuple[Path, int]) -> None:
    folder, _ = generated
    lazy = hrh.read_registry(folder, errors="skip")
    lengths: list[int] = []
    threads = [threading.Thread(target=lambda: lengths.append(len(lazy))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert lengths == [WORKERS] * 3


def test_streamed_aggregate_releases_the_gil(generated: tuple[Path, int]) -> None:
    folder, _ = generated
    lazy = hrh.read_registry(folder, errors="skip")
    start = time.monotonic()
    with ticking() as ticks:
        figures(lazy)
    elapsed = time.monotonic() - start
    assert not_read(lazy)
    # One tick per 10 ms while the GIL is free; hardly any when it is held.
    assert len(ticks) > elapsed * 100 * 0.3


def test_a_bundle_among_the_inputs(generated: tuple[Path, int], tmp_path: Path) -> None:
    folder, bad = generated
    more = tmp_path / "more.json"
    practitioner = {"resourceType": "Practitioner", "id": "b1", "gender": "male", "birthDate": "1985-02-03"}
    role: dict[str, Any] = {
        "resourceType": "PractitionerRole",
        "id": "b1-role",
        "practitioner": {"reference": "Practitioner/b1"},
        "code": [{"coding": [{"system": ISCO08, "code": "2221"}]}],
        "period": {"start": "2020-01-01"},
    }
    broken = {"resourceType": "PractitionerRole", "id": "b2-role", "period": {"start": "2020-99-01"}}
    entries = [{"resource": r} for r in (practitioner, role, broken)]
    more.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}), encoding="utf-8")
    lazy = hrh.read_registry(folder, more, errors="skip")
    streamed = figures(lazy)
    read = in_memory(folder, more)
    expected = figures(read)
    assert streamed.account["workers"] == WORKERS + 1
    assert streamed.values == expected.values
    assert streamed.account == expected.account
    assert lazy.rejected == read.rejected
    assert len(lazy.rejected) == bad + 1
    assert lazy.rejected[-1]["path"] == str(more)
    assert lazy.rejected[-1]["entry"] == 2


def test_identifier_only_references_give_the_read_figures(fhir_fixtures: Path) -> None:
    # Synthea's export names practitioners and places by identifier only.
    folder = fhir_fixtures / "sample-bulk-fhir-10-patients"
    config = hrh.ReadConfig(job_to_isco={("http://nucc.org/provider-taxonomy", "208D00000X"): "2211"})
    lazy = hrh.read_registry(folder, config=config, errors="skip")
    streamed = figures(lazy)
    expected = figures(in_memory(folder, config=config))
    assert expected.account["counted"] == 43
    assert streamed.values == expected.values
    assert streamed.account == expected.account
    assert len(lazy.rejected) == 4


def test_missing_path_raises_at_read_time(generated: tuple[Path, int], tmp_path: Path) -> None:
    folder, _ = generated
    missing = tmp_path / "nope.ndjson"
    with pytest.raises(FileNotFoundError) as info:
        hrh.read_registry(folder, missing, errors="skip")
    assert info.value.filename == str(missing)
    with pytest.raises(hrh.InvalidInput, match="no FHIR files"):
        hrh.read_registry(tmp_path, errors="skip")


def test_a_file_removed_after_the_call_raises_when_read(tmp_path: Path) -> None:
    path = tmp_path / "Practitioner.ndjson"
    path.write_text(json.dumps({"resourceType": "Practitioner", "id": "p1"}) + "\n", encoding="utf-8")
    lazy = hrh.read_registry(path, errors="skip")
    path.unlink()
    with pytest.raises(FileNotFoundError) as info:
        len(lazy)
    assert info.value.filename == str(path)
    with pytest.raises(FileNotFoundError):
        figures(lazy)


def test_a_broken_gzip_raises_when_read(tmp_path: Path) -> None:
    broken = tmp_path / "a.ndjson.gz"
    broken.write_bytes(gzip.compress(b'{"resourceType": "Practitioner", "id": "p1"}\n')[:-12])
    lazy = hrh.read_registry(broken, errors="skip")
    with pytest.raises(hrh.InvalidInput) as info:
        figures(lazy)
    assert info.value.path == str(broken)
    with pytest.raises(hrh.InvalidInput):
        lazy.rejected
    # The error is not kept: a repaired file is read.
    broken.write_bytes(gzip.compress(b'{"resourceType": "Practitioner", "id": "p1"}\n'))
    assert len(lazy) == 1


def test_errors_raise_reads_at_once(generated: tuple[Path, int]) -> None:
    folder, bad = generated
    with pytest.raises(hrh.InvalidInput) as info:
        hrh.read_registry(folder)
    assert info.value.path == str(folder / "Organization.ndjson")
    assert f"{bad} records could not be read" in str(info.value)
