//! The one error type of `hrh-table`.

use hrh_core::error::MappingIssue;

/// What can go wrong reading a table mapping or a table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The table mapping file is not valid; every mistake with its line.
    #[error("invalid table mapping: {}", issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Mapping {
        /// Every mistake found, in line order.
        issues: Vec<MappingIssue>,
    },
    /// The mapping names columns the table does not have.
    #[error("{place}: the mapping names columns that are not in the table: {}; the table has: {}{}",
        missing.join(", "), present.join(", "),
        if *one_joined_column { " (one column with delimiters in it: check [source] delimiter)" } else { "" })]
    MissingColumns {
        /// The file (and sheet).
        place: String,
        /// Every column named by the mapping and not found.
        missing: Vec<String>,
        /// The columns the table has.
        present: Vec<String>,
        /// Whether the header row is one cell holding another delimiter (`,` `;` tab `|`).
        one_joined_column: bool,
    },
    /// The sheet the mapping names is not in the workbook.
    #[error("{source_name}: no sheet {sheet:?} (sheets: {})", present.join(", "))]
    NoSheet {
        /// The file.
        source_name: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets of the workbook.
        present: Vec<String>,
    },
    /// The kind of file cannot be told from its name and the mapping gives none.
    #[error("{0}: not a table file (.csv, .tsv, .xlsx, .ods, optionally .gz); set [source] kind")]
    UnknownKind(String),
    /// The file could not be read.
    #[error("{source_name}: {source}")]
    Io {
        /// The file.
        source_name: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The workbook could not be read.
    #[error("{source_name}: not a readable spreadsheet: {message}")]
    Spreadsheet {
        /// The file.
        source_name: String,
        /// The reader's message.
        message: String,
    },
}
