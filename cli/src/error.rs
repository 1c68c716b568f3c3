//! The errors of the `hrh` binary and the exit status each gives.

use std::path::PathBuf;

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
    /// From reading or writing DHIS2 formats.
    #[error(transparent)]
    Dhis2(#[from] hrh_dhis2::Dhis2Error),
}

impl CliError {
    /// The exit status: 2 for unusable input or usage, as documented per command.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::Io { .. } | Self::Core(_) | Self::Fhir(_) | Self::Dhis2(_) => 2,
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
