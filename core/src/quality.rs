//! Data-quality checks: every problem in a set of records, each with the record and field.
//!
//! ```
//! use hrh_core::{quality, Practitioner, Registry};
//! let registry = Registry { practitioners: vec![Practitioner { id: "p1".into(), ..Default::default() }], ..Default::default() };
//! let report = quality::check(&registry, &quality::Options::as_of(chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()));
//! assert!(report.findings.iter().any(|f| f.field == "sex"));
//! ```

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::coding::{IdentifierKind, Recorded};
use crate::registry::Registry;

/// Which kind of record a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKind {
    /// A worker (`Practitioner`).
    Practitioner,
    /// An employment (`PractitionerRole`).
    Employment,
    /// An organisation.
    Organization,
    /// A facility (`Location`).
    Facility,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Practitioner => "Practitioner",
            Self::Employment => "PractitionerRole",
            Self::Organization => "Organization",
            Self::Facility => "Location",
        })
    }
}

/// How serious a finding is, least serious first (so `Severity::Error` is the maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Does not change the figures (e.g. an invalid nationality, which no figure uses).
    Info,
    /// The worker is counted, but the record is worth a look (e.g. two concurrent jobs,
    /// which is often legitimate dual practice).
    Warning,
    /// A figure is wrong or the worker is left out of it (e.g. no sex: left out of the
    /// figures by sex; an unknown occupation: not counted at all).
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One kind of data-quality problem.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// No sex recorded.
    MissingSex,
    /// A sex that is not a FHIR administrative gender code.
    InvalidSex {
        /// The value as written.
        value: String,
    },
    /// A nationality or country of birth that is not an ISO 3166-1 code.
    InvalidCountry {
        /// The value as written.
        value: String,
    },
    /// No birth date recorded.
    MissingBirthDate,
    /// A birth date that is not a date (e.g. `2020-13-01`).
    InvalidBirthDate {
        /// The value as written.
        value: String,
    },
    /// A birth date after the check date.
    BirthDateInFuture,
    /// An age outside the plausible working range.
    ImplausibleAge {
        /// Completed years at the check date.
        age: u32,
    },
    /// An employment without a facility.
    RoleWithoutFacility,
    /// An employment without an occupation code.
    MissingOccupation,
    /// An occupation code that is not (and does not map to) an ISCO-08 group.
    UnknownOccupationCode {
        /// The code as written.
        code: String,
    },
    /// The same identifier on two records of the same kind.
    DuplicateIdentifier {
        /// The identifier system.
        system: String,
        /// The identifier value.
        value: String,
        /// The other record holding it.
        other: String,
    },
    /// Two employments of the same worker that overlap in time.
    OverlappingEmployments {
        /// The other employment's id.
        other: String,
    },
    /// Two employments of the same worker held on the check date that the stock cannot
    /// tell apart (same FTE, same start, so the record id decides which one counts) and
    /// that would count the worker differently (another occupation, specialty, facility
    /// or employer).
    AmbiguousMainEmployment {
        /// The other employment's id.
        other: String,
    },
    /// A period whose end is before its start.
    ReversedPeriod,
    /// A reference to a record that is not in the registry.
    DanglingReference {
        /// The referenced id.
        target: String,
    },
    /// The same record id twice.
    DuplicateRecord,
}

