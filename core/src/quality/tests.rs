use chrono::NaiveDate;

use super::*;
use crate::coding::{Coding, Identifier};
use crate::date::{DateRange, PartialDate};
use crate::employment::Employment;
use crate::facility::Facility;
use crate::organization::Organization;
use crate::practitioner::Practitioner;
use crate::sex::Sex;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn worker(id: &str) -> Practitioner {
    Practitioner {
        id: id.into(),
        sex: Recorded::Valid(Sex::Female),
        birth_date: Recorded::Valid(PartialDate::Date(d(1980, 5, 1))),
        ..Default::default()
    }
}

fn job(id: &str, worker: &str, start: NaiveDate, end: Option<NaiveDate>) -> Employment {
    Employment {
        id: id.into(),
        practitioner: worker.into(),
        occupation: Recorded::Valid("2221".parse().unwrap()),
        facility: Some("f1".into()),
        employer: Some("o1".into()),
        period: DateRange::new(Some(start), end),
        ..Default::default()
    }
}

fn national_id(value: &str) -> Identifier {
    Identifier::new(IdentifierKind::National, Some("urn:oid:2.16.860.1"), value)
}

/// A registry with one clean worker and one known problem of each kind.
fn registry() -> Registry {
    let clean = Practitioner {
        identifiers: vec![national_id("A1")],
        ..worker("clean")
    };
    let no_sex = Practitioner {
        sex: Recorded::Missing,
        ..worker("no-sex")
    };
    let bad_sex = Practitioner {
        sex: Recorded::Invalid("F".into()),
        ..worker("bad-sex")
    };
    let bad_birth = Practitioner {
        birth_date: Recorded::Invalid("2020-13-01".into()),
        ..worker("bad-birth")
    };
    let future = Practitioner {
        birth_date: Recorded::Valid(PartialDate::Date(d(2030, 1, 1))),
        ..worker("future")
    };
    let child = Practitioner {
        birth_date: Recorded::Valid(PartialDate::Year(2015)),
        ..worker("child")
    };
    let old = Practitioner {
        birth_date: Recorded::Valid(PartialDate::Date(d(1900, 1, 1))),
        ..worker("old")
    };
    let duplicate = Practitioner {
        identifiers: vec![national_id("A1")],
        ..worker("dup")
    };
    let mut registry = Registry {
        practitioners: vec![
            clean,
            no_sex,
            bad_sex,
            bad_birth,
            future,
            child,
            old,
            duplicate,
            worker("multi"),
        ],
        employments: vec![
            job("r-clean", "clean", d(2020, 1, 1), None),
            Employment {
                facility: None,
                ..job("r-nofac", "no-sex", d(2020, 1, 1), None)
            },
            Employment {
                occupation: Recorded::Invalid("9999".into()),
                job_code: Some(Coding::new(Some("urn:local"), "9999")),
                ..job("r-badocc", "bad-sex", d(2020, 1, 1), None)
            },
            job("r-multi-1", "multi", d(2019, 1, 1), Some(d(2022, 6, 30))),
            job("r-multi-2", "multi", d(2022, 1, 1), None),
            job("r-multi-3", "multi", d(2023, 1, 1), Some(d(2021, 1, 1))),
            job("r-ghost", "nobody", d(2020, 1, 1), None),
        ],
        organizations: vec![Organization {
            id: "o1".into(),
            ..Default::default()
        }],
        facilities: vec![Facility {
            id: "f1".into(),
            ..Default::default()
        }],
        services: vec![],
    };
    registry.employments[1].occupation = Recorded::Missing;
    registry
}

