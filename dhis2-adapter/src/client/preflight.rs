//! Pre-flight: find the values DHIS2 would refuse for unknown identifiers, before sending.

use std::collections::BTreeSet;
use std::fmt;

use super::Dhis2Client;
use super::metadata::DataSetMetadata;
use super::org_units::{OrganisationUnit, Paging};
use crate::datavalueset::DataValueSet;
use crate::error::Result;

/// Org unit UIDs asked for per request in a pre-flight check.
const ORG_UNITS_PER_REQUEST: usize = 100;

/// Why a value would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreflightIssue {
    /// The data element is not in the data set (or does not exist).
    UnknownDataElement(String),
    /// The option combo is not one the data element takes in the data set.
    UnknownCategoryOptionCombo {
        /// The data element.
        data_element: String,
        /// The combo sent.
        combo: String,
    },
    /// No option combo was sent, and the data element takes more than one.
    MissingCategoryOptionCombo {
        /// The data element.
        data_element: String,
    },
    /// The org unit does not exist (or is not visible to the user).
    UnknownOrgUnit(String),
    /// Neither the value nor the set names an org unit.
    MissingOrgUnit,
}

impl fmt::Display for PreflightIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownDataElement(de) => write!(f, "data element {de} is not in the data set"),
            Self::UnknownCategoryOptionCombo {
                data_element,
                combo,
            } => write!(
                f,
                "option combo {combo} is not one of data element {data_element}'s"
            ),
            Self::MissingCategoryOptionCombo { data_element } => write!(
                f,
                "no option combo, and data element {data_element} takes several"
            ),
            Self::UnknownOrgUnit(ou) => write!(f, "org unit {ou} is unknown"),
            Self::MissingOrgUnit => f.write_str("no org unit"),
        }
    }
}

/// One value that would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightProblem {
    /// Its 0-based position in the set.
    pub index: usize,
    /// Why.
    pub issue: PreflightIssue,
}

/// The outcome of a pre-flight check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreflightReport {
    /// How many values were checked.
    pub checked: usize,
    /// Every problem found, in value order (a value may have several).
    pub problems: Vec<PreflightProblem>,
}

impl PreflightReport {
    /// Whether no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The positions of the values with problems, sorted, each once.
    pub fn indexes(&self) -> Vec<usize> {
        let set: BTreeSet<usize> = self.problems.iter().map(|p| p.index).collect();
        set.into_iter().collect()
    }
}

impl DataSetMetadata {
    /// Checks a set (UID id scheme) against this data set and the org units known to exist.
    pub fn check(&self, set: &DataValueSet, known_org_units: &BTreeSet<String>) -> PreflightReport {
        let mut report = PreflightReport::default();
        for (index, value) in set.resolved_values().enumerate() {
            report.checked += 1;
            let mut problem = |issue| report.problems.push(PreflightProblem { index, issue });
            match self.data_element(&value.data_element) {
                None => problem(PreflightIssue::UnknownDataElement(
                    value.data_element.clone(),
                )),
                Some(de) => match value.category_option_combo.as_deref() {
                    Some(combo) if !de.category_option_combos.iter().any(|c| c == combo) => {
                        problem(PreflightIssue::UnknownCategoryOptionCombo {
                            data_element: de.id.clone(),
                            combo: combo.to_owned(),
                        });
                    }
                    None if de.category_option_combos.len() > 1 => {
                        problem(PreflightIssue::MissingCategoryOptionCombo {
                            data_element: de.id.clone(),
                        });
                    }
                    _ => {}
                },
            }
            match value.org_unit {
                None => problem(PreflightIssue::MissingOrgUnit),
                Some(ou) if !known_org_units.contains(&ou) => {
                    problem(PreflightIssue::UnknownOrgUnit(ou));
                }
                Some(_) => {}
            }
        }
        report
    }
}

impl Dhis2Client {
    /// Fetches the data set's metadata and the org units the set names, and
    /// reports every value whose data element, option combo or org unit DHIS2
    /// does not know. Nothing is sent. Identifiers are read as UIDs.
    pub async fn preflight(&self, set: &DataValueSet, data_set: &str) -> Result<PreflightReport> {
        let meta = self.data_set_metadata(data_set).await?;
        let named: BTreeSet<String> = set.resolved_values().filter_map(|v| v.org_unit).collect();
        let mut known: BTreeSet<String> = meta
            .org_units
            .iter()
            .filter(|ou| named.contains(*ou))
            .cloned()
            .collect();
        let unsure: Vec<&String> = named.iter().filter(|ou| !known.contains(*ou)).collect();
        for batch in unsure.chunks(ORG_UNITS_PER_REQUEST) {
            let ids: Vec<&str> = batch.iter().map(|s| s.as_str()).collect();
            let params = vec![
                ("fields", "id".to_owned()),
                ("filter", format!("id:in:[{}]", ids.join(","))),
            ];
            let found: Vec<OrganisationUnit> = self
                .list(
                    "api/organisationUnits",
                    "organisationUnits",
                    params,
                    Paging::Off,
                )
                .await?;
            known.extend(found.into_iter().map(|ou| ou.id));
        }
        Ok(meta.check(set, &known))
    }
}
