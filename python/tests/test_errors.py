import inspect

import pytest

import hrh

FAMILIES = [
    hrh.InvalidInput,
    hrh.MappingError,
    hrh.FhirError,
    hrh.Dhis2Error,
    hrh.AuthError,
    hrh.TransportError,
]


def test_base_is_an_exception() -> None:
    assert issubclass(hrh.HrhError, Exception)
    assert hrh.HrhError.__module__ == "hrh"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_an_hrh_error(family: type[Exception]) -> None:
    assert issubclass(family, hrh.HrhError)
    assert family.__module__ == "hrh"
    assert family.__doc__
    with pytest.raises(hrh.HrhError):
        raise family("boom")


def test_invalid_input_is_value_error() -> None:
    assert issubclass(hrh.InvalidInput, ValueError)
    assert not issubclass(hrh.MappingError, ValueError)


def test_mapping_error_issues_default() -> None:
    assert hrh.MappingError("x").issues == []


def test_classes_have_rust_docstrings() -> None:
    for cls in (hrh.Period, hrh.Mapping, hrh.Registry, hrh.QualityReport, hrh.Aggregate, hrh.ReadConfig):
        assert cls.__doc__, cls
    assert hrh.Registry.aggregate.__doc__
    assert hrh.Period.containing.__doc__
    for function in (
        hrh.read_registry,
        hrh.Registry.from_bundle,
        hrh.Aggregate.to_dhis2_json,
        hrh.Aggregate.to_dhis2_csv,
        hrh.Aggregate.to_adx,
    ):
        assert function.__doc__, function
    assert str(inspect.signature(hrh.read_registry)) == "(*paths, config=None, errors='raise')"


def test_public_names() -> None:
    assert sorted(hrh.__all__) == sorted(name for name in dir(hrh) if not name.startswith("_") or name == "__version__")
    assert hrh.__version__
