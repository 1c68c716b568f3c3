"""`hrh.Dhis2Client` against the real DHIS2 stand-in (`tests/dhis2-standin`)."""

import _thread
import json
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
from conftest import KeepAliveServer, SilentServer, StandIn, running_standin, ticking

import hrh

PASSWORD = "district"
DATA_SET = "FuMctq4PQpf"
ROOT_OU = "UZdemoRoot1"


def client(standin: StandIn, **kwargs: Any) -> hrh.Dhis2Client:
    return hrh.Dhis2Client(standin.url, auth=("admin", PASSWORD), **kwargs)


@pytest.fixture(scope="module")
def figures(mapping: hrh.Mapping) -> hrh.Aggregate:
    registry = hrh.Registry.synthetic(workers=200, seed=3, country="UZ", year=2024)
    return registry.aggregate(mapping, period="2024", country="UZ", org_unit=ROOT_OU)


def fault(standin: StandIn, body: Dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{standin.url}/__faults",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_system_info(standin: StandIn) -> None:
    info = client(standin).system_info()
    assert info["version"].startswith("2.42")
    assert set(info) == {"version", "revision", "build_time", "server_date", "system_name", "context_path"}


def test_token_auth(standin: StandIn) -> None:
    info = hrh.Dhis2Client(standin.url, token=standin.token).system_info()
    assert info["version"]


def test_push_clean(standin: StandIn, figures: hrh.Aggregate) -> None:
    dhis2 = client(standin)
    summary = dhis2.push(figures, chunk_size=40)
    assert isinstance(summary, hrh.ImportSummary)
    assert summary.status == "SUCCESS"
    assert summary.ok
    assert summary.imported == len(figures.values)
    assert (summary.updated, summary.deleted) == (0, 0)
    assert summary.conflicts == [] and summary.rejected_indexes == []
    assert "ImportSummary(status='SUCCESS'" in repr(summary)
    stored = dhis2.read_data_values(DATA_SET, ROOT_OU, "2024")
    assert len(stored) == summary.imported
    sent = {(v["data_element"], v["category_option_combo"]): str(v["value"]) for v in figures.values}
    got = {(v["data_element"], v["category_option_combo"]): v["value"] for v in stored}
    assert got == sent
    # The same figures again change nothing.
    again = dhis2.push(figures)
    assert again.imported == 0 and again.ignored == len(figures.values)


def test_push_json_text_and_dict(standin: StandIn, figures: hrh.Aggregate) -> None:
    dhis2 = client(standin)
    assert dhis2.push(figures.to_dhis2_json()).imported == len(figures.values)
    assert dhis2.push(json.loads(figures.to_dhis2_json())).ignored == len(figures.values)
    with pytest.raises(TypeError):
        dhis2.push(42)  # type: ignore[arg-type]
    with pytest.raises(hrh.InvalidInput):
        dhis2.push("not json")


def test_dry_run_stores_nothing(standin: StandIn, figures: hrh.Aggregate) -> None:
    dhis2 = client(standin)
    summary = dhis2.push(figures, dry_run=True)
    assert summary.status == "SUCCESS"
    assert dhis2.read_data_values(DATA_SET, ROOT_OU, "2024") == []


def bad_org_unit_set(figures: hrh.Aggregate) -> Dict[str, Any]:
    good, other = figures.values[0], figures.values[1]
    return {
        "dataSet": DATA_SET,
        "period": "2024",
        "dataValues": [
            {
                "dataElement": good["data_element"],
                "categoryOptionCombo": good["category_option_combo"],
                "orgUnit": ROOT_OU,
                "value": "7",
            },
            {
                "dataElement": other["data_element"],
                "categoryOptionCombo": other["category_option_combo"],
                "orgUnit": "UZnowhere01",
                "value": "3",
            },
        ],
    }


def test_conflicts_are_tied_to_the_values(standin: StandIn, figures: hrh.Aggregate) -> None:
    summary = client(standin).push(bad_org_unit_set(figures), preflight=False)
    assert summary.status == "WARNING"
    assert not summary.ok
    assert summary.imported == 1 and summary.ignored == 1
    assert summary.rejected_indexes == [1]
    [conflict] = summary.conflicts
    assert conflict["indexes"] == [1]
    assert conflict["error_code"]
    assert "UZnowhere01" in (conflict["object"] or "") + json.dumps(conflict["objects"])
    [value] = conflict["data_values"]
    assert value["org_unit"] == "UZnowhere01"
    assert value["value"] == "3"
    assert value["period"] == "2024"


def test_preflight_refuses_before_sending(standin: StandIn, figures: hrh.Aggregate) -> None:
    dhis2 = client(standin)
    with pytest.raises(hrh.Dhis2Error) as caught:
        dhis2.push(bad_org_unit_set(figures))
    assert [p["index"] for p in caught.value.problems] == [1]
    assert "UZnowhere01" in caught.value.problems[0]["issue"]
    assert "nothing was sent" in str(caught.value)
    assert dhis2.read_data_values(DATA_SET, ROOT_OU, "2024") == []


def test_wrong_credentials(standin: StandIn) -> None:
    secret = "not-the-password-s3cr3t"
    dhis2 = hrh.Dhis2Client(standin.url, auth=("admin", secret), retries=0)
    with pytest.raises(hrh.AuthError) as caught:
        dhis2.system_info()
    assert caught.value.http_status == 401
    assert isinstance(caught.value, hrh.HrhError)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value.web_message)
    with pytest.raises(hrh.AuthError):
        hrh.Dhis2Client(standin.url, token="d2p_wrong").organisation_units()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_server_down() -> None:
    dhis2 = hrh.Dhis2Client(f"http://127.0.0.1:{free_port()}", auth=("admin", PASSWORD), retries=0, timeout=5)
    with pytest.raises(hrh.TransportError) as caught:
        dhis2.system_info()
    assert caught.value.http_status is None
    assert PASSWORD not in str(caught.value)