#[test]
fn every_known_problem_is_found_with_record_and_field() {
    let report = check(&registry(), &Options::as_of(d(2024, 12, 31)));
    let got: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    let expected = [
        "Practitioner/no-sex: sex: no sex recorded",
        "Practitioner/bad-sex: sex: invalid sex \"F\" (accepted: male, female, other, unknown)",
        "Practitioner/bad-birth: birth_date: invalid date \"2020-13-01\" (accepted: YYYY, YYYY-MM or YYYY-MM-DD)",
        "Practitioner/future: birth_date: birth date in the future",
        "Practitioner/child: birth_date: implausible age 9",
        "Practitioner/old: birth_date: implausible age 124",
        "Practitioner/dup: identifier: identifier urn:oid:2.16.860.1|A1 also on clean",
        "PractitionerRole/r-nofac: facility: role without facility",
        "PractitionerRole/r-nofac: occupation: no occupation code",
        "PractitionerRole/r-badocc: occupation: unknown occupation code \"9999\" (accepted: an ISCO-08 group of 1 to 4 digits, e.g. 2221, or a code the job-code table maps to one)",
        "PractitionerRole/r-multi-3: period: period ends before it starts",
        "PractitionerRole/r-ghost: practitioner: refers to nobody, which is not in the registry",
        "PractitionerRole/r-multi-2: period: overlaps employment r-multi-1",
    ];
    assert_eq!(got, expected);
    assert_eq!(report.records_checked, 9 + 7 + 1 + 1);
    assert!(!report.is_clean());
    assert!(
        !report.findings.iter().any(|f| f.record_id == "clean"),
        "the clean worker has no findings"
    );
}

#[test]
fn counts_group_by_problem() {
    let report = check(&registry(), &Options::as_of(d(2024, 12, 31)));
    let counts = report.counts();
    assert!(counts.contains(&("implausible_age", 2)));
    assert!(counts.contains(&("missing_sex", 1)));
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<usize>(),
        report.findings.len()
    );
}

#[test]
fn a_clean_registry_is_clean_and_duplicates_of_ids_are_found() {
    let clean = Registry {
        practitioners: vec![worker("a")],
        employments: vec![job("r", "a", d(2020, 1, 1), None)],
        organizations: vec![Organization {
            id: "o1".into(),
            ..Default::default()
        }],
        facilities: vec![Facility {
            id: "f1".into(),
            ..Default::default()
        }],
        services: vec![],
    };
    assert!(check(&clean, &Options::as_of(d(2024, 12, 31))).is_clean());
    let mut twice = clean.clone();
    twice.practitioners.push(worker("a"));
    let report = check(&twice, &Options::as_of(d(2024, 12, 31)));
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].problem, Problem::DuplicateRecord);
}

#[test]
fn inactive_jobs_do_not_overlap_and_severities_are_set() {
    let mut reg = Registry {
        practitioners: vec![worker("a")],
        employments: vec![
            job("r1", "a", d(2020, 1, 1), None),
            job("r2", "a", d(2021, 1, 1), None),
        ],
        organizations: vec![Organization {
            id: "o1".into(),
            ..Default::default()
        }],
        facilities: vec![Facility {
            id: "f1".into(),
            ..Default::default()
        }],
        services: vec![],
    };
    let report = check(&reg, &Options::as_of(d(2024, 12, 31)));
    assert_eq!(report.findings[0].severity, Severity::Warning);
    assert_eq!(report.worst(), Some(Severity::Warning));
    reg.employments[1].active = Some(false);
    assert!(check(&reg, &Options::as_of(d(2024, 12, 31))).is_clean());
}

fn two_jobs(second: Employment) -> Registry {
    Registry {
        practitioners: vec![worker("a")],
        employments: vec![
            Employment {
                fte: Some(1.0),
                ..job("r1", "a", d(2020, 1, 1), None)
            },
            second,
        ],
        organizations: vec![Organization {
            id: "o1".into(),
            ..Default::default()
        }],
        facilities: ["f1", "f2"]
            .map(|id| Facility {
                id: id.into(),
                ..Default::default()
            })
            .to_vec(),
        services: vec![],
    }
}

fn overlap_codes(second: Employment) -> Vec<(&'static str, Severity)> {
    check(&two_jobs(second), &Options::as_of(d(2024, 12, 31)))
        .findings
        .iter()
        .map(|f| (f.problem.code(), f.severity))
        .collect()
}