impl Problem {
    /// How serious the problem is in `field` (see [`Severity`]): an error when a figure
    /// is wrong or the worker is left out of one, a warning when the worker is counted
    /// but the record is worth a look, info when no figure uses the field.
    pub fn severity(&self, field: &str) -> Severity {
        match self {
            Self::InvalidCountry { .. } if field == "nationality" => Severity::Info,
            Self::ReversedPeriod if field != "period" => Severity::Warning,
            Self::ImplausibleAge { .. } | Self::OverlappingEmployments { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// A stable short name, for grouping (`missing_sex`, `duplicate_identifier`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSex => "missing_sex",
            Self::InvalidSex { .. } => "invalid_sex",
            Self::InvalidCountry { .. } => "invalid_country",
            Self::MissingBirthDate => "missing_birth_date",
            Self::InvalidBirthDate { .. } => "invalid_birth_date",
            Self::BirthDateInFuture => "birth_date_in_future",
            Self::ImplausibleAge { .. } => "implausible_age",
            Self::RoleWithoutFacility => "role_without_facility",
            Self::MissingOccupation => "missing_occupation",
            Self::UnknownOccupationCode { .. } => "unknown_occupation_code",
            Self::DuplicateIdentifier { .. } => "duplicate_identifier",
            Self::OverlappingEmployments { .. } => "overlapping_employments",
            Self::AmbiguousMainEmployment { .. } => "ambiguous_main_employment",
            Self::ReversedPeriod => "reversed_period",
            Self::DanglingReference { .. } => "dangling_reference",
            Self::DuplicateRecord => "duplicate_record",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSex => write!(f, "no sex recorded"),
            Self::InvalidSex { value } => write!(
                f,
                "invalid sex {value:?} (accepted: male, female, other, unknown)"
            ),
            Self::InvalidCountry { value } => write!(
                f,
                "invalid country code {value:?} (accepted: ISO 3166-1 alpha-2, alpha-3 or numeric, e.g. UZ, UZB, 860)"
            ),
            Self::MissingBirthDate => write!(f, "no birth date recorded"),
            Self::InvalidBirthDate { value } => write!(
                f,
                "invalid date {value:?} (accepted: YYYY, YYYY-MM or YYYY-MM-DD)"
            ),
            Self::BirthDateInFuture => write!(f, "birth date in the future"),
            Self::ImplausibleAge { age } => write!(f, "implausible age {age}"),
            Self::RoleWithoutFacility => write!(f, "role without facility"),
            Self::MissingOccupation => write!(f, "no occupation code"),
            Self::UnknownOccupationCode { code } => write!(
                f,
                "unknown occupation code {code:?} (accepted: an ISCO-08 group of 1 to 4 digits, e.g. 2221, or a code the job-code table maps to one)"
            ),
            Self::DuplicateIdentifier {
                system,
                value,
                other,
            } => {
                write!(f, "identifier {system}|{value} also on {other}")
            }
            Self::OverlappingEmployments { other } => write!(f, "overlaps employment {other}"),
            Self::AmbiguousMainEmployment { other } => write!(
                f,
                "held on the check date with {other}, same FTE and start: only the record ids decide which one counts, and they count the worker differently"
            ),
            Self::ReversedPeriod => write!(f, "period ends before it starts"),
            Self::DanglingReference { target } => {
                write!(f, "refers to {target}, which is not in the registry")
            }
            Self::DuplicateRecord => write!(f, "record id appears more than once"),
        }
    }
}

/// One problem found in one record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Finding {
    /// The kind of record.
    pub record_kind: RecordKind,
    /// The record id.
    pub record_id: String,
    /// The field the problem is in.
    pub field: &'static str,
    /// The problem.
    pub problem: Problem,
    /// How serious it is ([`Problem::severity`] in this field).
    pub severity: Severity,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}: {}: {}",
            self.record_kind, self.record_id, self.field, self.problem
        )
    }
}

/// Settings of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The date ages and "future" are judged at.
    pub as_of: NaiveDate,
    /// Youngest plausible age of a worker (default 15).
    pub min_age: u32,
    /// Oldest plausible age of a worker (default 100).
    pub max_age: u32,
}

impl Options {
    /// Default bounds, judged at `as_of`.
    pub fn as_of(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            min_age: 15,
            max_age: 100,
        }
    }
}

/// The result of a check: how much was checked and every finding, in record order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityReport {
    /// The number of records checked.
    pub records_checked: usize,
    /// Every problem found.
    pub findings: Vec<Finding>,
}

