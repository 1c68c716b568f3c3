"""Health-workforce registry data in, WHO NHWA aggregate figures out.

The classes are implemented in Rust (``hrh._native``); this package
re-exports them.
"""

from hrh._native import (
    Aggregate,
    AuthError,
    Dhis2Client,
    Dhis2Error,
    FhirClient,
    FhirError,
    HrhError,
    ImportSummary,
    InvalidInput,
    Mapping,
    MappingError,
    Period,
    QualityReport,
    ReadConfig,
    Registry,
    SearchPages,
    TransportError,
    __version__,
    read_registry,
    read_table,
)

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
