//! `GET /api/dataValueSets`: reading data values back.

use super::Dhis2Client;
use super::http::Call;
use crate::datavalueset::DataValueSet;
use crate::datavalueset::json::read_json;
use crate::error::Result;

/// What to read from `/api/dataValueSets`. DHIS2 needs at least one data set,
/// one org unit, and periods or a date range or `lastUpdated`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataValueQuery {
    /// `dataSet` (repeatable).
    pub data_sets: Vec<String>,
    /// `orgUnit` (repeatable).
    pub org_units: Vec<String>,
    /// `period` ids (repeatable).
    pub periods: Vec<String>,
    /// `startDate` (`YYYY-MM-DD`), with `end_date` instead of periods.
    pub start_date: Option<String>,
    /// `endDate` (`YYYY-MM-DD`).
    pub end_date: Option<String>,
    /// `children`: include the org units' descendants.
    pub children: bool,
    /// `lastUpdated`: only values changed since this date or timestamp.
    pub last_updated: Option<String>,
    /// `includeDeleted`: also soft-deleted values.
    pub include_deleted: bool,
}

impl DataValueQuery {
    /// A query for one data set, org unit and period.
    pub fn new(data_set: &str, org_unit: &str, period: &str) -> Self {
        Self {
            data_sets: vec![data_set.to_owned()],
            org_units: vec![org_unit.to_owned()],
            periods: vec![period.to_owned()],
            ..Self::default()
        }
    }

    /// The query parameters.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        let lists = [
            ("dataSet", &self.data_sets),
            ("orgUnit", &self.org_units),
            ("period", &self.periods),
        ];
        for (name, values) in lists {
            query.extend(values.iter().map(|v| (name, v.clone())));
        }
        let single = [
            ("startDate", &self.start_date),
            ("endDate", &self.end_date),
            ("lastUpdated", &self.last_updated),
        ];
        for (name, value) in single {
            if let Some(value) = value {
                query.push((name, value.clone()));
            }
        }
        for (name, on) in [
            ("children", self.children),
            ("includeDeleted", self.include_deleted),
        ] {
            if on {
                query.push((name, "true".to_owned()));
            }
        }
        query
    }
}

impl Dhis2Client {
    /// Reads data values (`GET /api/dataValueSets`, JSON).
    pub async fn read_data_values(&self, query: &DataValueQuery) -> Result<DataValueSet> {
        let path = "api/dataValueSets";
        let answer = self.execute(Call::get(path, query.query())).await?;
        if answer.status >= 400 {
            return Err(super::http::error_answer("GET", path, &answer));
        }
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(DataValueSet::default());
        }
        read_json(&answer.body)
    }
}
