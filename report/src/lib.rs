//! `hrh-report`: the workforce profile a ministry looks at, as **one self-contained HTML
//! file** (every style and chart inside; no script, no font, no network request).
//!
//! It draws from the result of an aggregation run and nothing else: the headline figures
//! are the mapping's own values, and every other section sums the run's [`Profile`]
//! (the stock by every category, counted by the same engine in the same pass). The
//! charts are SVG made in Rust by `plotters`, each with a title, axis labels, a
//! `<title>`/`<desc>` and its data as a table. With small-cell suppression every figure
//! from 1 to k-1 is withheld in the page too, charts included.
//!
//! ```
//! use hrh_core::aggregate::{Aggregation, Mapping, Options};
//! use hrh_core::synthetic::{Config, SyntheticRegistry};
//! let registry = SyntheticRegistry::new(Config { workers: 300, ..Config::default() }).to_registry();
//! let mapping = Mapping::builtin("nhwa-module1")?;
//! let period = "2024".parse()?;
//! let options = Options { period, home: hrh_core::Country::UZBEKISTAN, org_unit: Some("UZ".into()), suppress_below: None };
//! let result = Aggregation::new(&mapping, &options)?.with_profile().run(&registry);
//! let html = hrh_report::Report::new(hrh_core::Country::UZBEKISTAN, &mapping, vec![(period, &result)]).render()?;
//! assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Profile`]: hrh_core::aggregate::Profile

mod chart;
mod error;
mod geo;
mod html;
mod page;

use std::io::Write as _;
use std::path::Path;

use hrh_core::aggregate::{AggregateResult, Mapping};
use hrh_core::population::PopulationTable;
use hrh_core::quality::QualityReport;
use hrh_core::{Country, Period};

pub use error::{ReportError, Result};
pub use geo::{Place, Places};

/// Everything a profile is drawn from.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The home country.
    pub country: Country,
    /// The mapping the figures were made with (names the occupation groups).
    pub mapping: &'a Mapping,
    /// One aggregation result per period, run [`with_profile`]; the last is the one the
    /// sections describe, all of them make the trends.
    ///
    /// [`with_profile`]: hrh_core::aggregate::Aggregation::with_profile
    pub runs: Vec<(Period, &'a AggregateResult)>,
    /// The data-quality report of the same records, when checked.
    pub quality: Option<&'a QualityReport>,
    /// Population by org unit and period (density per 10,000), and the file it came from.
    pub population: Option<(&'a PopulationTable, String)>,
    /// Org units' names and geometry (the distribution map).
    pub places: Places,
    /// Withhold figures from 1 to k-1 (as the aggregation did).
    pub suppress_below: Option<u64>,
    /// Problems with the inputs that did not stop the page, shown at its top.
    pub warnings: Vec<String>,
}

impl<'a> Report<'a> {
    /// A report of `runs` (sorted by period here) with no population, geometry, quality
    /// report or suppression.
    pub fn new(
        country: Country,
        mapping: &'a Mapping,
        mut runs: Vec<(Period, &'a AggregateResult)>,
    ) -> Self {
        runs.sort_by_key(|(period, _)| *period);
        Self {
            country,
            mapping,
            runs,
            quality: None,
            population: None,
            places: Places::new(),
            suppress_below: None,
            warnings: Vec::new(),
        }
    }

    /// The whole page.
    pub fn render(&self) -> Result<String> {
        page::render(self)
    }

    /// A compact HTML summary of the latest run (for notebooks): the headline table and
    /// the account, no charts.
    pub fn summary(&self) -> String {
        page::summary(self)
    }

    /// Renders the page and writes it to `path` through a temporary file in the same
    /// folder, renamed at the end: the file is never half-written.
    pub fn write(&self, path: &Path) -> Result<()> {
        let html = self.render()?;
        write_atomically(path, html.as_bytes())
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it, then renames it to `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source: std::io::Error| ReportError::Io {
        path: path.display().to_string(),
        source,
    };
    let name = path.file_name().map_or_else(
        || "profile.html".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(e));
    }
    Ok(())
}
