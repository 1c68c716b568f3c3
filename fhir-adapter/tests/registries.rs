//! Small hand-written registries with known expected `hrh-core` records.

// Tests may unwrap and panic (the workspace allows it in tests); this also covers helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;

use chrono::NaiveDate;
use hrh_core::{
    Coding, Country, DateRange, Employment, EmploymentStatus, Identifier, IdentifierKind, IscoCode,
    OrgUnitRef, PartialDate, Practitioner, Qualification, Recorded, Registry, Sex,
};
use hrh_fhir::config::IHRIS_JOB_SYSTEM;
use hrh_fhir::{ReadConfig, Record, read_json, read_registry};

const IHRIS_PRACTITIONER: &str = r##"{
  "resourceType": "Practitioner", "id": "p1", "active": true,
  "contained": [{"resourceType": "Organization", "id": "uni", "name": "University of Nairobi",
                 "address": [{"country": "KE"}]}],
  "extension": [{"url": "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality",
                 "valueCoding": {"system": "urn:iso:std:iso:3166", "code": "UG"}}],
  "identifier": [
    {"system": "http://moh.example/hris", "value": "H-1"},
    {"system": "http://council.example/licence", "value": "L-77",
     "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "LN"}]},
     "period": {"start": "2020-01-01", "end": "2024-12-31"}}
  ],
  "name": [{"use": "official", "family": "Achieng", "given": "Mary"}],
  "gender": "female", "birthDate": "1985-03",
  "qualification": [
    {"code": {"coding": [{"system": "urn:quals", "code": "BScN"}]},
     "period": {"start": "2004", "end": "2008"}, "issuer": {"reference": "#uni"}},
    {"code": {"coding": [{"system": "urn:quals", "code": "MSc"}]},
     "issuer": {"reference": "Organization/ucl"}}
  ]
}"##;

fn config() -> ReadConfig {
    ReadConfig::default()
        .with_registry_id_system("http://moh.example/hris")
        .with_job(
            IHRIS_JOB_SYSTEM,
            "registered-nurse",
            IscoCode::parse("2221").unwrap(),
        )
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn read_bundle(json: &str) -> (Registry, hrh_fhir::ReadReport) {
    let mut registry = Registry::default();
    let report = read_json(
        json.as_bytes(),
        "bundle.json",
        &config(),
        &mut |r: Record| {
            r.add_to(&mut registry);
        },
    )
    .unwrap();
    (registry, report)
}

#[test]
fn ihris_practitioner_maps_to_the_expected_record() {
    let Record::Practitioner(p) = hrh_fhir::read_resource(IHRIS_PRACTITIONER, &config()).unwrap()
    else {
        panic!("not a practitioner");
    };
    let mut licence = Identifier::new(
        IdentifierKind::Licence,
        Some("http://council.example/licence"),
        "L-77",
    );
    licence.validity = DateRange::new(Some(day(2020, 1, 1)), Some(day(2024, 12, 31)));
    let expected = Practitioner {
        id: "p1".into(),
        identifiers: vec![
            Identifier::new(
                IdentifierKind::Registry,
                Some("http://moh.example/hris"),
                "H-1",
            ),
            licence,
        ],
        name: Some("Mary Achieng".into()),
        active: Some(true),
        sex: Recorded::Valid(Sex::Female),
        birth_date: Recorded::Valid(PartialDate::YearMonth(1985, 3)),
        nationality: Recorded::Valid(Country::parse("UG").unwrap()),
        country_of_birth: Recorded::Missing,
        qualifications: vec![
            Qualification {
                code: Some(Coding::new(Some("urn:quals"), "BScN")),
                issuer: None,
                issuer_name: Some("University of Nairobi".into()),
                country: Some(Country::parse("KEN").unwrap()),
                period: DateRange::new(Some(day(2004, 1, 1)), Some(day(2008, 12, 31))),
                is_licence: false,
            },
            Qualification {
                code: Some(Coding::new(Some("urn:quals"), "MSc")),
                issuer: Some("ucl".into()),
                ..Qualification::default()
            },
        ],
    };
    assert_eq!(p, expected);
    assert!(p.holds_licence_on(day(2022, 6, 1)));
    assert!(!p.holds_licence_on(day(2025, 1, 1)));
}

#[test]
fn bad_values_are_kept_as_invalid_and_core_extensions_read() {
    let json = r#"{"resourceType": "Practitioner", "id": "p2", "gender": "F", "birthDate": "2020-13-01",
      "extension": [
        {"url": "http://hl7.org/fhir/StructureDefinition/patient-nationality",
         "extension": [{"url": "code", "valueCodeableConcept": {"coding": [{"code": "NL"}]}}]},
        {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
         "valueAddress": {"country": "BEL"}}]}"#;
    let Record::Practitioner(p) = hrh_fhir::read_resource(json, &config()).unwrap() else {
        panic!("not a practitioner");
    };
    assert_eq!(p.sex, Recorded::Invalid("F".into()));
    assert_eq!(p.birth_date, Recorded::Invalid("2020-13-01".into()));
    assert_eq!(
        p.nationality,
        Recorded::Valid(Country::parse("NL").unwrap())
    );
    assert_eq!(
        p.country_of_birth,
        Recorded::Valid(Country::parse("BE").unwrap())
    );
}

