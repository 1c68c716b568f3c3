//! The one error type of `hrh-report`.

/// Everything that can go wrong while drawing or writing a workforce profile.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An org-unit geometry file could not be read as `GeoJSON`.
    #[error("org-unit file {file}, line {line}, {field}: {reason}")]
    InvalidGeometry {
        /// The file as given.
        file: String,
        /// The line (1-based) where the problem is; 0 when it is about the whole file.
        line: u64,
        /// The field (JSON path) at fault.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A chart could not be drawn (a bug: the data is always drawable).
    #[error("chart {chart}: {reason}")]
    Chart {
        /// The chart's title.
        chart: String,
        /// What the charting library said.
        reason: String,
    },
    /// The page could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The system's error.
        source: std::io::Error,
    },
}

/// The result type of `hrh-report`.
pub type Result<T> = std::result::Result<T, ReportError>;
