//! How FHIR codes and identifiers are read: [`ReadConfig`].

use std::collections::HashMap;

use hrh_core::{IdentifierKind, IscoCode};

/// The mCSD code system that marks a Location or Organization as a facility or jurisdiction
/// (left out of the facility's type codings on reading).
pub const MCSD_LOCATION_TYPES: &str =
    "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types";
/// The full-time equivalent of a role (`valueDecimal`, 1.0 = full time): FHIR R4 has no
/// element for it, so `hrh` writes and reads this extension on `PractitionerRole`.
pub const FTE_EXTENSION: &str = "https://hrh.dev/fhir/StructureDefinition/practitionerrole-fte";
/// The kind of contract of a role (`valueCoding` in [`CONTRACT_TYPE_SYSTEM`]).
pub const CONTRACT_TYPE_EXTENSION: &str =
    "https://hrh.dev/fhir/StructureDefinition/practitionerrole-contract-type";
/// Codes of [`CONTRACT_TYPE_EXTENSION`]: `permanent`, `fixed-term`, `casual`, `volunteer`.
pub const CONTRACT_TYPE_SYSTEM: &str = "https://hrh.dev/fhir/CodeSystem/contract-type";
/// Contracted hours per week of a role (`valueDecimal`).
pub const WEEKLY_HOURS_EXTENSION: &str =
    "https://hrh.dev/fhir/StructureDefinition/practitionerrole-weekly-hours";
/// Why an ended role ended (`valueCoding` in [`EXIT_REASON_SYSTEM`]).
pub const EXIT_REASON_EXTENSION: &str =
    "https://hrh.dev/fhir/StructureDefinition/practitionerrole-exit-reason";
/// Codes of [`EXIT_REASON_EXTENSION`]: `voluntary`, `involuntary`, `retirement`, `death`.
pub const EXIT_REASON_SYSTEM: &str = "https://hrh.dev/fhir/CodeSystem/exit-reason";
/// The gross pay of a role: a complex extension with `amount` (`valueMoney`, the currency
/// as recorded) and `per` (`valueCode` `month` or `year`).
pub const SALARY_EXTENSION: &str =
    "https://hrh.dev/fhir/StructureDefinition/practitionerrole-salary";
/// iHRIS extension on PractitionerRole: reason for departure (`valueCoding` in
/// [`IHRIS_REASON_DEPARTURE_SYSTEM`]).
pub const IHRIS_REASON_DEPARTURE: &str =
    "http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-reason-departure";
/// iHRIS reason-for-departure codes.
pub const IHRIS_REASON_DEPARTURE_SYSTEM: &str =
    "http://ihris.org/fhir/CodeSystem/ihris-reason-departure-codesystem";
/// iHRIS extension on PractitionerRole: salary (`valueMoney`; the amount's pay period is
/// [`ReadConfig::ihris_salary_monthly`]).
pub const IHRIS_SALARY: &str =
    "http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-salary";
/// Code system of ISCO-08 occupation codes.
pub const ISCO08_SYSTEM: &str = "http://www.ilo.org/public/english/bureau/stat/isco/isco08";
/// HL7 v2 table 0203 (identifier types); code `LN` is a licence number.
pub const V2_0203_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
/// iHRIS job code system.
pub const IHRIS_JOB_SYSTEM: &str = "http://ihris.org/fhir/CodeSystem/ihris-job";
/// Identifier system of DHIS2 UIDs (`dhis2/dhis2-fhir-ig`).
pub const DHIS2_ID_SYSTEM: &str = "http://dhis2.org/identifiertypes#id";
/// Identifier system of DHIS2 codes.
pub const DHIS2_CODE_SYSTEM: &str = "http://dhis2.org/identifiertypes#code";
/// iHRIS extension on Practitioner: nationality (`valueCoding`, ISO 3166-1).
pub const IHRIS_NATIONALITY: &str =
    "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality";
/// Core extension: nationality (nested `code` extension, `valueCodeableConcept`).
pub const PATIENT_NATIONALITY: &str = "http://hl7.org/fhir/StructureDefinition/patient-nationality";
/// Core extension: birth place (`valueAddress`).
pub const PATIENT_BIRTH_PLACE: &str = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
/// iHRIS extension on PractitionerRole: employment status (`valueCoding`).
pub const IHRIS_EMPLOYMENT_STATUS: &str =
    "http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-employment-status";

/// A code in a code system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeKey {
    /// The code system URI.
    pub system: String,
    /// The code.
    pub code: String,
}

