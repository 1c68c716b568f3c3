//! One row of a table turned into core records through the mapping.

use chrono::{Datelike, NaiveDate};
use hrh_core::aggregate::{ownership_from_key, ownership_key};
use hrh_core::synthetic::{ISCO08_SYSTEM, OWNERSHIP_SYSTEM, SHA_PROVIDER_SYSTEM};
use hrh_core::{
    Coding, ContractType, Country, DateRange, Employment, EmploymentStatus, ExitReason, Facility,
    Identifier, IdentifierKind, IscoCode, OrgUnitRef, Organization, PartialDate, PayPeriod,
    Practitioner, ProviderClass, Qualification, Recorded, Salary, Sex,
};

use crate::error::TableError;
use crate::mapping::{Column, DateFormat, Fact, FieldSpec, TableMapping};
use crate::report::{BadValue, Place};
use crate::source::Cells;

/// The DHIS2 identifier systems of facilities.
const DHIS2_UID_SYSTEM: &str = "http://dhis2.org/identifiertypes#id";
const DHIS2_CODE_SYSTEM: &str = "http://dhis2.org/identifiertypes#code";

/// How many facts there are.
const FACT_COUNT: usize = Fact::OrgUnitCode as usize + 1;

/// The mapping's columns resolved against one sheet's header row.
pub(crate) struct Resolved {
    /// Per field of the mapping (same order): the 0-based column and its name.
    columns: Vec<Option<(usize, String)>>,
    /// Per fact (by discriminant): its field's index in the mapping.
    by_fact: Vec<Option<usize>>,
}

impl Resolved {
    /// Resolves every column; fails naming every missing one and the columns present.
    pub(crate) fn new(
        mapping: &TableMapping,
        headers: &[String],
        place: &str,
    ) -> Result<Self, TableError> {
        let mut missing = Vec::new();
        let mut columns = Vec::with_capacity(mapping.fields.len());
        for field in &mapping.fields {
            let found = match &field.column {
                None => None,
                Some(Column::Name(name)) => {
                    let at = headers
                        .iter()
                        .position(|h| h.eq_ignore_ascii_case(name.trim()));
                    if at.is_none() {
                        missing.push(format!("{name:?} ({})", field.fact.key()));
                    }
                    at.map(|i| (i, name.clone()))
                }
                Some(Column::Position(n)) => {
                    if *n > headers.len() {
                        missing.push(format!("#{n} ({})", field.fact.key()));
                        None
                    } else {
                        let name = headers
                            .get(n - 1)
                            .filter(|h| !h.is_empty())
                            .cloned()
                            .unwrap_or_else(|| format!("#{n}"));
                        Some((n - 1, name))
                    }
                }
            };
            columns.push(found);
        }
        let mut by_fact = vec![None; FACT_COUNT];
        for (i, field) in mapping.fields.iter().enumerate() {
            if let Some(slot) = by_fact.get_mut(field.fact as usize) {
                *slot = Some(i);
            }
        }
        if missing.is_empty() {
            Ok(Self { columns, by_fact })
        } else {
            Err(TableError::MissingColumns {
                place: place.to_owned(),
                missing,
                present: headers.iter().map(|h| format!("{h:?}")).collect(),
                one_joined_column: matches!(headers, [one] if one.contains([',', ';', '\t', '|'])),
            })
        }
    }
}

/// What one row gives.
pub(crate) struct RowRecords {
    pub(crate) worker: String,
    pub(crate) practitioner: Practitioner,
    pub(crate) employment: Option<Employment>,
    pub(crate) employer: Option<Organization>,
    pub(crate) facility: Option<Facility>,
}

/// Reads one row through the mapping; bad values go to `bad`. `Err` with the reason when
/// the row cannot be a worker.
pub(crate) struct RowReader<'a> {
    pub(crate) mapping: &'a TableMapping,
    pub(crate) resolved: &'a Resolved,
    pub(crate) cells: &'a Cells<'a>,
    pub(crate) place: &'a Place,
    pub(crate) bad: &'a mut Vec<BadValue>,
}

