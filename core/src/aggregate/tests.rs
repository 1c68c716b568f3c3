//! The engine against a hand-built registry whose figures were worked out by hand.
#![allow(clippy::float_cmp, clippy::too_many_lines)] // exact sums of small counts; the registry is data

use chrono::NaiveDate;

use super::*;
use crate::coding::{Coding, Identifier, IdentifierKind, Recorded};
use crate::country::Country;
use crate::date::{DateRange, PartialDate};
use crate::employment::Employment;
use crate::facility::Facility;
use crate::organization::Organization;
use crate::practitioner::{Practitioner, Qualification};
use crate::registry::Registry;
use crate::sex::Sex;
use crate::synthetic::{Config, SyntheticRegistry};

const GOLDEN_MAPPING: &str = r#"
format = 1
name = "golden"
version = "1"
data_set = "GoldenSet01"
period_type = "Yearly"
default_combo = "COCdefault1"
# This registry's entries and exits are job moves (the workforce convention has its own test).
flows = "employment"

[org_unit]
rule = "national"
uid = "Uzbekistan1"

[ownership]
"http://terminology.hl7.org/CodeSystem/organization-type|govt" = "public"
"http://terminology.hl7.org/CodeSystem/organization-type|reli" = "private-not-for-profit"
"http://terminology.hl7.org/CodeSystem/organization-type|bus" = "private-for-profit"

[facility_type]
"http://terminology.hl7.org/CodeSystem/v3-RoleCode|HOSP" = "HP.1"
"http://terminology.hl7.org/CodeSystem/v3-RoleCode|PC" = "HP.3"

[combos.sex]
female = "COCfemale01"
male = "COCmale0001"

[[target]]
data_element = "NurseTotal1"
isco = ["3221"]

[[target]]
data_element = "NurseSex001"
isco = ["3221"]
breakdown = "sex"

[[target]]
data_element = "NurseAge001"
isco = ["3221"]
breakdown = "age_group"
combos = { "<25" = "COCage00001", "25-34" = "COCage00002", "35-44" = "COCage00003", "45-54" = "COCage00004", "55-64" = "COCage00005", "65+" = "COCage00006" }

[[target]]
data_element = "NurseTrain1"
isco = ["3221"]
breakdown = "place_of_training"
combos = { domestic = "COCdomestic", foreign = "COCforeign1", unknown = "COCunknown1" }

[[target]]
data_element = "NurseBirth1"
isco = ["3221"]
breakdown = "place_of_birth"
combos = { national = "COCnational", foreign = "COCforeignB" }

[[target]]
data_element = "NurseOwner1"
isco = ["3221"]
breakdown = "facility_ownership"
combos = { public = "COCpublic01", private-not-for-profit = "COCpnfp0001", private-for-profit = "COCpfp00001" }

[[target]]
data_element = "NurseType01"
isco = ["3221"]
breakdown = "facility_type"
combos = { "HP.1" = "COChp100001", "HP.3" = "COChp300001" }

[[target]]
data_element = "NurseActiv1"
isco = ["3221"]
breakdown = "activity_level"
combos = { practising = "COCpractise", licensed = "COClicensed" }

[[target]]
data_element = "DocTotal001"
isco = ["221"]

[[target]]
data_element = "DocNfd00001"
isco = ["221"]
exact = true

[[target]]
data_element = "DocCountry1"
isco = ["221"]
breakdown = "country_of_training"
combos = { RU = "COCrussia01", other = "COCother001" }

[[target]]
data_element = "NurseFte001"
isco = ["3221"]
measure = "fte"

[[target]]
data_element = "NurseEntry1"
isco = ["3221"]
measure = "entries"

[[target]]
data_element = "NurseExit01"
isco = ["3221"]
measure = "exits"
"#;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn country(code: &str) -> Country {
    Country::parse(code).unwrap()
}

fn org(id: &str, type_code: &str, country_code: Option<&str>) -> Organization {
    Organization {
        id: id.into(),
        types: vec![Coding::new(
            Some("http://terminology.hl7.org/CodeSystem/organization-type"),
            type_code,
        )],
        country: country_code.map(country),
        ..Default::default()
    }
}