impl QualityReport {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The number of findings of `severity`.
    pub fn count_of(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The most serious finding's severity; `None` when clean.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Findings counted by severity and [`Problem::code`], the most serious first, then by code.
    pub fn counts_by_severity(&self) -> Vec<(Severity, &'static str, usize)> {
        let mut counts: HashMap<(Severity, &'static str), usize> = HashMap::new();
        for finding in &self.findings {
            *counts
                .entry((finding.severity, finding.problem.code()))
                .or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().map(|((s, c), n)| (s, c, n)).collect();
        counts.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        counts
    }

    /// Findings counted by [`Problem::code`], sorted by code.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut counts: HashMap<&'static str, usize> = HashMap::new();
        for finding in &self.findings {
            *counts.entry(finding.problem.code()).or_default() += 1;
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_unstable();
        counts
    }
}

/// Checks every record and returns every problem found (not just the first).
pub fn check(registry: &Registry, options: &Options) -> QualityReport {
    let index = Index::new(registry);
    let mut findings = Vec::new();
    index.duplicate_records(&mut findings);
    check_practitioners(registry, options, &mut findings);
    check_employments(registry, &index, &mut findings);
    check_overlaps(registry, options, &mut findings);
    QualityReport {
        records_checked: registry.record_count(),
        findings,
    }
}

fn finding(
    record_kind: RecordKind,
    record_id: &str,
    field: &'static str,
    problem: Problem,
) -> Finding {
    Finding {
        record_kind,
        record_id: record_id.to_owned(),
        field,
        severity: problem.severity(field),
        problem,
    }
}

/// Record ids of each kind, with how often each occurs.
struct Index<'a> {
    practitioners: HashMap<&'a str, usize>,
    employments: HashMap<&'a str, usize>,
    organizations: HashMap<&'a str, usize>,
    facilities: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    fn new(registry: &'a Registry) -> Self {
        Self {
            practitioners: ids(registry.practitioners.iter().map(|p| p.id.as_str())),
            employments: ids(registry.employments.iter().map(|e| e.id.as_str())),
            organizations: ids(registry.organizations.iter().map(|o| o.id.as_str())),
            facilities: ids(registry.facilities.iter().map(|f| f.id.as_str())),
        }
    }

    fn duplicate_records(&self, findings: &mut Vec<Finding>) {
        for (kind, counts) in [
            (RecordKind::Practitioner, &self.practitioners),
            (RecordKind::Employment, &self.employments),
            (RecordKind::Organization, &self.organizations),
            (RecordKind::Facility, &self.facilities),
        ] {
            let mut repeated: Vec<_> = counts
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(id, _)| *id)
                .collect();
            repeated.sort_unstable();
            findings.extend(
                repeated
                    .into_iter()
                    .map(|id| finding(kind, id, "id", Problem::DuplicateRecord)),
            );
        }
    }
}

fn check_practitioners(registry: &Registry, options: &Options, findings: &mut Vec<Finding>) {
    let kind = RecordKind::Practitioner;
    let mut seen_identifiers: HashMap<(&str, &str), &str> = HashMap::new();
    for p in &registry.practitioners {
        match &p.sex {
            Recorded::Missing => findings.push(finding(kind, &p.id, "sex", Problem::MissingSex)),
            Recorded::Invalid(value) => findings.push(finding(
                kind,
                &p.id,
                "sex",
                Problem::InvalidSex {
                    value: value.clone(),
                },
            )),
            Recorded::Valid(_) => {}
        }
        for (field, value) in [
            ("nationality", &p.nationality),
            ("country_of_birth", &p.country_of_birth),
        ] {
            if let Recorded::Invalid(value) = value {
                findings.push(finding(
                    kind,
                    &p.id,
                    field,
                    Problem::InvalidCountry {
                        value: value.clone(),
                    },
                ));
            }
        }
        if let Some(problem) = birth_date_problem(&p.birth_date, options) {
            findings.push(finding(kind, &p.id, "birth_date", problem));
        }
        for identifier in &p.identifiers {
            let Some(system) = identifier.system.as_deref() else {
                continue;
            };
            if identifier.kind == IdentifierKind::Other {
                continue;
            }
            match seen_identifiers.get(&(system, identifier.value.as_str())) {
                Some(other) if *other != p.id => {
                    let problem = Problem::DuplicateIdentifier {
                        system: system.to_owned(),
                        value: identifier.value.clone(),
                        other: (*other).to_owned(),
                    };
                    findings.push(finding(kind, &p.id, "identifier", problem));
                }
                Some(_) => {}
                None => {
                    seen_identifiers.insert((system, identifier.value.as_str()), &p.id);
                }
            }
        }
        let reversed = p
            .qualifications
            .iter()
            .filter(|q| q.period.is_reversed())
            .count();
        findings.extend(
            (0..reversed)
                .map(|_| finding(kind, &p.id, "qualification.period", Problem::ReversedPeriod)),
        );
    }
}

fn birth_date_problem(
    birth_date: &Recorded<crate::date::PartialDate>,
    options: &Options,
) -> Option<Problem> {
    match birth_date {
        Recorded::Missing => Some(Problem::MissingBirthDate),
        Recorded::Invalid(value) => Some(Problem::InvalidBirthDate {
            value: value.clone(),
        }),
        Recorded::Valid(born) => {
            if born.earliest().is_none_or(|d| d > options.as_of) {
                return Some(Problem::BirthDateInFuture);
            }
            let age = born
                .latest()
                .and_then(|d| crate::date::completed_years(d, options.as_of))?;
            (age < options.min_age || age > options.max_age)
                .then_some(Problem::ImplausibleAge { age })
        }
    }
}

fn check_employments(registry: &Registry, index: &Index<'_>, findings: &mut Vec<Finding>) {
    let kind = RecordKind::Employment;
    for e in &registry.employments {
        if !index.practitioners.contains_key(e.practitioner.as_str()) {
            findings.push(finding(
                kind,
                &e.id,
                "practitioner",
                Problem::DanglingReference {
                    target: e.practitioner.clone(),
                },
            ));
        }
        match &e.facility {
            None => findings.push(finding(
                kind,
                &e.id,
                "facility",
                Problem::RoleWithoutFacility,
            )),
            Some(f) if !index.facilities.contains_key(f.as_str()) => {
                findings.push(finding(
                    kind,
                    &e.id,
                    "facility",
                    Problem::DanglingReference { target: f.clone() },
                ));
            }
            Some(_) => {}
        }
        if let Some(o) = &e.employer
            && !index.organizations.contains_key(o.as_str())
        {
            findings.push(finding(
                kind,
                &e.id,
                "employer",
                Problem::DanglingReference { target: o.clone() },
            ));
        }
        match &e.occupation {
            Recorded::Missing => findings.push(finding(
                kind,
                &e.id,
                "occupation",
                Problem::MissingOccupation,
            )),
            Recorded::Invalid(code) => {
                findings.push(finding(
                    kind,
                    &e.id,
                    "occupation",
                    Problem::UnknownOccupationCode { code: code.clone() },
                ));
            }
            Recorded::Valid(_) => {}
        }
        if e.period.is_reversed() {
            findings.push(finding(kind, &e.id, "period", Problem::ReversedPeriod));
        }
    }
}

fn check_overlaps(registry: &Registry, options: &Options, findings: &mut Vec<Finding>) {
    for (_, jobs) in sorted_groups(registry) {
        for (i, a) in jobs.iter().enumerate() {
            for b in jobs.iter().skip(i + 1) {
                if a.active != Some(false)
                    && b.active != Some(false)
                    && a.period.overlaps(&b.period)
                {
                    let other = a.id.clone();
                    let problem = if ambiguous(a, b, options.as_of) {
                        Problem::AmbiguousMainEmployment { other }
                    } else {
                        Problem::OverlappingEmployments { other }
                    };
                    findings.push(finding(RecordKind::Employment, &b.id, "period", problem));
                }
            }
        }
    }
}

/// Whether the stock's choice between two of a worker's employments is arbitrary and matters.
///
/// The stock counts the worker once, by the employment held on the reference date with the
/// highest FTE (unknown counts as 0), then the earliest start (unknown counts as earliest),
/// then the lowest record id (`aggregate::facts`). The choice is ambiguous when both are
/// held on `day`, neither FTE nor start tells them apart (so only the ids decide), and they
/// would count the worker differently: another occupation, specialties, facility (its type
/// and org unit) or employer (its ownership).
fn ambiguous(
    a: &crate::employment::Employment,
    b: &crate::employment::Employment,
    day: NaiveDate,
) -> bool {
    // Compared as the engine compares them (in f32).
    #[allow(clippy::cast_possible_truncation)]
    let fte = |e: &crate::employment::Employment| e.fte.unwrap_or(0.0) as f32;
    a.is_held_on(day)
        && b.is_held_on(day)
        && fte(a).total_cmp(&fte(b)).is_eq()
        && a.period.start == b.period.start
        && (a.occupation != b.occupation
            || a.specialties != b.specialties
            || a.facility != b.facility
            || a.service != b.service
            || a.employer != b.employer)
}

fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut counts = HashMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

/// Employments grouped by worker, workers in first-seen order so the report is deterministic.
fn sorted_groups(registry: &Registry) -> Vec<(&str, Vec<&crate::employment::Employment>)> {
    let mut groups = registry.employments_by_practitioner();
    registry
        .employments
        .iter()
        .filter_map(|e| groups.remove_entry(e.practitioner.as_str()))
        .collect()
}

#[cfg(test)]
mod tests;
