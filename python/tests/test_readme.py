"""The Python examples in the READMEs run as written."""

import re
from pathlib import Path

import pytest
from conftest import Sekmet, StandIn

ROOT = Path(__file__).parents[2]
READMES = [ROOT / "README.md", ROOT / "python" / "README.md"]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(
    readme: Path,
    capsys: pytest.CaptureFixture[str],
    standin: StandIn,
    sekmet: Sekmet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DHIS2_URL", standin.url)  # the DHIS2 examples talk to the stand-in
    monkeypatch.setenv("FHIR_URL", sekmet.base)  # and the FHIR ones to the real FHIR server
    blocks = python_blocks(readme)
    assert blocks, f"no python example in {readme}"
    for block in blocks:
        exec(compile(block, str(readme), "exec"), {})  # noqa: S102