def test_timeout_is_a_transport_error(standin: StandIn) -> None:
    fault(standin, {"delayMs": 3000})
    dhis2 = client(standin, timeout=0.5, retries=0)
    with pytest.raises(hrh.TransportError, match="timeout"):
        dhis2.system_info()


def test_repr_hides_secrets(standin: StandIn) -> None:
    basic = client(standin)
    assert PASSWORD not in repr(basic) and PASSWORD not in str(basic)
    assert "admin" in repr(basic) and standin.url in repr(basic)
    token = hrh.Dhis2Client(standin.url, token=standin.token)
    assert standin.token not in repr(token)
    assert "***" in repr(token)
    assert token.base_url == standin.url


def test_bad_arguments(standin: StandIn) -> None:
    with pytest.raises(hrh.InvalidInput):
        hrh.Dhis2Client(standin.url)
    with pytest.raises(hrh.InvalidInput):
        hrh.Dhis2Client(standin.url, auth=("admin", PASSWORD), token="x")
    with pytest.raises(hrh.InvalidInput):
        hrh.Dhis2Client(standin.url, auth=("admin", PASSWORD), timeout=0)
    url_with_secret = standin.url.replace("http://", f"http://admin:{PASSWORD}@")
    with pytest.raises(hrh.InvalidInput) as caught:
        hrh.Dhis2Client(url_with_secret, auth=("admin", PASSWORD))
    assert PASSWORD not in str(caught.value)
    with pytest.raises(hrh.InvalidInput):
        client(standin).push({"dataValues": []}, import_strategy="MERGE")  # type: ignore[arg-type]


def test_organisation_units(standin: StandIn) -> None:
    dhis2 = client(standin)
    everything = dhis2.organisation_units()
    assert len(everything) == 13
    regions = dhis2.organisation_units("level:eq:2")
    assert {r["parent"] for r in regions} == {ROOT_OU}
    assert len(regions) == 3
    assert set(regions[0]) == {
        "id",
        "code",
        "name",
        "short_name",
        "level",
        "path",
        "parent",
        "opening_date",
        "closed_date",
    }
    either = dhis2.organisation_units("id:eq:UZregTashk1", "id:eq:UZregSamar1", match_any=True)
    assert {u["id"] for u in either} == {"UZregTashk1", "UZregSamar1"}


def test_ctrl_c_interrupts_a_waiting_call(standin: StandIn) -> None:
    fault(standin, {"delayMs": 5000})
    dhis2 = client(standin, retries=0)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    began = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        dhis2.system_info()
    assert time.monotonic() - began < 3


