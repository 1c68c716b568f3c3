"""The hand-written stub `hrh/_native.pyi` matches the compiled module."""

import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_SOURCE = Path(__file__).parents[1] / "python"


def test_stubtest() -> None:
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "hrh"],
        cwd=PYTHON_SOURCE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_tests_type_check() -> None:
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(Path(__file__).parent)],
        cwd=PYTHON_SOURCE,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
