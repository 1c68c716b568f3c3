//! The errors of the `hrh` binary and the exit status each gives.

use std::path::PathBuf;

/// Exit status of server, credential and network errors (connection refused, HTTP 401, 5xx, ...).
pub const EXIT_SERVER: u8 = 3;

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line or a setting is wrong.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// From the domain (bad period, country, mapping, ...).
    #[error(transparent)]
    Core(#[from] hrh_core::CoreError),
    /// From reading or writing FHIR.
    #[error(transparent)]
    Fhir(#[from] hrh_fhir::FhirError),
    /// From reading tables or their mapping.
    #[error(transparent)]
    Table(#[from] hrh_table::TableError),
    /// From reading or writing DHIS2 formats.
    #[error(transparent)]
    Dhis2(#[from] hrh_dhis2::Dhis2Error),
    /// A DHIS2 server could not be reached, refused the credentials or answered with an error.
    #[error("DHIS2 at {url}: {}", server_message(error))]
    Server {
        /// The base URL (never holds credentials: the client refuses such URLs).
        url: String,
        /// What went wrong (its message already includes its causes).
        error: Box<hrh_dhis2::Dhis2Error>,
    },
    /// A FHIR server could not be reached, refused the credentials or answered with an error.
    #[error("FHIR server at {url}: {}", fhir_server_message(error))]
    FhirServer {
        /// The base URL.
        url: String,
        /// What went wrong.
        error: Box<hrh_fhir::FhirError>,
    },
}

impl From<hrh_report::ReportError> for CliError {
    fn from(error: hrh_report::ReportError) -> Self {
        match error {
            hrh_report::ReportError::Io { path, source } => Self::Io {
                path: path.into(),
                source,
            },
            // Bad geometry files (named with line and field) and chart failures.
            other => Self::Usage(other.to_string()),
        }
    }
}

/// The FHIR server error, with a hint when the credentials were refused.
fn fhir_server_message(error: &hrh_fhir::FhirError) -> String {
    use crate::credentials as c;
    let refused = matches!(
        error,
        hrh_fhir::FhirError::Http {
            status: 401 | 403,
            ..
        } | hrh_fhir::FhirError::Auth { .. }
    );
    if refused {
        format!(
            "{error}; the credentials were refused: check {} or {}/{} or {}/{}/{} or {}/{}",
            c::FHIR_TOKEN,
            c::FHIR_USERNAME,
            c::FHIR_PASSWORD,
            c::FHIR_CLIENT_ID,
            c::FHIR_CLIENT_SECRET,
            c::FHIR_TOKEN_URL,
            c::FHIR_SMART_CLIENT_ID,
            c::FHIR_SMART_KEY_FILE
        )
    } else {
        error.to_string()
    }
}

/// The server error, with a hint when the credentials were refused.
fn server_message(error: &hrh_dhis2::Dhis2Error) -> String {
    if error.is_unauthorized() {
        format!(
            "the credentials were refused (HTTP 401); check {}/{} or {}",
            crate::credentials::DHIS2_USERNAME,
            crate::credentials::DHIS2_PASSWORD,
            crate::credentials::DHIS2_TOKEN
        )
    } else {
        error.to_string()
    }
}

impl CliError {
    /// The exit status: 2 for unusable input or usage, 3 for server, credential and
    /// network errors ([`EXIT_SERVER`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_)
            | Self::Io { .. }
            | Self::Core(_)
            | Self::Fhir(_)
            | Self::Table(_)
            | Self::Dhis2(_) => 2,
            Self::Server { .. } | Self::FhirServer { .. } => EXIT_SERVER,
        }
    }

    /// A DHIS2 client error: a bad URL is a usage error (2), anything else a server error (3).
    pub fn dhis2_server(url: &str) -> impl FnOnce(hrh_dhis2::Dhis2Error) -> Self {
        let url = url.trim().to_owned();
        move |source| match source {
            hrh_dhis2::Dhis2Error::InvalidUrl { .. } => Self::Usage(source.to_string()),
            error => Self::Server {
                url,
                error: Box::new(error),
            },
        }
    }

    /// A FHIR client error: a bad URL is a usage error (2), an unreadable local file an input
    /// error (2), anything else a server error (3).
    pub fn fhir_server(url: &str) -> impl FnOnce(hrh_fhir::FhirError) -> Self {
        let url = url.trim().to_owned();
        move |source| match source {
            hrh_fhir::FhirError::InvalidUrl { .. } => Self::Usage(source.to_string()),
            hrh_fhir::FhirError::Io { .. } => Self::Fhir(source),
            error => Self::FhirServer {
                url,
                error: Box::new(error),
            },
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
