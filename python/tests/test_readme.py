"""The Python examples in the READMEs run as written."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
READMES = [ROOT / "README.md", ROOT / "python" / "README.md"]


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(readme: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(readme)
    assert blocks, f"no python example in {readme}"
    for block in blocks:
        exec(compile(block, str(readme), "exec"), {})  # noqa: S102