impl RowReader<'_> {
    fn spec(&self, fact: Fact) -> Option<(usize, &FieldSpec)> {
        let i = (*self.resolved.by_fact.get(fact as usize)?)?;
        Some((i, self.mapping.fields.get(i)?))
    }

    /// The raw text of a fact: the cell (trimmed, non-blank) or the constant.
    fn raw(&self, fact: Fact) -> Option<&str> {
        let (i, spec) = self.spec(fact)?;
        match self.resolved.columns.get(i).and_then(Option::as_ref) {
            Some((column, _)) => self.cells.get(*column),
            None => spec.constant.as_deref(),
        }
    }

    /// Whether the fact comes from a column with a value in this row.
    fn has_cell(&self, fact: Fact) -> bool {
        self.spec(fact).is_some_and(|(i, _)| {
            self.resolved
                .columns
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|(column, _)| self.cells.get(*column).is_some())
        })
    }

    /// The text of a fact after its value table (a cell the table maps to `""` is missing).
    fn text(&self, fact: Fact) -> Option<String> {
        let raw = self.raw(fact)?;
        let (_, spec) = self.spec(fact)?;
        let text = spec
            .values
            .as_ref()
            .and_then(|t| t.get(raw))
            .cloned()
            .unwrap_or_else(|| raw.to_owned());
        (!text.trim().is_empty()).then_some(text)
    }

    fn report(&mut self, fact: Fact, record: &str, why: &str) {
        let Some(value) = self.raw(fact).map(str::to_owned) else {
            return;
        };
        let column = self
            .spec(fact)
            .and_then(|(i, _)| self.resolved.columns.get(i))
            .and_then(Option::as_ref)
            .map_or_else(|| "(constant)".to_owned(), |(_, name)| name.clone());
        self.bad.push(BadValue {
            place: self.place.clone(),
            column,
            fact: fact.key(),
            record: record.to_owned(),
            value,
            problem: why.to_owned(),
        });
    }

    /// A value that must parse: `Recorded::Invalid` (reported) when it does not.
    fn recorded<T>(
        &mut self,
        fact: Fact,
        record: &str,
        why: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Recorded<T> {
        let Some(text) = self.text(fact) else {
            return Recorded::Missing;
        };
        if let Some(value) = parse(&text) {
            Recorded::Valid(value)
        } else {
            self.report(fact, record, why);
            Recorded::Invalid(self.raw(fact).unwrap_or_default().to_owned())
        }
    }

    /// An optional value: `None` (reported) when it does not parse.
    fn optional<T>(
        &mut self,
        fact: Fact,
        record: &str,
        why: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        match self.recorded(fact, record, why, parse) {
            Recorded::Valid(value) => Some(value),
            Recorded::Missing | Recorded::Invalid(_) => None,
        }
    }

    fn date(&mut self, fact: Fact, record: &str) -> Recorded<PartialDate> {
        let format = self
            .spec(fact)
            .map_or(DateFormat::Iso, |(_, s)| s.format.clone());
        self.recorded(fact, record, "not a date in the column's format", |t| {
            parse_date(t, &format)
        })
    }

    /// A day: partial dates give their first day (`latest`: their last).
    fn day(&mut self, fact: Fact, record: &str, latest: bool) -> Option<NaiveDate> {
        match self.date(fact, record) {
            Recorded::Valid(d) if latest => d.latest(),
            Recorded::Valid(d) => d.earliest(),
            Recorded::Missing | Recorded::Invalid(_) => None,
        }
    }

    fn system(&self, fact: Fact) -> Option<String> {
        self.spec(fact).and_then(|(_, s)| s.system.clone())
    }

    /// Reads only the worker id, employer and facility of the row (the first pass of a
    /// stream); the practitioner is the id alone and the employment is left out.
    pub(crate) fn directory(mut self) -> Result<RowRecords, String> {
        let worker = self
            .raw(Fact::WorkerId)
            .map(record_id)
            .ok_or_else(String::new)?;
        let employer = self.employer(&worker);
        let facility = self.facility(&worker, employer.as_ref());
        Ok(RowRecords {
            practitioner: Practitioner {
                id: worker.clone(),
                ..Practitioner::default()
            },
            worker,
            employment: None,
            employer,
            facility,
        })
    }

    /// Reads the row.
    pub(crate) fn read(mut self, employment_number: &str) -> Result<RowRecords, String> {
        let Some(worker) = self.raw(Fact::WorkerId).map(record_id) else {
            let column = self
                .resolved
                .columns
                .first()
                .and_then(Option::as_ref)
                .map_or_else(String::new, |(_, n)| n.clone());
            return Err(format!("no worker id (column {column:?} is empty)"));
        };
        let practitioner = self.practitioner(&worker);
        let job = self
            .mapping
            .fields
            .iter()
            .any(|f| f.fact.is_job() && self.has_cell(f.fact));
        let (employment, employer, facility) = if job {
            let id = self
                .raw(Fact::EmploymentId)
                .map_or_else(|| format!("{worker}-{employment_number}"), record_id);
            let employer = self.employer(&id);
            let facility = self.facility(&id, employer.as_ref());
            let employment = self.employment(&worker, id, employer.as_ref(), facility.as_ref());
            (Some(employment), employer, facility)
        } else {
            (None, None, None)
        };
        Ok(RowRecords {
            worker,
            practitioner,
            employment,
            employer,
            facility,
        })
    }

    fn practitioner(&mut self, id: &str) -> Practitioner {
        let mut p = Practitioner {
            id: id.to_owned(),
            name: self.text(Fact::Name),
            ..Practitioner::default()
        };
        p.sex = self.recorded(
            Fact::Sex,
            id,
            "not a sex (male, female, other, unknown)",
            |t| {
                Sex::from_fhir(t)
                    .or_else(|_| Sex::from_fhir(&t.to_ascii_lowercase()))
                    .ok()
            },
        );
        p.birth_date = self.date(Fact::BirthDate, id);
        let country = |t: &str| Country::parse(t).ok();
        p.nationality = self.recorded(Fact::Nationality, id, "not an ISO 3166-1 country", country);
        p.country_of_birth = self.recorded(
            Fact::CountryOfBirth,
            id,
            "not an ISO 3166-1 country",
            country,
        );
        p.active = self.optional(Fact::Active, id, "not yes/no", parse_bool);
        if let Some(value) = self.text(Fact::NationalId) {
            let system = self.system(Fact::NationalId);
            p.identifiers.push(Identifier::new(
                IdentifierKind::National,
                system.as_deref(),
                &value,
            ));
        }
        let trained = [
            Fact::TrainingCountry,
            Fact::TrainingDate,
            Fact::TrainingCode,
            Fact::TrainingInstitution,
        ]
        .into_iter()
        .any(|f| self.raw(f).is_some());
        if trained {
            let code = self.optional(Fact::TrainingCode, id, "not an ISCO-08 code", |t| {
                IscoCode::parse(t).ok()
            });
            p.qualifications.push(Qualification {
                code: code.map(|c| Coding::new(Some(ISCO08_SYSTEM), &c.to_string())),
                issuer_name: self.text(Fact::TrainingInstitution),
                country: self.optional(
                    Fact::TrainingCountry,
                    id,
                    "not an ISO 3166-1 country",
                    country,
                ),
                period: DateRange::new(self.day(Fact::TrainingDate, id, false), None),
                ..Qualification::default()
            });
        }
        if let Some(number) = self.text(Fact::LicenceNumber) {
            let system = self.system(Fact::LicenceNumber);
            let mut licence = Identifier::new(IdentifierKind::Licence, system.as_deref(), &number);
            licence.validity = DateRange::new(
                self.day(Fact::LicenceFrom, id, false),
                self.day(Fact::LicenceTo, id, true),
            );
            p.identifiers.push(licence);
        }
        p
    }

    fn employer(&mut self, record: &str) -> Option<Organization> {
        let id = record_id(
            &self
                .text(Fact::EmployerId)
                .or_else(|| self.text(Fact::EmployerName))?,
        );
        let mut org = Organization {
            id,
            name: self.text(Fact::EmployerName),
            ..Organization::default()
        };
        if let Some(text) = self.text(Fact::Ownership) {
            let system = self.system(Fact::Ownership);
            match ownership_from_key(&text.to_ascii_lowercase().replace('_', "-")) {
                Some(ownership) => {
                    org.ownership = Some(ownership);
                    org.types.push(Coding::new(
                        Some(OWNERSHIP_SYSTEM),
                        ownership_key(ownership),
                    ));
                }
                None => match coding(&text, system.as_deref()) {
                    Some(c) => org.types.push(c),
                    None => self.report(
                        Fact::Ownership,
                        record,
                        "not an ownership (public, private-not-for-profit, private-for-profit)",
                    ),
                },
            }
        }
        Some(org)
    }

    fn facility(&mut self, record: &str, employer: Option<&Organization>) -> Option<Facility> {
        let id = record_id(
            &self
                .text(Fact::FacilityId)
                .or_else(|| self.text(Fact::FacilityName))?,
        );
        let mut facility = Facility {
            id,
            name: self.text(Fact::FacilityName),
            managing_organization: employer.map(|e| e.id.clone()),
            ..Facility::default()
        };
        if let Some(text) = self.text(Fact::FacilityType) {
            let system = self.system(Fact::FacilityType);
            let class = system
                .is_none()
                .then(|| ProviderClass::from_code(&text))
                .flatten();
            match class {
                Some(class) => {
                    facility.provider_class = Some(class);
                    facility
                        .types
                        .push(Coding::new(Some(SHA_PROVIDER_SYSTEM), class.code()));
                }
                None => match coding(&text, system.as_deref()) {
                    Some(c) => facility.types.push(c),
                    None => self.report(Fact::FacilityType, record, "not a facility type"),
                },
            }
        }
        if let Some(uid) = self.text(Fact::OrgUnit) {
            facility.identifiers.push(Identifier::new(
                IdentifierKind::Dhis2Uid,
                Some(DHIS2_UID_SYSTEM),
                &uid,
            ));
            facility.org_unit = Some(OrgUnitRef::Uid(uid));
        }
        if let Some(code) = self.text(Fact::OrgUnitCode) {
            facility.identifiers.push(Identifier::new(
                IdentifierKind::Dhis2Code,
                Some(DHIS2_CODE_SYSTEM),
                &code,
            ));
            facility.org_unit.get_or_insert(OrgUnitRef::Code(code));
        }
        Some(facility)
    }

    fn employment(
        &mut self,
        worker: &str,
        id: String,
        employer: Option<&Organization>,
        facility: Option<&Facility>,
    ) -> Employment {
        let record = id.clone();
        let record = record.as_str();
        let mut e = Employment {
            id,
            practitioner: worker.to_owned(),
            employer: employer.map(|o| o.id.clone()),
            facility: facility.map(|f| f.id.clone()),
            ..Employment::default()
        };
        e.occupation = self.recorded(Fact::Occupation, record, "not an ISCO-08 code", |t| {
            IscoCode::parse(t).ok()
        });
        e.period = DateRange::new(
            self.day(Fact::Start, record, false),
            self.day(Fact::End, record, true),
        );
        e.fte = self.optional(Fact::Fte, record, "not a number", parse_number);
        e.weekly_hours = self.optional(Fact::WeeklyHours, record, "not a number", parse_number);
        e.status = self.optional(
            Fact::Status,
            record,
            "not an employment status (contract, fullTime, partTime, volunteer)",
            EmploymentStatus::from_code,
        );
        e.contract = self.recorded(
            Fact::Contract,
            record,
            "not a contract type (permanent, fixed-term, casual, volunteer)",
            ContractType::from_code,
        );
        e.exit_reason = self.recorded(
            Fact::ExitReason,
            record,
            "not an exit reason (voluntary, involuntary, retirement, death)",
            ExitReason::from_code,
        );
        e.active = self.optional(Fact::EmploymentActive, record, "not yes/no", parse_bool);
        if let Some(amount) = self.optional(Fact::Salary, record, "not a number", parse_number) {
            let per = self.optional(Fact::SalaryPer, record, "not month or year", |t| {
                match t.to_ascii_lowercase().as_str() {
                    "month" | "monthly" => Some(PayPeriod::Month),
                    "year" | "yearly" | "annual" => Some(PayPeriod::Year),
                    _ => None,
                }
            });
            match self.text(Fact::SalaryCurrency) {
                Some(currency) => {
                    e.salary = Some(Salary {
                        amount,
                        currency,
                        per: per.unwrap_or(PayPeriod::Month),
                    });
                }
                None => self.report(Fact::Salary, record, "a salary without a currency"),
            }
        }
        e
    }
}

