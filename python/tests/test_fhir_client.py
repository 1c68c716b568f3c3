"""`hrh.FhirClient` against the real FHIR server, sekmet-fhir 0.1.1 (conftest.py)."""

import _thread
import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from conftest import KeepAliveServer, Sekmet, SilentServer, free_port, running_sekmet, ticking

import hrh

ISCO = "http://www.ilo.org/public/english/bureau/stat/isco/isco08"
ORG_UNIT = "UZdemoRoot1"
Resource = dict[str, Any]


def practitioner(n: int) -> Resource:
    return {
        "resourceType": "Practitioner",
        "id": f"p{n}",
        "active": True,
        "gender": "female" if n % 2 else "male",
        "birthDate": f"{1970 + n}-03-01",
    }


def role(n: int) -> Resource:
    return {
        "resourceType": "PractitionerRole",
        "id": f"r{n}",
        "active": True,
        "practitioner": {"reference": f"Practitioner/p{n}"},
        "organization": {"reference": "Organization/moh"},
        "code": [{"coding": [{"system": ISCO, "code": "2221" if n % 3 else "2211"}]}],
        "period": {"start": "2020-01-01"},
    }


ORGANIZATION: Resource = {"resourceType": "Organization", "id": "moh", "name": "Ministry of Health"}
WORKERS = 7
RESOURCES = [ORGANIZATION, *(practitioner(n) for n in range(WORKERS)), *(role(n) for n in range(WORKERS))]


def transaction(*resources: Resource, method: str = "PUT") -> Resource:
    """A transaction Bundle writing `resources` (under their own ids, unless POSTed)."""
    def url(r: Resource) -> str:
        return str(r["resourceType"]) if method == "POST" else f"{r['resourceType']}/{r['id']}"

    entries = [{"resource": r, "request": {"method": method, "url": url(r)}} for r in resources]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


@pytest.fixture(scope="module")
def loaded(sekmet: Sekmet) -> hrh.FhirClient:
    """A client of the module's server, loaded with RESOURCES."""
    client = hrh.FhirClient(sekmet.base)
    entries = client.transaction(transaction(*RESOURCES))
    assert len(entries) == len(RESOURCES)
    assert all(e["ok"] for e in entries), entries
    return client


def by_id(records: list[Any]) -> list[Any]:
    return sorted(records, key=lambda w: str(w["id"]))


def test_capabilities_and_read(loaded: hrh.FhirClient, sekmet: Sekmet) -> None:
    assert loaded.capabilities()["resourceType"] == "CapabilityStatement"
    p1 = loaded.read("Practitioner", "p1")
    assert (p1["id"], p1["gender"]) == ("p1", "female")
    assert loaded.base_url == sekmet.base


def test_transaction_entries(fresh_sekmet: Sekmet) -> None:
    client = hrh.FhirClient(fresh_sekmet.base)
    created = client.transaction(json.dumps(transaction(practitioner(1), method="POST")))
    assert len(created) == 1
    entry = created[0]
    assert set(entry) == {"status", "code", "ok", "id", "location", "etag", "last_modified", "outcome", "resource"}
    assert entry["ok"] and entry["code"] == 201 and entry["status"].startswith("201")
    assert entry["id"] and entry["location"] and entry["id"] in entry["location"]
    again = client.transaction(transaction(practitioner(1)))
    assert again[0]["code"] in (200, 201)
    with pytest.raises(TypeError, match="dict or JSON text"):
        client.transaction(42)  # type: ignore[arg-type]
    with pytest.raises(hrh.InvalidInput):
        client.transaction("{not json")


def test_create_update_delete(fresh_sekmet: Sekmet) -> None:
    client = hrh.FhirClient(fresh_sekmet.base)
    created = client.create({"resourceType": "Practitioner", "gender": "female"})
    assert set(created) == {
        "code", "created", "id", "version_id", "location", "etag", "last_modified", "outcome", "resource",
    }
    assert created["created"] and created["code"] == 201 and created["id"]
    pid = created["id"]
    updated = client.update(json.dumps({"resourceType": "Practitioner", "id": pid, "gender": "male"}))
    assert updated["code"] == 200 and not updated["created"] and updated["id"] == pid
    assert updated["version_id"] != created["version_id"]
    assert client.read("Practitioner", pid)["gender"] == "male"
    gone = client.delete("Practitioner", pid)
    assert 200 <= gone["code"] < 300
    with pytest.raises(hrh.FhirError):
        client.read("Practitioner", pid)
    with pytest.raises(TypeError, match="dict or JSON text"):
        client.create(42)  # type: ignore[arg-type]
    with pytest.raises(hrh.HrhError):
        client.update({"resourceType": "Practitioner"})  # no id to put it under


