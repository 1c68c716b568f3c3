//! Population figures by org unit and period: the denominator of NHWA density
//! indicators (workers per 10,000 population).
//!
//! A population file is CSV with a header naming three columns (any order, any
//! case): the org unit (`org_unit`, `orgunit` or `ou`), the period (`period` or
//! `pe`) and the population (`population` or `value`). Other columns are ignored.
//!
//! ```
//! use hrh_core::population::PopulationTable;
//! let csv = "org_unit,period,population\nUZ,2024,36800000\n";
//! let table = PopulationTable::from_csv(csv.as_bytes(), "population.csv")?;
//! assert_eq!(table.get("UZ", "2024"), Some(36_800_000));
//! assert_eq!(PopulationTable::density_per_10k(36_800, 36_800_000), Some(10.0));
//! # Ok::<(), hrh_core::CoreError>(())
//! ```

use std::collections::BTreeMap;
use std::io::Read;

use crate::error::{CoreError, Result};

/// Population by (org unit, period id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PopulationTable {
    by_org_unit_and_period: BTreeMap<(String, String), u64>,
}

impl PopulationTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a population CSV (see the module docs). `source` names the file in errors,
    /// which give its line and field; a UTF-8 byte-order mark is allowed.
    pub fn from_csv(input: impl Read, source: &str) -> Result<Self> {
        let invalid = |line: u64, field: &str, reason: String| CoreError::InvalidPopulation {
            file: source.to_owned(),
            line,
            field: field.to_owned(),
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| invalid(1, "header", e.to_string()))?
            .clone();
        let column = |names: &[&str], field: &str| {
            headers
                .iter()
                .position(|h| {
                    let h = h.trim_start_matches('\u{feff}').to_ascii_lowercase();
                    names.contains(&h.as_str())
                })
                .ok_or_else(|| {
                    invalid(
                        1,
                        field,
                        format!(
                            "no {field} column (expected one of {}; found {})",
                            names.join(", "),
                            headers.iter().collect::<Vec<_>>().join(", ")
                        ),
                    )
                })
        };
        let org_unit_column = column(&["org_unit", "orgunit", "ou"], "org_unit")?;
        let period_column = column(&["period", "pe"], "period")?;
        let population_column = column(&["population", "value"], "population")?;
        let mut table = Self::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                invalid(line, "row", e.to_string())
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |index: usize, field: &str| {
                record
                    .get(index)
                    .filter(|text| !text.is_empty())
                    .ok_or_else(|| invalid(line, field, "missing".to_owned()))
            };
            let org_unit = cell(org_unit_column, "org_unit")?;
            let period = cell(period_column, "period")?;
            let text = cell(population_column, "population")?;
            let population = parse_population(text).ok_or_else(|| {
                invalid(
                    line,
                    "population",
                    format!("{text:?} is not a whole number of people"),
                )
            })?;
            let key = (org_unit.to_owned(), period.to_owned());
            if table
                .by_org_unit_and_period
                .insert(key, population)
                .is_some()
            {
                return Err(invalid(
                    line,
                    "org_unit",
                    format!("a second population for org unit {org_unit} in period {period}"),
                ));
            }
        }
        Ok(table)
    }

    /// Sets the population of an org unit in a period (e.g. from DHIS2 data values).
    pub fn insert(&mut self, org_unit: &str, period: &str, population: u64) {
        self.by_org_unit_and_period
            .insert((org_unit.to_owned(), period.to_owned()), population);
    }

    /// The population of an org unit in a period, when known.
    pub fn get(&self, org_unit: &str, period: &str) -> Option<u64> {
        self.by_org_unit_and_period
            .get(&(org_unit.to_owned(), period.to_owned()))
            .copied()
    }

    /// Every (org unit, period, population), in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.by_org_unit_and_period
            .iter()
            .map(|((org_unit, period), population)| {
                (org_unit.as_str(), period.as_str(), *population)
            })
    }

    /// Whether the table has no figures.
    pub fn is_empty(&self) -> bool {
        self.by_org_unit_and_period.is_empty()
    }

    /// Workers per 10,000 population; `None` for a zero population.
    #[allow(clippy::cast_precision_loss)] // counts and populations are far below 2^52
    pub fn density_per_10k(workers: u64, population: u64) -> Option<f64> {
        (population > 0).then(|| workers as f64 * 10_000.0 / population as f64)
    }
}

/// A population: digits, optionally with thousands separators (`,` `_` or spaces) or a
/// `.0` fraction as spreadsheets write whole numbers.
fn parse_population(text: &str) -> Option<u64> {
    let text = text.strip_suffix(".0").unwrap_or(text);
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_columns_in_any_order_with_bom() {
        let csv =
            "\u{feff}Period,Population,OrgUnit,note\n2024,\"1,200,000\",UZ,x\n2023,1100000.0,UZ,\n";
        let table = PopulationTable::from_csv(csv.as_bytes(), "p.csv").unwrap();
        assert_eq!(table.get("UZ", "2024"), Some(1_200_000));
        assert_eq!(table.get("UZ", "2023"), Some(1_100_000));
        assert_eq!(table.get("UZ", "2022"), None);
        assert_eq!(table.iter().count(), 2);
    }

    #[test]
    fn names_file_line_and_field_of_bad_values() {
        let csv = "org_unit,period,population\nUZ,2024,100\nUZ-TO,2024,many\n";
        let error = PopulationTable::from_csv(csv.as_bytes(), "p.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "population file p.csv, line 3, population: \"many\" is not a whole number of people"
        );
        let missing =
            PopulationTable::from_csv("ou,pe\nUZ,2024\n".as_bytes(), "q.csv").unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("q.csv, line 1, population: no population column")
        );
        let empty =
            PopulationTable::from_csv("ou,pe,value\nUZ,2024,\n".as_bytes(), "r.csv").unwrap_err();
        assert!(
            empty.to_string().contains("line 2, population: missing"),
            "{empty}"
        );
        let twice =
            PopulationTable::from_csv("ou,pe,value\nUZ,2024,1\nUZ,2024,2\n".as_bytes(), "s.csv")
                .unwrap_err();
        assert!(
            twice
                .to_string()
                .contains("line 3, org_unit: a second population"),
            "{twice}"
        );
        assert!(
            PopulationTable::from_csv("ou,pe,value\nUZ,2024,-5\n".as_bytes(), "t.csv").is_err()
        );
    }

    #[test]
    fn density_is_per_ten_thousand() {
        assert_eq!(PopulationTable::density_per_10k(25, 50_000), Some(5.0));
        assert_eq!(PopulationTable::density_per_10k(25, 0), None);
    }
}