/// A record id from a cell: letters, digits, `-` and `.` kept, anything else (spaces,
/// `|` of iHRIS form ids) made `-`, so that the id is also a FHIR id.
pub(crate) fn record_id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A coding from `system|code`, or `code` in `system`.
fn coding(text: &str, system: Option<&str>) -> Option<Coding> {
    match text.split_once('|') {
        Some((s, c)) if !c.is_empty() => Some(Coding::new((!s.is_empty()).then_some(s), c)),
        Some(_) => None,
        None => Some(Coding::new(system, text)),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "active" => Some(true),
        "false" | "no" | "n" | "0" | "inactive" => Some(false),
        _ => None,
    }
}

/// A number, with a decimal point or a decimal comma.
fn parse_number(text: &str) -> Option<f64> {
    let value = text
        .parse::<f64>()
        .ok()
        .or_else(|| text.replace(',', ".").parse::<f64>().ok())?;
    value.is_finite().then_some(value)
}

/// A date in `format`; ISO dates are always accepted.
pub(crate) fn parse_date(text: &str, format: &DateFormat) -> Option<PartialDate> {
    let iso = || text.parse::<PartialDate>().ok();
    match format {
        DateFormat::Iso => iso(),
        DateFormat::Year => text
            .parse::<i32>()
            .ok()
            .filter(|y| (1..=9999).contains(y))
            .map(PartialDate::Year)
            .or_else(iso),
        DateFormat::Pattern(pattern) => NaiveDate::parse_from_str(text, pattern)
            .ok()
            .map(PartialDate::Date)
            .or_else(iso),
        DateFormat::Excel => excel_date(text).map(PartialDate::Date).or_else(iso),
    }
}