def test_search_follows_every_page(loaded: hrh.FhirClient) -> None:
    everyone = loaded.search("Practitioner", {"_count": 2})
    assert sorted(p["id"] for p in everyone) == [f"p{n}" for n in range(WORKERS)]
    assert all(p["resourceType"] == "Practitioner" for p in everyone)
    assert len(loaded.search("Practitioner", {"_count": 2}, max_pages=2)) == 4
    # An unknown parameter is ignored with an OperationOutcome entry: not a match.
    ignored = loaded.search("Practitioner", {"_count": 3, "gender": "female"})
    assert len(ignored) == WORKERS
    assert all(p["resourceType"] == "Practitioner" for p in ignored)
    # Repeated parameters and ints and bools as values.
    roles = loaded.search(
        "PractitionerRole",
        {"_include": ["PractitionerRole:practitioner", "PractitionerRole:organization"], "active": True},
    )
    assert len(roles) == WORKERS
    assert loaded.search("Practitioner", {"identifier": "nobody"}) == []
    with pytest.raises(TypeError, match="str, int or bool"):
        loaded.search("Practitioner", {"_count": 2.5})  # type: ignore[dict-item]


def test_search_pages(loaded: hrh.FhirClient) -> None:
    pages = loaded.search_pages("PractitionerRole", {"_count": 3, "_include": "PractitionerRole:practitioner"})
    assert isinstance(pages, hrh.SearchPages)
    seen = list(pages)
    assert [len(p["matches"]) for p in seen] == [3, 3, 1]
    assert sum(len(p["includes"]) for p in seen) == WORKERS
    assert all(i["resourceType"] == "Practitioner" for p in seen for i in p["includes"])
    assert all(p["total"] in (None, WORKERS) for p in seen)
    assert list(pages) == []
    warned = next(loaded.search_pages("Practitioner", {"gender": "male"}))
    assert warned["outcomes"][0]["resourceType"] == "OperationOutcome"
    assert warned["outcomes"][0]["issue"][0]["severity"] == "warning"


def test_history_since_shows_edits_and_deletions(fresh_sekmet: Sekmet) -> None:
    client = hrh.FhirClient(fresh_sekmet.base)
    client.transaction(transaction(practitioner(1), practitioner(2), practitioner(3)))
    everything, watermark = client.history_since("Practitioner")
    assert len(everything) == 3 and watermark
    assert {c["id"] for c in everything} == {"p1", "p2", "p3"}
    assert not any(c["deleted"] for c in everything)
    assert everything[0]["resource"] is not None and everything[0]["resource"]["resourceType"] == "Practitioner"
    time.sleep(1.1)  # past the watermark, which may have second precision

    edited = practitioner(1) | {"gender": "other"}
    client.transaction(transaction(edited))
    deletion = {"request": {"method": "DELETE", "url": "Practitioner/p2"}}
    client.transaction({"resourceType": "Bundle", "type": "transaction", "entry": [deletion]})

    changes, next_watermark = client.history_since("Practitioner", watermark)
    assert next_watermark and next_watermark >= watermark
    newest: dict[str, Any] = {}
    for change in changes:  # newest first
        newest.setdefault(change["id"], change)
    # `_since` is inclusive and the watermark may be the second of the first
    # fetch, so an older change of that second may come again (at least once).
    assert {"p1", "p2"} <= set(newest) <= {"p1", "p2", "p3"}
    assert newest["p1"]["deleted"] is False
    assert newest["p1"]["resource"]["gender"] == "other"
    assert newest["p1"]["last_updated"]
    assert newest["p2"] == {"resource_type": "Practitioner", "id": "p2", "deleted": True, "last_updated": None, "resource": None}
    assert "p3" not in newest or newest["p3"]["resource"]["gender"] == practitioner(3)["gender"]