#[test]
fn unknown_country_codes_are_kept_reported_and_written_back_as_recorded() {
    let json = r#"{"resourceType": "Practitioner", "id": "p3", "gender": "female", "birthDate": "1980-01-01",
      "extension": [
        {"url": "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality",
         "valueCoding": {"system": "urn:iso:std:iso:3166", "code": "XX"}},
        {"url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
         "valueAddress": {"country": "Atlantis"}}]}"#;
    let Record::Practitioner(p) = hrh_fhir::read_resource(json, &config()).unwrap() else {
        panic!("not a practitioner");
    };
    assert_eq!(p.nationality, Recorded::Invalid("XX".into()));
    assert_eq!(p.country_of_birth, Recorded::Invalid("Atlantis".into()));
    let registry = Registry {
        practitioners: vec![p.clone()],
        ..Registry::default()
    };
    let report = hrh_core::quality::check(
        &registry,
        &hrh_core::quality::Options::as_of(day(2024, 12, 31)),
    );
    let fields: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.problem.code() == "invalid_country")
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["nationality", "country_of_birth"]);
    // Written back as recorded, and read again the same.
    let written = serde_json::to_string(&hrh_fhir::write::practitioner(&p)).unwrap();
    let Record::Practitioner(again) = hrh_fhir::read_resource(&written, &config()).unwrap() else {
        panic!("not a practitioner");
    };
    assert_eq!(again.nationality, p.nationality);
    assert_eq!(again.country_of_birth, p.country_of_birth);
}

const ROLES_BUNDLE: &str = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
  {"fullUrl": "urn:uuid:11111111-0000-0000-0000-000000000001",
   "resource": {"resourceType": "Practitioner", "id": "p1"}},
  {"fullUrl": "http://hris.example/fhir/PractitionerRole/r1",
   "resource": {"resourceType": "PractitionerRole", "id": "r1", "active": true,
     "practitioner": {"reference": "urn:uuid:11111111-0000-0000-0000-000000000001"},
     "organization": {"reference": "http://hris.example/fhir/Organization/moh"},
     "location": [{"reference": "Location/kdh"}, {"reference": "Location/other"}],
     "code": [{"coding": [{"system": "http://www.ilo.org/public/english/bureau/stat/isco/isco08", "code": "2221"}]}],
     "specialty": [{"coding": [{"system": "urn:spec", "code": "icu"}]}],
     "period": {"start": "2019-02-01"},
     "extension": [{"url": "http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-employment-status",
                    "valueCoding": {"code": "fullTime"}}]}},
  {"resource": {"resourceType": "PractitionerRole", "id": "r2",
     "practitioner": {"reference": "Practitioner/p1"},
     "code": [{"coding": [{"system": "http://ihris.org/fhir/CodeSystem/ihris-job", "code": "registered-nurse"}]}]}},
  {"resource": {"resourceType": "PractitionerRole", "id": "r3",
     "practitioner": {"reference": "Practitioner/p1"},
     "code": [{"coding": [{"system": "http://ihris.org/fhir/CodeSystem/ihris-job", "code": "janitor"}]}]}},
  {"resource": {"resourceType": "PractitionerRole", "id": "r4",
     "practitioner": {"reference": "Practitioner/p1"},
     "code": [{"coding": [{"system": "http://www.ilo.org/public/english/bureau/stat/isco/isco08", "code": "222"}]}],
     "period": {"start": "2020-99-01"}}},
  {"resource": {"resourceType": "Location", "id": "kdh", "name": "District Hospital",
     "identifier": [{"system": "http://dhis2.org/identifiertypes#code", "value": "KDH"},
                    {"system": "http://dhis2.org/identifiertypes#id", "value": "DiszpKrYNg8"}],
     "position": {"latitude": -1.28, "longitude": 36.82},
     "managingOrganization": {"reference": "Organization/moh"}}},
  {"resource": {"resourceType": "Organization", "id": "moh", "name": "Ministry of Health",
     "address": [{"country": "KE"}], "partOf": {"reference": "Organization/gov"}}}
]}"#;

