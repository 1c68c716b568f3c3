//! Roles that point to a HealthcareService.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

use hrh_core::Registry;
use hrh_fhir::{ReadConfig, read_json};

#[test]
fn a_role_pointing_to_a_service_keeps_the_reference_and_the_service_is_read() {
    let bundle = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
      {"fullUrl": "urn:uuid:0b7a3c1e-0000-4000-8000-000000000001",
       "resource": {"resourceType": "HealthcareService", "id": "hs1",
         "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "PC"}]}],
         "providedBy": {"reference": "Organization/o1"},
         "location": [{"reference": "Location/l1"}]}},
      {"resource": {"resourceType": "PractitionerRole", "id": "r1",
         "practitioner": {"reference": "Practitioner/p1"},
         "healthcareService": [{"reference": "urn:uuid:0b7a3c1e-0000-4000-8000-000000000001"}]}}]}"#;
    let mut registry = Registry::default();
    let report = read_json(
        bundle.as_bytes(),
        "bundle.json",
        &ReadConfig::default(),
        &mut |r| r.add_to(&mut registry),
    )
    .unwrap();
    assert_eq!(report.accepted, 2, "{report:?}");
    assert_eq!(registry.employments[0].service.as_deref(), Some("hs1"));
    let service = &registry.services[0];
    assert_eq!(service.provided_by.as_deref(), Some("o1"));
    assert_eq!(service.locations, vec!["l1".to_owned()]);
    assert_eq!(service.types[0].code, "PC");
}
