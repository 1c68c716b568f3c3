//! A set of workforce records read from one registry.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::employment::Employment;
use crate::facility::Facility;
use crate::organization::Organization;
use crate::practitioner::Practitioner;
use crate::service::HealthService;

/// The records of a registry: workers, their employments, organisations and facilities.
///
/// References between records are by record id (`Employment::practitioner`,
/// `Employment::employer`, `Employment::facility`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    /// Workers.
    pub practitioners: Vec<Practitioner>,
    /// Employments (roles).
    pub employments: Vec<Employment>,
    /// Organisations.
    pub organizations: Vec<Organization>,
    /// Facilities.
    pub facilities: Vec<Facility>,
    /// Health services roles point to.
    #[serde(default)]
    pub services: Vec<HealthService>,
}

impl Registry {
    /// The number of records of all kinds.
    pub fn record_count(&self) -> usize {
        self.practitioners.len()
            + self.employments.len()
            + self.organizations.len()
            + self.facilities.len()
            + self.services.len()
    }

    /// Employments grouped by worker id, in input order.
    pub fn employments_by_practitioner(&self) -> HashMap<&str, Vec<&Employment>> {
        let mut by_worker: HashMap<&str, Vec<&Employment>> = HashMap::new();
        for employment in &self.employments {
            by_worker
                .entry(employment.practitioner.as_str())
                .or_default()
                .push(employment);
        }
        by_worker
    }

    /// Appends every record of `other`.
    pub fn extend(&mut self, other: Registry) {
        self.practitioners.extend(other.practitioners);
        self.employments.extend(other.employments);
        self.organizations.extend(other.organizations);
        self.facilities.extend(other.facilities);
        self.services.extend(other.services);
    }
}