#[test]
fn roles_map_occupation_employer_facility_and_status() {
    let (registry, report) = read_bundle(ROLES_BUNDLE);
    assert!(report.is_balanced());
    assert_eq!((report.read, report.accepted), (7, 6));
    let rejected = report.rejected[0].reason.to_string();
    assert_eq!(
        rejected,
        "bundle.json#entry[4]: PractitionerRole/r4: period.start: invalid date \"2020-99-01\""
    );

    let isco_coding = Coding::new(
        Some("http://www.ilo.org/public/english/bureau/stat/isco/isco08"),
        "2221",
    );
    let expected = Employment {
        id: "r1".into(),
        practitioner: "p1".into(),
        occupation: Recorded::Valid(IscoCode::parse("2221").unwrap()),
        job_code: Some(isco_coding),
        specialties: vec![Coding::new(Some("urn:spec"), "icu")],
        employer: Some("moh".into()),
        facility: Some("kdh".into()),
        service: None,
        period: DateRange::new(Some(day(2019, 2, 1)), None),
        active: Some(true),
        status: Some(EmploymentStatus::FullTime),
        fte: None,
        ..Employment::default()
    };
    assert_eq!(registry.employments[0], expected);

    let mapped = &registry.employments[1];
    assert_eq!(
        mapped.occupation,
        Recorded::Valid(IscoCode::parse("2221").unwrap())
    );
    assert_eq!(mapped.job_code.as_ref().unwrap().code, "registered-nurse");

    let unmapped = &registry.employments[2];
    assert_eq!(unmapped.occupation, Recorded::Invalid("janitor".into()));
    assert_eq!(
        unmapped.job_code,
        Some(Coding::new(Some(IHRIS_JOB_SYSTEM), "janitor"))
    );

    let facility = &registry.facilities[0];
    assert_eq!(
        facility.org_unit,
        Some(OrgUnitRef::Uid("DiszpKrYNg8".into()))
    );
    assert_eq!(facility.managing_organization.as_deref(), Some("moh"));
    let position = facility.position.unwrap();
    assert!((position.latitude + 1.28).abs() < 1e-12 && (position.longitude - 36.82).abs() < 1e-12);

    let org = &registry.organizations[0];
    assert_eq!(org.part_of.as_deref(), Some("gov"));
    assert_eq!(org.country, Some(Country::parse("KE").unwrap()));
}

#[test]
fn gzipped_ndjson_registry_links_training_country_from_issuer() {
    let dir = std::env::temp_dir().join(format!("hrh-fhir-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let practitioners = dir.join("Practitioner.ndjson.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&practitioners).unwrap(),
        flate2::Compression::fast(),
    );
    writeln!(gz, "{}", IHRIS_PRACTITIONER.replace('\n', " ")).unwrap();
    writeln!(gz, "{{\"resourceType\":\"Practitioner\"}}").unwrap();
    gz.finish().unwrap();
    let organizations = dir.join("Organization.ndjson");
    std::fs::write(
        &organizations,
        "{\"resourceType\":\"Organization\",\"id\":\"ucl\",\"address\":[{\"country\":\"GB\"}]}\n",
    )
    .unwrap();

    let (registry, report) = read_registry(&[&practitioners, &organizations], &config()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!((report.read, report.accepted), (3, 2));
    assert_eq!(
        report.rejected[0].reason.to_string(),
        "Practitioner.ndjson.gz:2: Practitioner: no id"
    );
    let quals = &registry.practitioners[0].qualifications;
    assert_eq!(quals[0].country, Some(Country::parse("KE").unwrap()));
    assert_eq!(quals[1].country, Some(Country::parse("GB").unwrap()));
}

#[test]
fn qualification_codes_configured_as_licences_are_licences() {
    let json = r#"{"resourceType": "Practitioner", "id": "p3",
      "qualification": [{"code": {"coding": [{"system": "urn:council", "code": "RN-LICENCE"}]},
                         "period": {"start": "2021-01-01", "end": "2021-12-31"}},
                        {"code": {"coding": [{"system": "urn:council", "code": "DIPLOMA"}]}}]}"#;
    let config = config().with_licence_code("urn:council", "RN-LICENCE");
    let Record::Practitioner(p) = hrh_fhir::read_resource(json, &config).unwrap() else {
        panic!("not a practitioner");
    };
    assert!(p.qualifications[0].is_licence);
    assert!(!p.qualifications[1].is_licence);
    assert!(p.holds_licence_on(day(2021, 6, 1)));
    assert!(!p.holds_licence_on(day(2022, 6, 1)));
    assert_eq!(
        p.training_qualification()
            .and_then(|q| q.code.as_ref())
            .map(|c| c.code.as_str()),
        Some("DIPLOMA")
    );
}
