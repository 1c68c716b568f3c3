from pathlib import Path

import pytest

import hrh

BAD_MAPPING = """\
format = 1
name = "demo"
version = "1"
[[target]]
data_element = "h6VJJu0W8U7"
isco = ["221"]
breakdown = "gender"
"""


def test_builtin(mapping: hrh.Mapping) -> None:
    assert mapping.name == "nhwa-module1"
    assert mapping.version
    assert mapping.data_set == "FuMctq4PQpf"
    assert mapping.period_type == "Yearly"
    assert len(mapping) > 100
    assert "nhwa-module1" in repr(mapping)


def test_builtin_subnational() -> None:
    m = hrh.Mapping.builtin("nhwa-module1-subnational")
    assert m.data_set == "W1NeEVi7ZaX"
    assert len(m) > 0


def test_unknown_builtin_is_mapping_error() -> None:
    with pytest.raises(hrh.MappingError, match="no built-in mapping") as info:
        hrh.Mapping.builtin("nhwa-module9")
    assert info.value.issues == []


def test_load_shipped_file(tmp_path: Path) -> None:
    # The file a user would edit: the shipped mapping, loaded from disk.
    shipped = Path(__file__).parents[2] / "core" / "mappings" / "nhwa-module1.toml"
    m = hrh.Mapping.load(shipped)
    assert (m.name, len(m)) == ("nhwa-module1", len(hrh.Mapping.builtin("nhwa-module1")))
    copy = tmp_path / "copy.toml"
    copy.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(hrh.Mapping.load(str(copy))) == len(m)


def test_bad_mapping_file_lists_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_MAPPING, encoding="utf-8")
    with pytest.raises(hrh.MappingError, match="unknown breakdown") as info:
        hrh.Mapping.load(path)
    err = info.value
    assert isinstance(err, hrh.HrhError)
    assert not isinstance(err, ValueError)
    assert err.issues
    assert all(isinstance(line, int) and isinstance(message, str) for line, message in err.issues)
    assert [line for line, _ in err.issues] == [7]
    assert err.issues[0][1].startswith('unknown breakdown "gender"')


def test_toml_syntax_error_has_line() -> None:
    with pytest.raises(hrh.MappingError) as info:
        hrh.Mapping.from_toml('format = 1\nname = "x"\n[target\n')
    assert [line for line, _ in info.value.issues] == [3]


def test_missing_file_is_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        hrh.Mapping.load(tmp_path / "absent.toml")