fn facility(id: &str, type_code: Option<&str>, managing: &str) -> Facility {
    Facility {
        id: id.into(),
        types: type_code
            .map(|c| Coding::new(Some("http://terminology.hl7.org/CodeSystem/v3-RoleCode"), c))
            .into_iter()
            .collect(),
        managing_organization: Some(managing.into()),
        ..Default::default()
    }
}

/// A worker: sex, birth date text, training country, birth country.
fn worker(
    id: &str,
    sex: Option<&str>,
    born: Option<&str>,
    trained: Option<&str>,
    birth: Option<&str>,
) -> Practitioner {
    Practitioner {
        id: id.into(),
        sex: Recorded::from_text(sex, Sex::from_fhir),
        birth_date: Recorded::from_text(born, str::parse::<PartialDate>),
        country_of_birth: birth.map_or(Recorded::Missing, |c| Recorded::Valid(country(c))),
        qualifications: trained
            .map(|c| Qualification {
                country: Some(country(c)),
                period: DateRange::new(Some(d(2010, 7, 1)), None),
                ..Default::default()
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

fn licensed(mut p: Practitioner) -> Practitioner {
    let mut licence = Identifier::new(
        IdentifierKind::Licence,
        Some("urn:licence"),
        &format!("L-{}", p.id),
    );
    licence.validity = DateRange::new(Some(d(2023, 1, 1)), Some(d(2025, 12, 31)));
    p.identifiers.push(licence);
    p
}

struct Job<'a> {
    id: &'a str,
    worker: &'a str,
    isco: &'a str,
    facility: &'a str,
    employer: Option<&'a str>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    fte: Option<f64>,
}

fn job(j: &Job<'_>) -> Employment {
    Employment {
        id: j.id.into(),
        practitioner: j.worker.into(),
        occupation: Recorded::from_text(Some(j.isco), crate::occupation::IscoCode::parse),
        facility: Some(j.facility.into()),
        employer: j.employer.map(Into::into),
        period: DateRange::new(Some(j.start), j.end),
        fte: j.fte,
        ..Default::default()
    }
}

fn golden_registry() -> Registry {
    let at = |id, worker, isco, facility, employer, start| Job {
        id,
        worker,
        isco,
        facility,
        employer,
        start,
        end: None,
        fte: Some(1.0),
    };
    let mut doctor_ru = worker("n14", Some("male"), Some("1980-01-01"), None, Some("UZ"));
    doctor_ru.qualifications.push(Qualification {
        issuer: Some("school-ru".into()),
        ..Default::default()
    });
    let mut inactive = worker(
        "n11",
        Some("female"),
        Some("1980-01-01"),
        Some("UZ"),
        Some("UZ"),
    );
    inactive.active = Some(false);
    let mut licensed_only = licensed(worker(
        "n13",
        Some("female"),
        Some("1980-01-01"),
        Some("UZ"),
        Some("UZ"),
    ));
    licensed_only.qualifications[0].code = Some(Coding::new(
        Some("http://www.ilo.org/public/english/bureau/stat/isco/isco08"),
        "3221",
    ));
    let mut no_occupation = job(&at(
        "r20",
        "n20",
        "3221",
        "f-hosp",
        Some("o-pub"),
        d(2020, 1, 1),
    ));
    no_occupation.occupation = Recorded::Missing;
    let mut inactive_job = job(&at(
        "r12",
        "n12",
        "3221",
        "f-hosp",
        Some("o-pub"),
        d(2019, 1, 1),
    ));
    inactive_job.active = Some(false);
    Registry {
        organizations: vec![
            org("o-pub", "govt", None),
            org("o-priv", "bus", None),
            org("o-ngo", "reli", None),
            org("o-unknown", "xyz", None),
            org("school-ru", "edu", Some("RU")),
        ],
        facilities: vec![
            facility("f-hosp", Some("HOSP"), "o-pub"),
            facility("f-pc", Some("PC"), "o-priv"),
            facility("f-none", None, "o-unknown"),
        ],
        practitioners: vec![
            licensed(worker(
                "n1",
                Some("female"),
                Some("1990-06-15"),
                Some("UZ"),
                Some("UZ"),
            )),
            worker(
                "n2",
                Some("male"),
                Some("2001-01-01"),
                Some("RU"),
                Some("RU"),
            ),
            licensed(worker("n3", Some("female"), Some("1975-12-31"), None, None)),
            worker("n4", None, Some("1960"), Some("UZ"), Some("UZ")),
            worker(
                "n5",
                Some("other"),
                Some("1980-13-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n6",
                Some("female"),
                Some("1958-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n7",
                Some("female"),
                Some("1985-05-05"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n8",
                Some("female"),
                Some("1995-02-02"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n9",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n10",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            inactive,
            worker(
                "n12",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            licensed_only,
            doctor_ru,
            worker(
                "n15",
                Some("female"),
                Some("1980-01-01"),
                Some("FR"),
                Some("UZ"),
            ),
            worker(
                "n16",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker("n17", Some("female"), Some("1980-01-01"), None, Some("UZ")),
            worker(
                "n18",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n19",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n20",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
            worker(
                "n21",
                Some("female"),
                Some("1980-01-01"),
                Some("UZ"),
                Some("UZ"),
            ),
        ],
        employments: vec![
            job(&at(
                "r1",
                "n1",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2020, 1, 1),
            )),
            job(&Job {
                fte: Some(0.5),
                ..at("r2", "n2", "3221", "f-pc", Some("o-priv"), d(2024, 3, 1))
            }),
            job(&Job {
                fte: None,
                ..at("r3", "n3", "3221", "f-hosp", Some("o-ngo"), d(2020, 1, 1))
            }),
            job(&at("r4", "n4", "3221", "f-none", None, d(2020, 1, 1))),
            job(&at(
                "r5",
                "n5",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2020, 1, 1),
            )),
            job(&Job {
                fte: Some(0.5),
                ..at("r6-1", "n6", "3221", "f-hosp", Some("o-pub"), d(2010, 1, 1))
            }),
            job(&at(
                "r6-2",
                "n6",
                "3221",
                "f-pc",
                Some("o-priv"),
                d(2015, 1, 1),
            )),
            job(&at(
                "n7-a",
                "n7",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2019, 1, 1),
            )),
            job(&at(
                "n7-b",
                "n7",
                "3221",
                "f-pc",
                Some("o-priv"),
                d(2018, 1, 1),
            )),
            job(&at(
                "n8-b",
                "n8",
                "3221",
                "f-pc",
                Some("o-priv"),
                d(2018, 1, 1),
            )),
            job(&at(
                "n8-a",
                "n8",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2018, 1, 1),
            )),
            job(&Job {
                end: Some(d(2023, 6, 30)),
                ..at("r9", "n9", "3221", "f-hosp", Some("o-pub"), d(2020, 1, 1))
            }),
            job(&Job {
                end: Some(d(2024, 6, 30)),
                ..at("r10", "n10", "3221", "f-hosp", Some("o-pub"), d(2020, 1, 1))
            }),
            job(&at(
                "r11",
                "n11",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2019, 1, 1),
            )),
            inactive_job,
            job(&at(
                "r14",
                "n14",
                "2211",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            job(&at(
                "r15",
                "n15",
                "221",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            job(&at(
                "r16",
                "n16",
                "2212",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            job(&at(
                "r17",
                "n17",
                "2212",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            job(&at(
                "r18",
                "n18",
                "2262",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            job(&at(
                "r19",
                "n19",
                "9999",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
            no_occupation,
            job(&at(
                "r21",
                "n21",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2025, 1, 1),
            )),
            job(&at(
                "ghost",
                "nobody",
                "3221",
                "f-hosp",
                Some("o-pub"),
                d(2015, 1, 1),
            )),
        ],
        services: vec![],
    }
}

fn options() -> Options {
    Options {
        period: "2024".parse().unwrap(),
        home: country("UZ"),
        org_unit: None,
        suppress_below: None,
    }
}

#[test]
fn golden_registry_gives_the_figures_worked_out_by_hand() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let result = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&golden_registry());
    let got: Vec<(String, String, String)> = result
        .values
        .iter()
        .map(|v| {
            (
                v.data_element.clone(),
                v.category_option_combo.clone().unwrap_or_default(),
                v.value.to_string(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str, &str)> = vec![
        ("NurseTotal1", "COCdefault1", "8"),
        ("NurseSex001", "COCfemale01", "5"),
        ("NurseSex001", "COCmale0001", "1"),
        ("NurseAge001", "COCage00001", "1"),
        ("NurseAge001", "COCage00002", "2"),
        ("NurseAge001", "COCage00003", "1"),
        ("NurseAge001", "COCage00004", "1"),
        ("NurseAge001", "COCage00005", "1"),
        ("NurseAge001", "COCage00006", "1"),
        ("NurseTrain1", "COCdomestic", "6"),
        ("NurseTrain1", "COCforeign1", "1"),
        ("NurseTrain1", "COCunknown1", "1"),
        ("NurseBirth1", "COCnational", "6"),
        ("NurseBirth1", "COCforeignB", "1"),
        ("NurseOwner1", "COCpublic01", "3"),
        ("NurseOwner1", "COCpnfp0001", "1"),
        ("NurseOwner1", "COCpfp00001", "3"),
        ("NurseType01", "COChp100001", "4"),
        ("NurseType01", "COChp300001", "3"),
        ("NurseActiv1", "COCpractise", "8"),
        ("NurseActiv1", "COClicensed", "3"),
        ("DocTotal001", "COCdefault1", "4"),
        ("DocNfd00001", "COCdefault1", "1"),
        ("DocCountry1", "COCrussia01", "1"),
        ("DocCountry1", "COCother001", "1"),
        ("NurseFte001", "COCdefault1", "6.5"),
        ("NurseEntry1", "COCdefault1", "1"),
        ("NurseExit01", "COCdefault1", "1"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(a, b, c)| (a.into(), b.into(), c.into()))
        .collect();
    assert_eq!(got, expected);
    assert!(
        result
            .values
            .iter()
            .all(|v| v.org_unit == "Uzbekistan1" && v.period.to_string() == "2024")
    );
    assert_eq!(result.data_set.as_deref(), Some("GoldenSet01"));

    let account = &result.account;
    assert_eq!(account.workers, 21);
    assert_eq!(account.counted, 14);
    assert!(account.adds_up());
    let not_counted = |reason, occupation: Option<&str>| {
        account
            .not_counted
            .get(&(reason, occupation.map(|c| c.parse().unwrap())))
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(not_counted(Reason::NotEmployed, None), 3, "n9, n12, n21");
    assert_eq!(not_counted(Reason::PractitionerInactive, None), 1);
    assert_eq!(not_counted(Reason::OccupationNotInMapping, Some("2262")), 1);
    assert_eq!(not_counted(Reason::UnrecognisedOccupation, None), 1);
    assert_eq!(not_counted(Reason::NoOccupation, None), 1);
    let left_out: Vec<(Breakdown, Reason, u64)> = account
        .left_out
        .iter()
        .map(|((b, r), n)| (*b, *r, *n))
        .collect();
    assert_eq!(
        left_out,
        vec![
            (Breakdown::None, Reason::NoFte, 1),
            (Breakdown::Sex, Reason::NoSex, 1),
            (Breakdown::Sex, Reason::SexOtherOrUnknown, 1),
            (Breakdown::AgeGroup, Reason::InvalidBirthDate, 1),
            (Breakdown::PlaceOfBirth, Reason::NoCountryOfBirth, 1),
            (Breakdown::FacilityOwnership, Reason::OwnershipUnknown, 1),
            (Breakdown::FacilityType, Reason::FacilityTypeUnknown, 1),
            (Breakdown::CountryOfTraining, Reason::NoCountryOfTraining, 1),
        ]
    );
    assert_eq!(account.orphan_employments, 1);
    let text = account.to_string();
    assert!(
        text.contains("not counted: occupation 2262 not in mapping: 1"),
        "{text}"
    );
    assert!(
        text.contains("no active employment on 2024-12-31: 3"),
        "{text}"
    );
}

#[test]
fn suppression_withholds_small_cells_and_reports_them() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let result = Aggregation::new(
        &mapping,
        &Options {
            suppress_below: Some(3),
            ..options()
        },
    )
    .unwrap()
    .run(&golden_registry());
    assert!(
        result
            .values
            .iter()
            .all(|v| v.value.as_f64() == 0.0 || v.value.as_f64() >= 3.0)
    );
    let withheld: Vec<&str> = result
        .withheld
        .iter()
        .map(|v| v.data_element.as_str())
        .collect();
    assert!(withheld.contains(&"DocNfd00001") && withheld.contains(&"NurseEntry1"));
    assert_eq!(result.account.withheld_values, result.withheld.len() as u64);
    assert_eq!(result.values.len() + result.withheld.len(), 28);
}

#[test]
fn an_invalid_country_of_birth_leaves_the_worker_out_of_that_breakdown_only() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let mut registry = golden_registry();
    let before = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&registry);
    let p = registry
        .practitioners
        .iter_mut()
        .find(|p| p.country_of_birth.valid().is_some())
        .unwrap();
    p.country_of_birth = Recorded::Invalid("ZZ".into());
    let after = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&registry);
    assert_eq!(after.account.counted, before.account.counted);
    assert_eq!(
        after
            .account
            .left_out
            .get(&(Breakdown::PlaceOfBirth, Reason::InvalidCountryOfBirth)),
        Some(&1)
    );
    assert!(
        after
            .account
            .to_string()
            .contains("invalid country of birth")
    );
}

#[test]
fn run_order_does_not_change_the_figures() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let mut reversed = golden_registry();
    reversed.employments.reverse();
    reversed.practitioners.reverse();
    let a = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&golden_registry());
    let b = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&reversed);
    assert_eq!(a.values, b.values);
    assert_eq!(a.account, b.account);
}

#[test]
fn parallel_run_gives_the_serial_result() {
    for name in ["nhwa-module1", "nhwa-module1-subnational"] {
        let mapping = Mapping::builtin(name).unwrap();
        let registry = SyntheticRegistry::new(Config {
            workers: 3_000,
            seed: 9,
            bad_records: true,
            ..Config::default()
        })
        .to_registry();
        let options = Options {
            org_unit: Some("UZdemoRoot1".into()),
            ..options()
        };
        let serial = Aggregation::new(&mapping, &options).unwrap().run(&registry);
        for threads in [2, 3, 7] {
            let parallel = Aggregation::new(&mapping, &options)
                .unwrap()
                .run_parallel(&registry, threads);
            assert_eq!(parallel.values, serial.values, "{name}, {threads} threads");
            assert_eq!(parallel.account, serial.account);
            assert_eq!(parallel.withheld, serial.withheld);
        }
    }
}

#[test]
fn wrong_period_type_and_missing_org_unit_are_refused() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let err = Aggregation::new(
        &mapping,
        &Options {
            period: "2024Q1".parse().unwrap(),
            ..options()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("Quarterly"), "{err}");
    let module1 = Mapping::builtin("nhwa-module1").unwrap();
    assert!(matches!(
        Aggregation::new(&module1, &options()).unwrap_err(),
        crate::CoreError::MissingOrgUnit
    ));
}

#[test]
fn shipped_mappings_load_with_the_real_identifiers() {
    let module1 = Mapping::builtin("nhwa-module1").unwrap();
    assert_eq!(module1.data_set.as_deref(), Some("FuMctq4PQpf"));
    let doctors_by_sex = module1
        .targets
        .iter()
        .find(|t| t.data_element == "GFfMM55sVzg")
        .unwrap();
    assert_eq!(doctors_by_sex.breakdown, Breakdown::Sex);
    assert_eq!(
        doctors_by_sex.combos,
        vec![
            (Category::Sex(Sex::Female), "F3kCvhpDnMM".into()),
            (Category::Sex(Sex::Male), "sAC6z2IMFrR".into())
        ]
    );
    let doctors_total = module1
        .targets
        .iter()
        .find(|t| t.data_element == "h6VJJu0W8U7")
        .unwrap();
    assert_eq!(
        doctors_total.combos,
        vec![(Category::Total, "Xr12mI7VPn3".into())]
    );
    let by_country = module1
        .targets
        .iter()
        .find(|t| t.data_element == "tu2P5ALJRow")
        .unwrap();
    assert_eq!(by_country.combos.len(), 195);
    assert!(
        by_country
            .combos
            .contains(&(Category::Country(country("UZ")), "MaLbWT81P7Q".into()))
    );
    assert!(
        by_country
            .combos
            .contains(&(Category::Country(country("FR")), "pqnXfUagaiY".into()))
    );
    assert!(module1.targets.len() > 300);
    let sub = Mapping::builtin("nhwa-module1-subnational").unwrap();
    assert!(matches!(sub.org_unit, OrgUnitRule::Facility { .. }));
    assert!(sub.targets.iter().all(|t| t.breakdown == Breakdown::None));
    assert!(Mapping::builtin("nhwa-module2").is_err());
}

#[test]
fn mapping_mistakes_are_all_reported_with_their_lines() {
    let text = r#"format = 1
name = "broken"
version = "1"
id_scheme = "uid"

[combos.sex]
female = "F3kCvhpDnMM"
robot = "sAC6z2IMFrR"

[[target]]
data_element = "h6VJJu0W8U7"
isco = ["221"]
breakdown = "gender"

[[target]]
data_element = "h6VJJu0W8U7"
isco = ["221"]

[[target]]
data_element = "bad-uid"
isco = ["2299"]
measure = "salary"

[[target]]
data_element = "GFfMM55sVzg"
isco = ["221"]
breakdown = "activity_level"
combos = { practising = "drJDZnHzeBH", professionally_active = "VPShWMVpQkb" }
"#;
    let Err(crate::CoreError::InvalidMapping { issues }) = Mapping::from_toml(text) else {
        panic!("expected mistakes")
    };
    let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
    let expect = [
        "line 8: \"robot\" is not a value of breakdown sex",
        "line 13: unknown breakdown \"gender\"",
        "line 16: duplicate target: data element h6VJJu0W8U7 appears more than once",
        "line 20: malformed data element UID \"bad-uid\"",
        "line 21: invalid ISCO-08 code \"2299\"",
        "line 22: unknown measure \"salary\"",
        "line 28: professionally_active cannot be derived",
    ];
    for (want, got) in expect.iter().zip(&lines) {
        assert!(
            got.starts_with(want),
            "want {want:?}, got {got:?}\nall: {lines:#?}"
        );
    }
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    let syntax = Mapping::from_toml("format = 1\nname = \"x\"\nversion = \n").unwrap_err();
    assert!(syntax.to_string().contains("line 3"), "{syntax}");
}

#[test]
fn account_adds_up_on_generated_registries() {
    let mapping = Mapping::builtin("nhwa-module1").unwrap();
    for seed in 0..6 {
        for bad_records in [true, false] {
            let synthetic = SyntheticRegistry::new(Config {
                workers: 800,
                seed,
                bad_records,
                ..Config::default()
            });
            let registry = synthetic.to_registry();
            let result = Aggregation::new(
                &mapping,
                &Options {
                    org_unit: Some("UZ000000001".into()),
                    ..options()
                },
            )
            .unwrap()
            .run(&registry);
            let account = &result.account;
            assert_eq!(account.workers, 800);
            assert!(account.adds_up(), "seed {seed}: {account}");
            assert!(account.counted > 600, "seed {seed}: {account}");
            let total = |de: &str| {
                result
                    .values
                    .iter()
                    .find(|v| v.data_element == de)
                    .map(|v| v.value.as_f64())
                    .unwrap()
            };
            let by = |de: &str| {
                result
                    .values
                    .iter()
                    .filter(|v| v.data_element == de)
                    .map(|v| v.value.as_f64())
                    .sum::<f64>()
            };
            // Nursing personnel = nursing professionals + associates; place of training always sums to the total.
            assert_eq!(
                total("sYJkQfzW1BG"),
                total("LrG8CqG0mhV") + total("eEQkLvHHoSU"),
                "seed {seed}"
            );
            assert_eq!(by("qfVp6vFGOpZ"), total("sYJkQfzW1BG"), "seed {seed}");
            assert!(
                by("GFfMM55sVzg") <= total("h6VJJu0W8U7"),
                "sex never exceeds the total"
            );
        }
    }
}

#[test]
fn facility_reporting_uses_each_facility_org_unit() {
    let mapping = Mapping::builtin("nhwa-module1-subnational").unwrap();
    let synthetic = SyntheticRegistry::new(Config {
        workers: 500,
        bad_records: false,
        ..Config::default()
    });
    let registry = synthetic.to_registry();
    let result = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&registry);
    let org_units: std::collections::BTreeSet<&str> =
        result.values.iter().map(|v| v.org_unit.as_str()).collect();
    assert_eq!(org_units.len(), synthetic.facilities().len());
    let nurses: f64 = result
        .values
        .iter()
        .filter(|v| {
            v.data_element
                == mapping
                    .targets
                    .iter()
                    .find(|t| t.name.as_deref() == Some("Nursing Associate Professionals"))
                    .unwrap()
                    .data_element
        })
        .map(|v| v.value.as_f64())
        .sum();
    let national = Aggregation::new(
        &Mapping::builtin("nhwa-module1").unwrap(),
        &Options {
            org_unit: Some("UZ000000001".into()),
            ..options()
        },
    )
    .unwrap()
    .run(&registry);
    let national_nurses = national
        .values
        .iter()
        .find(|v| v.data_element == "eEQkLvHHoSU")
        .unwrap()
        .value
        .as_f64();
    assert_eq!(
        nurses, national_nurses,
        "facility figures add up to the national one"
    );
}

#[test]
fn a_role_pointing_to_a_service_takes_its_location_provider_and_type() {
    let mapping = Mapping::from_toml(GOLDEN_MAPPING).unwrap();
    let mut registry = golden_registry();
    registry.services.push(crate::service::HealthService {
        id: "s-clinic".into(),
        types: vec![Coding::new(
            Some("http://terminology.hl7.org/CodeSystem/v3-RoleCode"),
            "PC",
        )],
        provided_by: Some("o-priv".into()),
        locations: vec![],
    });
    registry.services.push(crate::service::HealthService {
        id: "s-ward".into(),
        types: vec![],
        provided_by: None,
        locations: vec!["f-hosp".into()],
    });
    // n1 (public hospital, HP.1) moves to a service with no location: private, HP.3 from the service type.
    let r1 = registry
        .employments
        .iter_mut()
        .find(|e| e.id == "r1")
        .unwrap();
    r1.facility = None;
    r1.employer = None;
    r1.service = Some("s-clinic".into());
    // n4 (no facility type, no employer) moves to a ward service located in the hospital: public (its manager), HP.1.
    let r4 = registry
        .employments
        .iter_mut()
        .find(|e| e.id == "r4")
        .unwrap();
    r4.facility = None;
    r4.service = Some("s-ward".into());
    let result = Aggregation::new(&mapping, &options())
        .unwrap()
        .run(&registry);
    let value = |de: &str, coc: &str| {
        result
            .values
            .iter()
            .find(|v| v.data_element == de && v.category_option_combo.as_deref() == Some(coc))
            .unwrap()
            .value
            .to_string()
    };
    // Before: public 3, pfp 3; HP.1 4, HP.3 3 (golden test). n1 public→pfp, n4 unknown→public.
    assert_eq!(value("NurseOwner1", "COCpublic01"), "3");
    assert_eq!(value("NurseOwner1", "COCpfp00001"), "4");
    assert_eq!(value("NurseType01", "COChp100001"), "4");
    assert_eq!(value("NurseType01", "COChp300001"), "4");
    assert!(
        !result
            .account
            .left_out
            .contains_key(&(Breakdown::FacilityType, Reason::FacilityTypeUnknown))
    );
}

mod flows;