impl CodeKey {
    /// A key from borrowed parts.
    pub fn new(system: &str, code: &str) -> Self {
        Self {
            system: system.to_owned(),
            code: code.to_owned(),
        }
    }
}

/// Settings for reading FHIR into `hrh-core` records.
///
/// Defaults ([`ReadConfig::default`]): no registry or national id systems (such identifiers
/// get [`IdentifierKind::Other`]), DHIS2 id/code systems as in [`DHIS2_ID_SYSTEM`] and
/// [`DHIS2_CODE_SYSTEM`], licences recognised only by identifier type `LN`
/// ([`V2_0203_SYSTEM`]), no qualification codes counted as licences, and an empty job table
/// (only [`ISCO08_SYSTEM`] codings give an occupation), and iHRIS salaries read as
/// amounts per year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadConfig {
    /// Identifier systems whose values are the registry's own worker ids.
    pub registry_id_systems: Vec<String>,
    /// Identifier systems of national ids.
    pub national_id_systems: Vec<String>,
    /// Qualification codes that are licences to practise (not training).
    pub licence_qualification_codes: Vec<CodeKey>,
    /// Job codes in other systems (e.g. [`IHRIS_JOB_SYSTEM`]) and the ISCO-08 group each means.
    pub job_to_isco: HashMap<CodeKey, IscoCode>,
    /// Whether the amounts of the iHRIS salary extension ([`IHRIS_SALARY`]) are monthly
    /// (default `false`: per year).
    pub ihris_salary_monthly: bool,
}

impl ReadConfig {
    /// Adds an identifier system of registry ids.
    #[must_use]
    pub fn with_registry_id_system(mut self, system: &str) -> Self {
        self.registry_id_systems.push(system.to_owned());
        self
    }

    /// Adds an identifier system of national ids.
    #[must_use]
    pub fn with_national_id_system(mut self, system: &str) -> Self {
        self.national_id_systems.push(system.to_owned());
        self
    }

    /// Counts a qualification code as a licence.
    #[must_use]
    pub fn with_licence_code(mut self, system: &str, code: &str) -> Self {
        self.licence_qualification_codes
            .push(CodeKey::new(system, code));
        self
    }

    /// Maps a job code to an ISCO-08 group.
    #[must_use]
    pub fn with_job(mut self, system: &str, code: &str, isco: IscoCode) -> Self {
        self.job_to_isco.insert(CodeKey::new(system, code), isco);
        self
    }

    /// The kind of an identifier, from its type codings and its system.
    ///
    /// Order: type `LN` → licence; DHIS2 id / code systems; registry systems; national systems; other.
    pub fn identifier_kind<'a>(
        &self,
        system: Option<&str>,
        type_codings: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> IdentifierKind {
        if type_codings
            .into_iter()
            .any(|(s, c)| s == Some(V2_0203_SYSTEM) && c == Some("LN"))
        {
            return IdentifierKind::Licence;
        }
        match system {
            Some(DHIS2_ID_SYSTEM) => IdentifierKind::Dhis2Uid,
            Some(DHIS2_CODE_SYSTEM) => IdentifierKind::Dhis2Code,
            Some(s) if self.registry_id_systems.iter().any(|r| r == s) => IdentifierKind::Registry,
            Some(s) if self.national_id_systems.iter().any(|r| r == s) => IdentifierKind::National,
            _ => IdentifierKind::Other,
        }
    }

    /// Whether a qualification coding is configured as a licence.
    pub fn is_licence_code(&self, system: Option<&str>, code: &str) -> bool {
        self.licence_qualification_codes
            .iter()
            .any(|k| Some(k.system.as_str()) == system && k.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_kinds() {
        let c = ReadConfig::default()
            .with_registry_id_system("urn:reg")
            .with_national_id_system("urn:nid");
        let none: [(Option<&str>, Option<&str>); 0] = [];
        assert_eq!(
            c.identifier_kind(Some("urn:reg"), none),
            IdentifierKind::Registry
        );
        assert_eq!(
            c.identifier_kind(Some("urn:nid"), none),
            IdentifierKind::National
        );
        assert_eq!(
            c.identifier_kind(Some(DHIS2_ID_SYSTEM), none),
            IdentifierKind::Dhis2Uid
        );
        assert_eq!(
            c.identifier_kind(Some("urn:x"), none),
            IdentifierKind::Other
        );
        assert_eq!(
            c.identifier_kind(Some("urn:reg"), [(Some(V2_0203_SYSTEM), Some("LN"))]),
            IdentifierKind::Licence
        );
    }
}
