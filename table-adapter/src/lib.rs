//! `hrh-table`: HR-system exports and spreadsheets into the `hrh-core` model.
//!
//! Most ministries keep their workforce registry as an export of an HR platform (iHRIS,
//! payroll, a national HR system) or a spreadsheet. A [`TableMapping`] (TOML, see
//! [`mapping`]) says which column gives which fact; [`read_registry`] reads CSV/TSV (any
//! delimiter, quoted fields, UTF-8 with or without BOM, Windows-1251/1252), XLSX and ODS
//! (every sheet or a named one), each optionally `.gz`, into a [`hrh_core::Registry`], and
//! [`aggregate_files`] streams delimited text straight into the core aggregation. Both
//! give the same figures, quality checks and account as the same registry read from FHIR.
//!
//! A value that cannot be read is kept as invalid for its fact (the worker still counts)
//! and listed in [`TableReport::bad_values`] with its sheet, row, column and value; a row
//! that cannot be a worker is listed in [`TableReport::rejected`]; every row is accounted
//! for ([`TableReport::is_balanced`]). A mapping that names a missing column fails at once,
//! listing every missing column and the columns present.
//!
//! ```
//! let mapping = hrh_table::TableMapping::from_toml(r#"
//!     format = 1
//!     name = "staff"
//!     version = "1"
//!     [worker]
//!     id = "Staff no"
//!     sex = "Sex"
//! "#)?;
//! let csv = "Staff no,Sex\n1,female\n2,male\n";
//! let (registry, report) = hrh_table::read_registry_from(
//!     "staff.csv", hrh_table::SourceKind::Csv, Box::new(csv.as_bytes()), &mapping)?;
//! assert_eq!(registry.practitioners.len(), 2);
//! assert_eq!(report.rows, 2);
//! # Ok::<(), hrh_table::TableError>(())
//! ```

pub mod error;
pub mod mapping;
mod read;
pub mod report;
mod row;
mod source;

pub use error::TableError;
pub use mapping::{Layout, SourceKind, TableMapping};
pub use read::{aggregate_files, expand, read_registry, read_registry_from};
pub use report::{BadValue, Place, RejectedRow, TableReport};
