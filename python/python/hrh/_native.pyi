"""Type stubs of ``hrh._native``, checked against the module by ``mypy.stubtest``."""

import datetime
import os
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Literal, Optional, TypedDict, Union, final

import pandas
import pyarrow


__all__ = [
    "Aggregate",
    "AuthError",
    "Dhis2Client",
    "Dhis2Error",
    "FhirClient",
    "FhirError",
    "HrhError",
    "ImportSummary",
    "InvalidInput",
    "Mapping",
    "MappingError",
    "Period",
    "QualityReport",
    "ReadConfig",
    "Registry",
    "SearchPages",
    "TransportError",
    "__version__",
    "read_registry",
    "read_table",
]

__version__: str

class _EmploymentRecord(TypedDict):
    id: str
    occupation: Optional[str]
    employer: Optional[str]
    facility: Optional[str]
    start: Optional[datetime.date]
    end: Optional[datetime.date]
    active: Optional[bool]
    fte: Optional[float]

class _WorkerRecord(TypedDict):
    id: str
    active: Optional[bool]
    sex: Optional[str]
    birth_date: Optional[str]
    nationality: Optional[str]
    country_of_birth: Optional[str]
    employments: list[_EmploymentRecord]

class _Rejected(TypedDict):
    path: Optional[str]
    line: Optional[int]
    entry: Optional[int]
    resource_type: Optional[str]
    record_id: Optional[str]
    field: Optional[str]
    message: str

_StrPath = Union[str, os.PathLike[str]]
_Errors = Literal["raise", "skip"]

class _Finding(TypedDict):
    record_kind: str
    record_id: str
    field: str
    problem: str
    severity: str
    message: str

class _Value(TypedDict):
    data_element: str
    category_option_combo: Optional[str]
    attribute_option_combo: Optional[str]
    org_unit: str
    period: str
    value: Union[int, float]

class _Account(TypedDict):
    reference_date: datetime.date
    workers: int
    counted: int
    not_counted: dict[str, int]
    left_out: dict[str, dict[str, int]]
    withheld_values: int
    orphan_employments: int
    densities_without_population: int
    medians_mixed_currencies: int

@final
class Period:
    def __new__(cls, id: str) -> Period: ...
    @staticmethod
    def containing(date: datetime.date, period_type: str) -> Period: ...
    @staticmethod
    def from_adx(text: str) -> Period: ...
    @property
    def start(self) -> datetime.date: ...
    @property
    def end(self) -> datetime.date: ...
    @property
    def period_type(self) -> str: ...
    def contains(self, date: datetime.date) -> bool: ...
    def to_adx(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: Period, /) -> bool: ...
    def __le__(self, value: Period, /) -> bool: ...
    def __gt__(self, value: Period, /) -> bool: ...
    def __ge__(self, value: Period, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Period], tuple[str]]: ...

@final
class Mapping:
    @staticmethod
    def builtin(name: str) -> Mapping: ...
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Mapping: ...
    @staticmethod
    def from_toml(text: str) -> Mapping: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def data_set(self) -> Optional[str]: ...
    @property
    def period_type(self) -> Optional[str]: ...
    def __len__(self) -> int: ...

@final
class QualityReport:
    @property
    def records_checked(self) -> int: ...
    @property
    def is_clean(self) -> bool: ...
    @property
    def findings(self) -> list[_Finding]: ...
    def counts(self) -> dict[str, int]: ...
    def severities(self) -> dict[str, int]: ...
    def to_pandas(self) -> pandas.DataFrame: ...
    def to_polars(self) -> Any: ...  # a polars.DataFrame (polars is optional)
    def to_arrow(self) -> pyarrow.Table: ...
    def __len__(self) -> int: ...

@final
class Aggregate:
    @property
    def values(self) -> list[_Value]: ...
    @property
    def withheld(self) -> list[_Value]: ...
    @property
    def account(self) -> _Account: ...
    @property
    def accounts(self) -> list[_Account]: ...
    def account_lines(self) -> list[str]: ...
    @property
    def data_set(self) -> Optional[str]: ...
    def to_pandas(self) -> pandas.DataFrame: ...
    def to_polars(self) -> Any: ...  # a polars.DataFrame (polars is optional)
    def to_arrow(self) -> pyarrow.Table: ...
    def to_dhis2_json(self) -> str: ...
    def to_dhis2_csv(self) -> str: ...
    def to_adx(self) -> str: ...
    def to_measure_report(self) -> str: ...
    def to_html(self) -> str: ...
    def _repr_html_(self) -> str: ...
    def __len__(self) -> int: ...