def test_read_registry_aggregates(loaded: hrh.FhirClient, mapping: hrh.Mapping) -> None:
    registry = loaded.read_registry()
    assert isinstance(registry, hrh.Registry)
    assert len(registry) == WORKERS and registry.rejected == []
    local = hrh.Registry.from_bundle({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in RESOURCES]})
    assert by_id(registry.to_records()) == by_id(local.to_records())
    figures = registry.aggregate(mapping, period="2024", country="UZ", org_unit=ORG_UNIT)
    assert figures.values and figures.account["counted"] == WORKERS
    assert figures.values == local.aggregate(mapping, period="2024", country="UZ", org_unit=ORG_UNIT).values
    # Without the roles, nobody has an occupation.
    practitioners = loaded.read_registry("Practitioner", "Organization")
    assert len(practitioners) == WORKERS
    assert all(w["employments"] == [] for w in practitioners)


def test_read_registry_reports_bad_records(fresh_sekmet: Sekmet) -> None:
    client = hrh.FhirClient(fresh_sekmet.base)
    orphan = {"resourceType": "PractitionerRole", "id": "orphan", "code": role(1)["code"]}
    client.transaction(transaction(practitioner(1), ORGANIZATION, role(1), orphan))
    with pytest.raises(hrh.InvalidInput, match="no reference to a Practitioner") as caught:
        client.read_registry()
    error = caught.value
    assert (error.resource_type, error.record_id, error.field) == ("PractitionerRole", "orphan", "practitioner")
    assert error.entry is not None and error.path is None
    skipped = client.read_registry(errors="skip")
    assert len(skipped) == 1
    assert [r["record_id"] for r in skipped.rejected] == ["orphan"]


def test_read_registry_arguments(loaded: hrh.FhirClient) -> None:
    with pytest.raises(hrh.InvalidInput, match="Patient"):
        loaded.read_registry("Patient")  # type: ignore[arg-type]
    with pytest.raises(hrh.InvalidInput):
        loaded.read_registry(errors="ignore")  # type: ignore[arg-type]
    config = hrh.ReadConfig(registry_id_systems=["urn:nothing"])
    assert len(loaded.read_registry(config=config)) == WORKERS


def test_export_reads_like_a_search(loaded: hrh.FhirClient) -> None:
    exported = loaded.export()
    assert len(exported) == WORKERS and exported.rejected == []
    assert by_id(exported.to_records()) == by_id(loaded.read_registry().to_records())
    only_people = loaded.export(["Practitioner"])
    assert len(only_people) == WORKERS
    assert all(w["employments"] == [] for w in only_people)
    assert len(loaded.export(since="2999-01-01T00:00:00Z")) == 0


def test_invalid_resource_is_a_fhir_error(loaded: hrh.FhirClient) -> None:
    broken = {"resourceType": "Practitioner", "id": "broken", "active": "yes please"}
    with pytest.raises(hrh.FhirError) as caught:
        loaded.transaction(transaction(broken))
    error = caught.value
    assert error.status == error.http_status and error.status is not None and 400 <= error.status < 500
    outcome = error.operation_outcome
    assert outcome is not None and outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"] and outcome["issue"][0]["severity"] in ("error", "fatal")
    assert not isinstance(error, (hrh.AuthError, hrh.TransportError))
    with pytest.raises(hrh.FhirError) as missing:
        loaded.read("Practitioner", "nobody")
    assert missing.value.status == 404


SECURED = (
    "server_auth:\n  types: [basic, bearer, smart]\n  users: {hrh: pw-hrh}\n  tokens: [static-token]\n"
    "  smart_clients:\n    - {client_id: hrh-secret, client_secret: s3cr3t, scopes: 'system/*.*'}\n"
)


