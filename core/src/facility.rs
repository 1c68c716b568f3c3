//! Health facilities and other places (FHIR `Location`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::coding::{Coding, Identifier};

/// Health-care provider classes of the System of Health Accounts 2011 (HP.1 to HP.6),
/// the NHWA "working facility type".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProviderClass {
    /// HP.1 Hospitals.
    #[serde(rename = "HP.1")]
    Hospitals,
    /// HP.2 Residential long-term care facilities.
    #[serde(rename = "HP.2")]
    ResidentialLongTermCare,
    /// HP.3 Providers of ambulatory health care.
    #[serde(rename = "HP.3")]
    AmbulatoryCare,
    /// HP.4 Providers of ancillary services.
    #[serde(rename = "HP.4")]
    AncillaryServices,
    /// HP.5 Retailers and other providers of medical goods.
    #[serde(rename = "HP.5")]
    MedicalGoodsRetail,
    /// HP.6 Providers of preventive care.
    #[serde(rename = "HP.6")]
    PreventiveCare,
}

impl ProviderClass {
    /// All six classes in order.
    pub const ALL: [Self; 6] = [
        Self::Hospitals,
        Self::ResidentialLongTermCare,
        Self::AmbulatoryCare,
        Self::AncillaryServices,
        Self::MedicalGoodsRetail,
        Self::PreventiveCare,
    ];

    /// The SHA code, `HP.1` to `HP.6`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Hospitals => "HP.1",
            Self::ResidentialLongTermCare => "HP.2",
            Self::AmbulatoryCare => "HP.3",
            Self::AncillaryServices => "HP.4",
            Self::MedicalGoodsRetail => "HP.5",
            Self::PreventiveCare => "HP.6",
        }
    }

    /// Reads `HP.1` .. `HP.6` (also `HP1`, case-insensitive).
    pub fn from_code(code: &str) -> Option<Self> {
        let normal = code.trim().to_ascii_uppercase().replace('.', "");
        Self::ALL
            .into_iter()
            .find(|c| c.code().replace('.', "") == normal)
    }
}

impl fmt::Display for ProviderClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A latitude/longitude position in decimal degrees (WGS84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude, -90 to 90.
    pub latitude: f64,
    /// Longitude, -180 to 180.
    pub longitude: f64,
}

/// How a facility points at its DHIS2 organisation unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitRef {
    /// By DHIS2 UID.
    Uid(String),
    /// By DHIS2 code.
    Code(String),
}

/// A health facility or other place where workers work.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Facility {
    /// The record id (`Location.id`).
    pub id: String,
    /// Identifiers.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// Type codings as the source wrote them.
    #[serde(default)]
    pub types: Vec<Coding>,
    /// The SHA provider class, when the source states it or a mapping table derives it.
    #[serde(default)]
    pub provider_class: Option<ProviderClass>,
    /// The enclosing place's record id.
    #[serde(default)]
    pub part_of: Option<String>,
    /// The managing organisation's record id.
    #[serde(default)]
    pub managing_organization: Option<String>,
    /// Where it is.
    #[serde(default)]
    pub position: Option<GeoPoint>,
    /// The DHIS2 organisation unit it corresponds to, when known.
    #[serde(default)]
    pub org_unit: Option<OrgUnitRef>,
}

impl Facility {
    /// The DHIS2 org unit of the facility: its own reference, else its first DHIS2 UID or
    /// code identifier.
    pub fn dhis2_org_unit(&self) -> Option<&str> {
        match &self.org_unit {
            Some(OrgUnitRef::Uid(id) | OrgUnitRef::Code(id)) => Some(id),
            None => self
                .identifiers
                .iter()
                .find(|i| {
                    matches!(
                        i.kind,
                        crate::coding::IdentifierKind::Dhis2Uid
                            | crate::coding::IdentifierKind::Dhis2Code
                    )
                })
                .map(|i| i.value.as_str()),
        }
    }
}
