//! The registry inputs of a command: FHIR files, or tables read through `--table-mapping`.
//! Every command that reads a registry opens its inputs here, so FHIR and table inputs are
//! accepted in the same places and accounted for the same way.

use std::path::PathBuf;

use hrh_core::Registry;
use hrh_core::aggregate::{AggregateResult, Aggregation};
use hrh_table::TableMapping;

use crate::error::CliError;

/// `--table-mapping`: read the inputs as tables (CSV, TSV, XLSX, ODS, `.gz`) through a mapping.
#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    /// Read the inputs as tables (CSV, TSV, XLSX, ODS, optionally `.gz`) through this
    /// table mapping (TOML) instead of as FHIR.
    #[arg(long, value_name = "FILE")]
    pub table_mapping: Option<PathBuf>,
}

/// Opened inputs.
pub enum Inputs {
    /// FHIR files.
    Fhir(Vec<PathBuf>),
    /// Table files and their mapping.
    Table(Vec<PathBuf>, Box<TableMapping>),
}

/// What reading the inputs gave, whatever their kind.
#[derive(Debug, Default)]
pub struct ReadSummary {
    /// Records (FHIR) or rows (tables) read.
    pub read: usize,
    /// Those that became records.
    pub accepted: usize,
    /// Each unit that could not be read, with its place and why.
    pub rejected: Vec<String>,
    /// Values kept as invalid, with their place (tables).
    pub bad_values: Vec<String>,
}

impl From<hrh_fhir::ReadReport> for ReadSummary {
    fn from(report: hrh_fhir::ReadReport) -> Self {
        Self {
            read: report.read,
            accepted: report.accepted,
            rejected: report
                .rejected
                .iter()
                .map(|r| r.reason.to_string())
                .collect(),
            bad_values: Vec::new(),
        }
    }
}

impl From<hrh_table::TableReport> for ReadSummary {
    fn from(report: hrh_table::TableReport) -> Self {
        Self {
            read: report.rows,
            accepted: report.accepted,
            rejected: report.rejected.iter().map(ToString::to_string).collect(),
            bad_values: report.bad_values.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Files and directories as FHIR, or as tables when `table.table_mapping` is given.
pub fn open(paths: &[PathBuf], table: &TableArgs) -> Result<Inputs, CliError> {
    let Some(mapping_file) = &table.table_mapping else {
        let files = hrh_fhir::inputs::expand(paths)?;
        if files.is_empty() {
            return Err(CliError::Usage(
                "no FHIR files (.json, .ndjson, .gz) in the inputs".to_owned(),
            ));
        }
        return Ok(Inputs::Fhir(files));
    };
    let text = std::fs::read_to_string(mapping_file).map_err(CliError::io(mapping_file))?;
    let mapping = TableMapping::from_toml(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", mapping_file.display())))?;
    let files = hrh_table::expand(paths)?;
    if files.is_empty() {
        return Err(CliError::Usage(
            "no table files (.csv, .tsv, .xlsx, .ods, .gz) in the inputs".to_owned(),
        ));
    }
    Ok(Inputs::Table(files, Box::new(mapping)))
}

impl Inputs {
    /// How many files.
    pub fn file_count(&self) -> usize {
        match self {
            Self::Fhir(files) | Self::Table(files, _) => files.len(),
        }
    }

    /// The whole registry.
    pub fn read_registry(&self) -> Result<(Registry, ReadSummary), CliError> {
        match self {
            Self::Fhir(files) => {
                let (registry, report) = hrh_fhir::stream::read_registry(
                    files,
                    &hrh_fhir::ReadConfig::default(),
                    hrh_fhir::stream::default_threads(),
                )?;
                Ok((registry, report.into()))
            }
            Self::Table(files, mapping) => {
                let (registry, report) = hrh_table::read_registry(files, mapping)?;
                Ok((registry, report.into()))
            }
        }
    }

    /// Streams the inputs into `aggregation` (FHIR on every core).
    pub fn aggregate(
        &self,
        aggregation: Aggregation,
    ) -> Result<(AggregateResult, ReadSummary), CliError> {
        match self {
            Self::Fhir(files) => {
                let (result, report) = hrh_fhir::stream::aggregate_files(
                    files,
                    &hrh_fhir::ReadConfig::default(),
                    aggregation,
                    hrh_fhir::stream::default_threads(),
                )?;
                Ok((result, report.into()))
            }
            Self::Table(files, mapping) => {
                let (result, report) = hrh_table::aggregate_files(files, mapping, aggregation)?;
                Ok((result, report.into()))
            }
        }
    }

    /// Streams the inputs into several aggregations (a series of periods): FHIR in one read
    /// of the files; tables once per period (the table reader takes one aggregation).
    pub fn aggregate_series(
        &self,
        aggregations: Vec<Aggregation>,
    ) -> Result<(Vec<AggregateResult>, ReadSummary), CliError> {
        match self {
            Self::Fhir(files) => {
                let (results, report) = hrh_fhir::stream::aggregate_series(
                    files,
                    &hrh_fhir::ReadConfig::default(),
                    aggregations,
                    hrh_fhir::stream::default_threads(),
                )?;
                Ok((results, report.into()))
            }
            Self::Table(..) => {
                let mut results = Vec::with_capacity(aggregations.len());
                let mut summary = ReadSummary::default();
                for aggregation in aggregations {
                    let (result, report) = self.aggregate(aggregation)?;
                    results.push(result);
                    summary = report;
                }
                Ok((results, summary))
            }
        }
    }
}