def test_wrong_credentials_are_auth_errors(sekmet_venv: Path) -> None:
    with running_sekmet(sekmet_venv, SECURED) as server:
        assert hrh.FhirClient(server.base, token="static-token").search("Practitioner") == []
        assert hrh.FhirClient(server.base, auth=("hrh", "pw-hrh")).search("Practitioner") == []
        token_url = server.base.replace("/fhir", "/auth/token")
        oauth = hrh.FhirClient(server.base, client_credentials=(token_url, "hrh-secret", "s3cr3t", "system/*.read"))
        assert oauth.search("Practitioner") == [] and oauth.capabilities()
        assert "s3cr3t" not in repr(oauth)
        refused = hrh.FhirClient(server.base, client_credentials=(token_url, "hrh-secret", "wrong-s3cr3t"))
        with pytest.raises(hrh.AuthError) as token_refused:
            refused.search("Practitioner")
        assert "invalid_client" in str(token_refused.value) and "wrong-s3cr3t" not in str(token_refused.value)
        # A search page that fails raises from the iterator, which then ends.
        pages = hrh.FhirClient(server.base).search_pages("Practitioner")
        with pytest.raises(hrh.AuthError):
            next(pages)
        assert list(pages) == []
        for client in (
            hrh.FhirClient(server.base),
            hrh.FhirClient(server.base, token="wrong-t0ken"),
            hrh.FhirClient(server.base, auth=("hrh", "wrong-passw0rd")),
        ):
            with pytest.raises(hrh.AuthError) as caught:
                client.search("Practitioner")
            assert caught.value.http_status == 401
            assert "wrong-t0ken" not in str(caught.value) and "wrong-passw0rd" not in str(caught.value)
            assert isinstance(caught.value, hrh.HrhError) and not isinstance(caught.value, hrh.FhirError)


KEYS = Path(__file__).resolve().parents[2] / "fhir-adapter" / "tests" / "keys"


def test_smart_backend_services(sekmet_venv: Path) -> None:
    public = KEYS / "test-only-es384-public.pem"
    config = (
        "server_auth:\n  types: [smart]\n  smart_clients:\n"
        f"    - {{client_id: hrh-es, public_key_path: {public}, scopes: 'system/*.*'}}\n"
    )
    private = (KEYS / "test-only-es384-private.pem").read_text(encoding="utf-8")
    with running_sekmet(sekmet_venv, config) as server:
        smart = hrh.FhirClient(
            server.base,
            smart_backend={
                "client_id": "hrh-es",
                "private_key": private,
                "algorithm": "ES384",
                "scope": "system/*.read system/*.write",
            },
        )
        assert smart.create({"resourceType": "Practitioner", "gender": "female"})["created"]
        assert len(smart.search("Practitioner")) == 1
        assert "PRIVATE" not in repr(smart) and "hrh-es" in repr(smart)
        # Another key than the registered one: the token request is refused.
        other = (KEYS / "test-only-rs384-private.pem").read_text(encoding="utf-8")
        refused = hrh.FhirClient(server.base, smart_backend={"client_id": "hrh-es", "private_key": other})
        with pytest.raises(hrh.AuthError) as caught:
            refused.search("Practitioner")
        assert "PRIVATE" not in str(caught.value)
    for bad in (
        {"client_id": "hrh-es"},
        {"client_id": "hrh-es", "private_key": private, "algorithm": "HS256"},
        {"client_id": "hrh-es", "private_key": private, "colour": "blue"},
    ):
        with pytest.raises(hrh.InvalidInput):
            hrh.FhirClient("http://127.0.0.1:9/fhir", smart_backend=bad)  # type: ignore[arg-type]
    with pytest.raises(hrh.InvalidInput, match="at most one"):
        hrh.FhirClient("http://127.0.0.1:9/fhir", token="t", smart_backend={"client_id": "c", "private_key": private})


def test_refused_client_credentials_are_auth_errors(fresh_sekmet: Sekmet) -> None:
    token_url = fresh_sekmet.base.replace("/fhir", "/auth/token")
    client = hrh.FhirClient(fresh_sekmet.base, client_credentials=(token_url, "nobody", "s3cr3t-value", "system/*.read"))
    assert "s3cr3t-value" not in repr(client) and "nobody" in repr(client)
    with pytest.raises(hrh.AuthError) as caught:
        client.search("Practitioner")
    assert "s3cr3t-value" not in str(caught.value)
    assert caught.value.http_status is None