/// An Excel serial day number (1900 date system: day 1 is 1900-01-01, with Excel's
/// phantom 1900-02-29 as day 60; day 61 is 1900-03-01). A time of day is ignored.
pub(crate) fn excel_date(text: &str) -> Option<NaiveDate> {
    let serial = parse_number(text)?;
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)] // range checked above
    let days = serial.floor() as i64;
    let days = if days < 60 { days + 1 } else { days };
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let day = epoch.checked_add_signed(chrono::Duration::days(days))?;
    (day.year() >= 1900).then_some(day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn excel_serials_are_days_since_1899_12_30() {
        assert_eq!(excel_date("45292"), NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(excel_date("61"), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(excel_date("1"), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(excel_date("45292.75"), NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(excel_date("0"), None);
        assert_eq!(excel_date("x"), None);
    }

    #[test]
    fn dates_read_in_their_format_or_as_iso() {
        let dotted = DateFormat::Pattern("%d.%m.%Y".into());
        let day = |y, m, d| Some(PartialDate::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(parse_date("05.03.1980", &dotted), day(1980, 3, 5));
        assert_eq!(parse_date("1980-03-05", &dotted), day(1980, 3, 5));
        assert_eq!(parse_date("31.02.1980", &dotted), None);
        assert_eq!(
            parse_date("1980", &DateFormat::Year),
            Some(PartialDate::Year(1980))
        );
        assert_eq!(
            parse_date("1980-03", &DateFormat::Iso),
            Some(PartialDate::YearMonth(1980, 3))
        );
    }

    #[test]
    fn record_ids_are_fhir_ids() {
        assert_eq!(record_id("person|1021"), "person-1021");
        assert_eq!(record_id("hw-0000001.a"), "hw-0000001.a");
        assert_eq!(record_id("Polyclinic No 12"), "Polyclinic-No-12");
    }

    #[test]
    fn numbers_take_a_decimal_comma() {
        assert_eq!(parse_number("0,5"), Some(0.5));
        assert_eq!(parse_number("1"), Some(1.0));
        assert_eq!(parse_number("NaN"), None);
    }
}