#[test]
fn overlaps_are_errors_only_when_the_record_id_would_pick_the_counted_job() {
    let same_start_other_facility = Employment {
        fte: Some(1.0),
        facility: Some("f2".into()),
        ..job("r2", "a", d(2020, 1, 1), None)
    };
    assert_eq!(
        overlap_codes(same_start_other_facility.clone()),
        [("ambiguous_main_employment", Severity::Error)]
    );
    let other_occupation = Employment {
        occupation: Recorded::Valid("2211".parse().unwrap()),
        ..same_start_other_facility.clone()
    };
    assert_eq!(
        overlap_codes(other_occupation),
        [("ambiguous_main_employment", Severity::Error)]
    );
    // The FTE decides: the higher one counts.
    let part_time = Employment {
        fte: Some(0.5),
        ..same_start_other_facility.clone()
    };
    assert_eq!(
        overlap_codes(part_time),
        [("overlapping_employments", Severity::Warning)]
    );
    // The start decides: the earlier one counts.
    let later = Employment {
        period: DateRange::new(Some(d(2021, 1, 1)), None),
        ..same_start_other_facility.clone()
    };
    assert_eq!(
        overlap_codes(later),
        [("overlapping_employments", Severity::Warning)]
    );
    // Either one counts the worker the same way.
    let same_everything = Employment {
        facility: Some("f1".into()),
        ..same_start_other_facility.clone()
    };
    assert_eq!(
        overlap_codes(same_everything),
        [("overlapping_employments", Severity::Warning)]
    );
    // Not both held on the check date: the stock has no choice to make.
    let ended = Employment {
        period: DateRange::new(Some(d(2020, 1, 1)), Some(d(2023, 6, 30))),
        ..same_start_other_facility
    };
    assert_eq!(
        overlap_codes(ended),
        [("overlapping_employments", Severity::Warning)]
    );
}

#[test]
fn severities_follow_what_the_figures_use() {
    let report = check(&registry(), &Options::as_of(d(2024, 12, 31)));
    let severity_of = |id: &str, field: &str| {
        report
            .findings
            .iter()
            .find(|f| f.record_id == id && f.field == field)
            .map(|f| f.severity)
    };
    assert_eq!(severity_of("no-sex", "sex"), Some(Severity::Error));
    assert_eq!(severity_of("r-badocc", "occupation"), Some(Severity::Error));
    assert_eq!(severity_of("child", "birth_date"), Some(Severity::Warning));
    assert_eq!(severity_of("r-multi-2", "period"), Some(Severity::Warning));
    assert_eq!(severity_of("r-multi-3", "period"), Some(Severity::Error));
    assert_eq!(report.worst(), Some(Severity::Error));
    let by_severity = report.counts_by_severity();
    assert_eq!(by_severity[0].0, Severity::Error, "errors first");
    assert!(by_severity.contains(&(Severity::Warning, "implausible_age", 2)));
    assert!(by_severity.contains(&(Severity::Error, "reversed_period", 1)));
    assert_eq!(
        report.count_of(Severity::Error)
            + report.count_of(Severity::Warning)
            + report.count_of(Severity::Info),
        report.findings.len()
    );
    let foreign = Registry {
        practitioners: vec![Practitioner {
            nationality: Recorded::Invalid("XX".into()),
            country_of_birth: Recorded::Invalid("YY".into()),
            ..worker("a")
        }],
        ..Registry::default()
    };
    let found: Vec<_> = check(&foreign, &Options::as_of(d(2024, 12, 31)))
        .findings
        .into_iter()
        .map(|f| (f.field, f.severity, f.problem.to_string()))
        .collect();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].0, "nationality");
    assert_eq!(found[0].1, Severity::Info, "no figure uses the nationality");
    assert_eq!(
        found[1].1,
        Severity::Error,
        "left out of place-of-birth figures"
    );
    assert!(
        found[1].2.contains("accepted: ISO 3166-1"),
        "{}",
        found[1].2
    );
}
