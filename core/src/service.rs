//! Health services (FHIR `HealthcareService`): what is offered, where and by whom.

use serde::{Deserialize, Serialize};

use crate::coding::Coding;

/// A health service a role may point to instead of (or besides) a facility.
///
/// When an employment names a service but no facility, the service's first
/// location is the facility and its provider the employer; its type codings
/// count as facility types.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HealthService {
    /// The record id (`HealthcareService.id`).
    pub id: String,
    /// Type codings (`HealthcareService.type`).
    #[serde(default)]
    pub types: Vec<Coding>,
    /// The providing organisation's record id.
    #[serde(default)]
    pub provided_by: Option<String>,
    /// Where it is offered: location record ids.
    #[serde(default)]
    pub locations: Vec<String>,
}