@final
class Registry:
    @staticmethod
    def synthetic(
        workers: int = 1000,
        seed: int = 42,
        country: str = "UZ",
        year: Optional[int] = None,
        bad_records: bool = True,
    ) -> Registry: ...
    @staticmethod
    def from_bundle(
        bundle: Union[dict[str, Any], str],
        config: Optional[ReadConfig] = None,
        errors: _Errors = "raise",
    ) -> Registry: ...
    @staticmethod
    def from_pandas(
        frame: Any,
        mapping: Union[_StrPath, str],
        errors: _Errors = "raise",
    ) -> Registry: ...
    @property
    def rejected(self) -> list[_Rejected]: ...
    def to_records(self) -> list[_WorkerRecord]: ...
    def to_pandas(self) -> pandas.DataFrame: ...
    def quality(self, as_of: Optional[datetime.date] = None) -> QualityReport: ...
    def aggregate(
        self,
        mapping: Mapping,
        period: Union[str, Period, Sequence[Union[str, Period]], None] = None,
        country: Optional[str] = None,
        org_unit: Optional[str] = None,
        suppress: Optional[int] = None,
        population: Optional[Union[str, os.PathLike[str]]] = None,
        *,
        max_rejected: float = 0.05,
        allow_empty: bool = False,
    ) -> Aggregate: ...
    def report(
        self,
        mapping: Mapping,
        period: Union[str, Period, None] = None,
        country: Optional[str] = None,
        org_unit: Optional[str] = None,
        suppress: Optional[int] = None,
        path: Union[str, os.PathLike[str], None] = None,
    ) -> str: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[_WorkerRecord]: ...

@final
class ReadConfig:
    def __new__(
        cls,
        *,
        registry_id_systems: Sequence[str] = ...,
        national_id_systems: Sequence[str] = ...,
        licence_qualification_codes: Sequence[tuple[str, str]] = ...,
        job_to_isco: dict[tuple[str, str], str] = ...,
    ) -> ReadConfig: ...
    @property
    def registry_id_systems(self) -> list[str]: ...
    @property
    def national_id_systems(self) -> list[str]: ...
    @property
    def licence_qualification_codes(self) -> list[tuple[str, str]]: ...
    @property
    def job_to_isco(self) -> dict[tuple[str, str], str]: ...

# errors="raise" reads the records at once; errors="skip" reads them when first
# needed, and Registry.aggregate() before that streams the files (see the docstring).
def read_registry(
    *paths: _StrPath,
    config: Optional[ReadConfig] = None,
    errors: _Errors = "raise",
) -> Registry: ...

# HR exports and spreadsheets (CSV, TSV, XLSX, ODS, .gz) through a table mapping
# (a TOML file, or its text).
def read_table(
    *paths: _StrPath,
    mapping: Union[_StrPath, str],
    errors: _Errors = "raise",
) -> Registry: ...

class HrhError(Exception): ...

class InvalidInput(HrhError, ValueError):
    path: Optional[str]
    line: Optional[int]
    entry: Optional[int]
    resource_type: Optional[str]
    record_id: Optional[str]
    field: Optional[str]

class MappingError(HrhError):
    issues: list[tuple[int, str]]

class FhirError(HrhError):
    status: Optional[int]
    http_status: Optional[int]
    operation_outcome: Optional[dict[str, Any]]

class _WebMessage(TypedDict):
    http_status_code: int
    message: Optional[str]
    error_code: Optional[str]
    dev_message: Optional[str]

class _PreflightProblem(TypedDict):
    index: int
    issue: str

class Dhis2Error(HrhError):
    http_status: Optional[int]
    error_code: Optional[str]
    web_message: Optional[_WebMessage]
    summary: Optional[ImportSummary]
    problems: list[_PreflightProblem]

class AuthError(HrhError):
    http_status: Optional[int]
    error_code: Optional[str]
    web_message: Optional[_WebMessage]
    operation_outcome: Optional[dict[str, Any]]

class TransportError(HrhError):
    http_status: Optional[int]
    error_code: Optional[str]
    web_message: Optional[_WebMessage]

class _SystemInfo(TypedDict):
    version: str
    revision: Optional[str]
    build_time: Optional[str]
    server_date: Optional[str]
    system_name: Optional[str]
    context_path: Optional[str]

class _DataValue(TypedDict):
    data_element: str
    category_option_combo: Optional[str]
    attribute_option_combo: Optional[str]
    org_unit: Optional[str]
    period: Optional[str]
    value: Optional[str]
    stored_by: Optional[str]
    last_updated: Optional[str]
    comment: Optional[str]

class _OrgUnit(TypedDict):
    id: str
    code: Optional[str]
    name: Optional[str]
    short_name: Optional[str]
    level: Optional[int]
    path: Optional[str]
    parent: Optional[str]
    opening_date: Optional[str]
    closed_date: Optional[str]

class _Conflict(TypedDict):
    object: Optional[str]
    objects: dict[str, str]
    value: Optional[str]
    error_code: Optional[str]
    property: Optional[str]
    indexes: list[int]
    data_values: list[_DataValue]

