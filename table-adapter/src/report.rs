//! The account of every row read.

use std::fmt;

/// Where a row is: the file, the sheet of a workbook, and the 1-based row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file name.
    pub source: String,
    /// The sheet, for a workbook.
    pub sheet: Option<String>,
    /// The 1-based row number as a spreadsheet shows it; for delimited text, the line the
    /// record starts on (as an editor shows it: empty lines are not rows).
    pub row: u64,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "{}, sheet {sheet:?}, row {}", self.source, self.row),
            None => write!(f, "{}, row {}", self.source, self.row),
        }
    }
}

/// A value that could not be read for its fact: the fact is kept as invalid (or left out),
/// the row still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// Where.
    pub place: Place,
    /// The column, by header name (`#N` without one).
    pub column: String,
    /// The fact, as `section.key` of the mapping.
    pub fact: String,
    /// The record it belongs to (worker or employment id).
    pub record: String,
    /// The value as written.
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, column {:?} ({}), record {}: {:?} is {}",
            self.place, self.column, self.fact, self.record, self.value, self.problem
        )
    }
}

/// A row that could not be a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// Where.
    pub place: Place,
    /// Why.
    pub reason: String,
}

impl fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}

/// What reading tables gave: every data row accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableReport {
    /// Data rows read (below the header row), blank ones (all cells empty) included; the
    /// empty lines of delimited text are not rows.
    pub rows: usize,
    /// Rows that gave a worker or an employment.
    pub accepted: usize,
    /// Blank rows, skipped.
    pub blank: usize,
    /// Rows that could not be a worker.
    pub rejected: Vec<RejectedRow>,
    /// Values kept as invalid or left out, each with its row, column and value.
    pub bad_values: Vec<BadValue>,
    /// Workers read.
    pub workers: usize,
    /// Employments read.
    pub employments: usize,
}

impl TableReport {
    /// Whether every row read is accounted for.
    pub fn is_balanced(&self) -> bool {
        self.rows == self.accepted + self.blank + self.rejected.len()
    }
}