def test_server_down_is_a_transport_error() -> None:
    client = hrh.FhirClient(f"http://127.0.0.1:{free_port()}/fhir", token="s3cr3t-token", retries=0, timeout=5)
    with pytest.raises(hrh.TransportError) as caught:
        client.capabilities()
    assert "s3cr3t-token" not in str(caught.value)
    assert caught.value.http_status is None


@pytest.fixture
def silent_server(silent: SilentServer) -> str:
    """A FHIR base URL whose server accepts connections and never answers."""
    return f"{silent.url}/fhir"


def test_timeout_is_a_transport_error(silent_server: str) -> None:
    with pytest.raises(hrh.TransportError, match="timed out"):
        hrh.FhirClient(silent_server, timeout=0.5, retries=0).search("Practitioner")


def test_ctrl_c_interrupts_a_waiting_call(silent: SilentServer, silent_server: str) -> None:
    client = hrh.FhirClient(silent_server, timeout=60, retries=0)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    began = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        client.search("Practitioner")
    assert time.monotonic() - began < 3
    # The request is dropped, not left to run until its 60 s timeout.
    assert silent.all_closed(within=5)


def test_ctrl_c_interrupts_search_pages(silent: SilentServer, silent_server: str) -> None:
    pages = hrh.FhirClient(silent_server, timeout=60, retries=0).search_pages("Practitioner")
    timer = threading.Timer(0.3, _thread.interrupt_main)
    began = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        next(pages)
    assert time.monotonic() - began < 3
    assert silent.all_closed(within=5)
    assert list(pages) == []  # the interrupted pages are given up


def test_gil_released_while_waiting(silent_server: str) -> None:
    with ticking() as ticks, pytest.raises(hrh.TransportError):
        hrh.FhirClient(silent_server, timeout=0.6, retries=0).capabilities()
    assert len(ticks) > 20


def test_repr_hides_secrets(sekmet: Sekmet) -> None:
    token = hrh.FhirClient(sekmet.base, token="s3cr3t-token")
    assert "s3cr3t-token" not in repr(token) and "***" in repr(token) and sekmet.base in repr(token)
    basic = hrh.FhirClient(sekmet.base, auth=("hrh", "s3cr3t-pw"))
    assert "s3cr3t-pw" not in repr(basic) and "hrh" in repr(basic)
    assert repr(hrh.FhirClient(sekmet.base)) == f'FhirClient("{sekmet.base}")'


def test_bad_arguments(sekmet: Sekmet) -> None:
    with pytest.raises(hrh.InvalidInput):
        hrh.FhirClient(sekmet.base, auth=("hrh", "pw"), token="x")
    with pytest.raises(hrh.InvalidInput):
        hrh.FhirClient(sekmet.base, timeout=0)
    with pytest.raises(hrh.InvalidInput):
        hrh.FhirClient("not a url")
    with pytest.raises(hrh.InvalidInput) as caught:
        hrh.FhirClient(sekmet.base.replace("http://", "http://hrh:s3cr3t-pw@"))
    assert "s3cr3t-pw" not in str(caught.value)
    with pytest.raises(TypeError, match="client_credentials"):
        hrh.FhirClient(sekmet.base, client_credentials=("only", "two"))  # type: ignore[arg-type]
    assert hrh.FhirClient(sekmet.base, insecure=True).capabilities()["resourceType"] == "CapabilityStatement"


def test_with_block_closes_the_connection(keep_alive: Callable[[bytes], KeepAliveServer]) -> None:
    statement = {"resourceType": "CapabilityStatement", "status": "active", "fhirVersion": "4.0.1"}
    server = keep_alive(json.dumps(statement).encode())
    with hrh.FhirClient(server.url, retries=0) as fhir:
        assert fhir.capabilities()["fhirVersion"] == "4.0.1"
        assert fhir.capabilities()["resourceType"] == "CapabilityStatement"
        assert server.open_connections() == 1, "one connection, kept alive between calls"
    assert fhir.closed
    assert server.all_closed(within=5), "the server sees the connection closed"
    with pytest.raises(hrh.InvalidInput, match="the FhirClient is closed"):
        fhir.capabilities()
    with pytest.raises(hrh.InvalidInput, match="closed"):
        fhir.search_pages("Practitioner")