_ImportStrategy = Literal["CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"]

@final
class ImportSummary:
    @property
    def status(self) -> Literal["SUCCESS", "WARNING", "ERROR"]: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def imported(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def ignored(self) -> int: ...
    @property
    def deleted(self) -> int: ...
    @property
    def conflicts(self) -> list[_Conflict]: ...
    @property
    def rejected_indexes(self) -> list[int]: ...
    @property
    def ok(self) -> bool: ...

@final
class Dhis2Client:
    def __new__(
        cls,
        base_url: str,
        auth: Optional[tuple[str, str]] = None,
        *,
        token: Optional[str] = None,
        timeout: float = 60.0,
        retries: int = 3,
        insecure: bool = False,
    ) -> Dhis2Client: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Dhis2Client: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...
    @property
    def base_url(self) -> str: ...
    def system_info(self) -> _SystemInfo: ...
    def push(
        self,
        data: Union[Aggregate, str, dict[str, Any]],
        *,
        dry_run: bool = False,
        chunk_size: Optional[int] = None,
        preflight: bool = True,
        import_strategy: _ImportStrategy = "CREATE_AND_UPDATE",
        atomic: Optional[bool] = None,
        allow_empty: bool = False,
    ) -> ImportSummary: ...
    def organisation_units(self, *filters: str, match_any: bool = False) -> list[_OrgUnit]: ...
    def read_data_values(
        self, data_set: str, org_unit: str, period: str, *, children: bool = False
    ) -> list[_DataValue]: ...

_Resource = dict[str, Any]
_ParamValue = Union[str, int, bool]
_SearchParams = dict[str, Union[_ParamValue, Sequence[_ParamValue]]]
_ReadType = Literal["Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService"]

class _Change(TypedDict):
    resource_type: str
    id: str
    deleted: bool
    last_updated: Optional[str]
    resource: Optional[_Resource]

class _EntryOutcome(TypedDict):
    status: str
    code: Optional[int]
    ok: bool
    id: Optional[str]
    location: Optional[str]
    etag: Optional[str]
    last_modified: Optional[str]
    outcome: Optional[_Resource]
    resource: Optional[_Resource]

class _SmartBackendRequired(TypedDict):
    client_id: str
    private_key: str

class _SmartBackend(_SmartBackendRequired, total=False):
    algorithm: Literal["RS384", "ES384"]
    key_id: Optional[str]
    token_url: Optional[str]
    scope: str

class _WriteOutcome(TypedDict):
    code: int
    created: bool
    id: Optional[str]
    version_id: Optional[str]
    location: Optional[str]
    etag: Optional[str]
    last_modified: Optional[str]
    outcome: Optional[_Resource]
    resource: Optional[_Resource]

class _Page(TypedDict):
    matches: list[_Resource]
    includes: list[_Resource]
    outcomes: list[_Resource]
    total: Optional[int]

@final
class SearchPages:
    def __iter__(self) -> SearchPages: ...
    def __next__(self) -> _Page: ...

@final
class FhirClient:
    def __new__(
        cls,
        base_url: str,
        auth: Optional[tuple[str, str]] = None,
        *,
        token: Optional[str] = None,
        client_credentials: Union[tuple[str, str, str], tuple[str, str, str, Optional[str]], None] = None,
        smart_backend: Optional[_SmartBackend] = None,
        timeout: float = 30.0,
        retries: int = 3,
        insecure: bool = False,
    ) -> FhirClient: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> FhirClient: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...
    @property
    def base_url(self) -> str: ...
    def capabilities(self) -> _Resource: ...
    def read(self, resource_type: str, id: str) -> _Resource: ...
    def search(
        self,
        resource_type: str,
        params: Optional[_SearchParams] = None,
        *,
        max_pages: Optional[int] = None,
    ) -> list[_Resource]: ...
    def search_pages(self, resource_type: str, params: Optional[_SearchParams] = None) -> SearchPages: ...
    def history_since(
        self, resource_type: str, since: Optional[str] = None
    ) -> tuple[list[_Change], Optional[str]]: ...
    def read_registry(
        self,
        *resource_types: _ReadType,
        config: Optional[ReadConfig] = None,
        errors: _Errors = "raise",
    ) -> Registry: ...
    def export(
        self,
        types: Optional[Sequence[_ReadType]] = None,
        since: Optional[str] = None,
        *,
        config: Optional[ReadConfig] = None,
        errors: _Errors = "raise",
    ) -> Registry: ...
    def transaction(self, bundle: Union[_Resource, str]) -> list[_EntryOutcome]: ...
    def create(self, resource: Union[_Resource, str]) -> _WriteOutcome: ...
    def update(self, resource: Union[_Resource, str]) -> _WriteOutcome: ...
    def delete(self, resource_type: str, id: str) -> _WriteOutcome: ...