def test_ctrl_c_drops_the_request(silent: SilentServer) -> None:
    dhis2 = hrh.Dhis2Client(silent.url, token="d2pat_test", timeout=60, retries=0)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        dhis2.system_info()
    # The request is dropped, not left to run until its 60 s timeout.
    assert silent.all_closed(within=5)


def test_gil_released_while_waiting(standin: StandIn) -> None:
    fault(standin, {"delayMs": 600})
    with ticking() as ticks:
        client(standin).system_info()
    assert len(ticks) > 20


def test_web_message_errors(standin: StandIn) -> None:
    dhis2 = client(standin, retries=0)
    with pytest.raises(hrh.Dhis2Error) as caught:
        dhis2.read_data_values("nosuchset01", ROOT_OU, "2024")
    error = caught.value
    assert (error.http_status, error.error_code) == (409, "E2010")
    assert error.web_message is not None
    assert error.web_message["http_status_code"] == 409
    assert "nosuchset01" in (error.web_message["message"] or "")
    assert error.summary is None and error.problems == []
    with pytest.raises(hrh.Dhis2Error) as caught:
        dhis2.organisation_units("not a filter")
    assert caught.value.http_status == 400


def test_retries_then_gives_up(standin: StandIn) -> None:
    fault(standin, {"status": 503, "retryAfter": "0", "count": 5})
    with pytest.raises(hrh.Dhis2Error) as caught:
        client(standin, retries=1).system_info()
    assert caught.value.http_status == 503
    assert not isinstance(caught.value, (hrh.AuthError, hrh.TransportError))
    # Three of the five faults are left: drop them; then one retry gets past one fault.
    request = urllib.request.Request(f"{standin.url}/__faults", method="DELETE")
    with urllib.request.urlopen(request, timeout=10):
        pass
    fault(standin, {"status": 503, "retryAfter": "0", "count": 1})
    assert client(standin, retries=1).system_info()["version"]


def test_insecure_is_accepted(standin: StandIn) -> None:
    assert client(standin, insecure=True).system_info()["version"]


def test_aborted_import_raises_with_its_summary(standin_path: Path, figures: hrh.Aggregate) -> None:
    with running_standin(standin_path, "--version", "2.43") as standin:
        dhis2 = client(standin)
        with pytest.raises(hrh.Dhis2Error) as caught:
            dhis2.push(bad_org_unit_set(figures), preflight=False, atomic=True)
        assert dhis2.read_data_values(DATA_SET, ROOT_OU, "2024") == []
    summary = caught.value.summary
    assert summary is not None
    assert summary.status == "ERROR" and summary.imported == 0
    assert summary.rejected_indexes == [1]
    assert summary.conflicts[0]["data_values"][0]["org_unit"] == "UZnowhere01"
    assert "aborted" in str(caught.value)


SYSTEM_INFO = json.dumps({"version": "2.42.3"}).encode()


def test_with_block_closes_the_connection(keep_alive: Callable[[bytes], KeepAliveServer]) -> None:
    server = keep_alive(SYSTEM_INFO)
    with hrh.Dhis2Client(server.url, token="d2pat_test", retries=0) as dhis2:
        assert dhis2.system_info()["version"] == "2.42.3"
        assert dhis2.system_info()["version"] == "2.42.3"
        assert server.open_connections() == 1, "one connection, kept alive between calls"
        assert not dhis2.closed
    assert dhis2.closed
    assert server.all_closed(within=5), "the server sees the connection closed"
    with pytest.raises(hrh.InvalidInput, match="the Dhis2Client is closed"):
        dhis2.system_info()


def test_with_block_closes_on_an_exception_and_lets_it_through(
    keep_alive: Callable[[bytes], KeepAliveServer],
) -> None:
    server = keep_alive(SYSTEM_INFO)
    with pytest.raises(RuntimeError, match="in the block"):
        with hrh.Dhis2Client(server.url, token="d2pat_test", retries=0) as dhis2:
            dhis2.system_info()
            raise RuntimeError("in the block")
    assert server.all_closed(within=5)
    dhis2.close()  # closing twice is harmless
    assert dhis2.closed
