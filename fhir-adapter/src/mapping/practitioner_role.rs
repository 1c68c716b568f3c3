//! PractitionerRole → [`hrh_core::Employment`].

use hrh_core::{
    ContractType, Employment, EmploymentStatus, ExitReason, IscoCode, PayPeriod, Recorded, Salary,
};

use super::{Context, Fault, coding, codings, period, raw, record_ref};
use crate::config::{
    CONTRACT_TYPE_EXTENSION, CodeKey, EXIT_REASON_EXTENSION, FTE_EXTENSION,
    IHRIS_EMPLOYMENT_STATUS, IHRIS_REASON_DEPARTURE, IHRIS_SALARY, ISCO08_SYSTEM, SALARY_EXTENSION,
    WEEKLY_HOURS_EXTENSION,
};

pub(super) fn map(
    r: &raw::PractitionerRole,
    id: &str,
    ctx: &Context<'_>,
) -> Result<Employment, Fault> {
    let practitioner = record_ref(r.practitioner.as_ref(), "Practitioner", ctx, "practitioner")?
        .ok_or_else(|| Fault::new("practitioner", "no reference to a Practitioner"))?;
    let (occupation, job_code) = occupation(&r.code, ctx);
    let mut facility = None;
    if let Some(first) = r.location.first() {
        facility = record_ref(Some(first), "Location", ctx, "location[0]")?;
    }
    Ok(Employment {
        id: id.to_owned(),
        practitioner,
        occupation,
        job_code,
        specialties: codings(&r.specialty),
        employer: record_ref(r.organization.as_ref(), "Organization", ctx, "organization")?,
        facility,
        service: match r.healthcare_service.first() {
            Some(first) => record_ref(
                Some(first),
                "HealthcareService",
                ctx,
                "healthcareService[0]",
            )?,
            None => None,
        },
        period: period(r.period.as_ref(), "period")?,
        active: r.active,
        status: r
            .extension
            .iter()
            .filter(|e| e.url == IHRIS_EMPLOYMENT_STATUS)
            .find_map(|e| e.value_coding.as_ref())
            .and_then(|c| c.code.as_deref())
            .and_then(EmploymentStatus::from_code),
        fte: r
            .extension
            .iter()
            .filter(|e| e.url == FTE_EXTENSION)
            .find_map(|e| e.value_decimal)
            .filter(|fte| fte.is_finite() && *fte >= 0.0),
        contract: coded(
            &r.extension,
            CONTRACT_TYPE_EXTENSION,
            ContractType::from_code,
        ),
        weekly_hours: r
            .extension
            .iter()
            .filter(|e| e.url == WEEKLY_HOURS_EXTENSION)
            .find_map(|e| e.value_decimal)
            .filter(|h| h.is_finite() && *h >= 0.0),
        exit_reason: match coded(&r.extension, EXIT_REASON_EXTENSION, ExitReason::from_code) {
            Recorded::Missing => coded(&r.extension, IHRIS_REASON_DEPARTURE, ihris_exit_reason),
            recorded => recorded,
        },
        salary: salary(&r.extension, ctx)?,
    })
}

/// The code of the first `valueCoding` of the extension `url`, read by `parse`; a code it
/// does not know is kept as `Invalid`.
fn coded<T>(
    extensions: &[raw::Extension<'_>],
    url: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Recorded<T> {
    let code = extensions
        .iter()
        .filter(|e| e.url == url)
        .find_map(|e| e.value_coding.as_ref())
        .and_then(|c| c.code.as_deref());
    match code {
        None => Recorded::Missing,
        Some(code) => {
            parse(code).map_or_else(|| Recorded::Invalid(code.to_owned()), Recorded::Valid)
        }
    }
}

/// The iHRIS reasons for departure that say how a worker left (transfers, promotions and
/// redeployments are moves within the registry, and codes like `health` or `others` say
/// neither voluntary nor involuntary: those are kept as written).
fn ihris_exit_reason(code: &str) -> Option<ExitReason> {
    match code {
        "resignation" | "quit" => Some(ExitReason::Voluntary),
        "death" => Some(ExitReason::Death),
        "mandatoryRetirement" | "earlyRetirement" => Some(ExitReason::Retirement),
        _ => None,
    }
}

/// The salary from the `hrh` salary extension, else the iHRIS one; an amount without a
/// currency, a negative or missing amount or an unknown pay period is a fault.
fn salary(extensions: &[raw::Extension<'_>], ctx: &Context<'_>) -> Result<Option<Salary>, Fault> {
    for (i, e) in extensions.iter().enumerate() {
        let (money, per, path) = if e.url == SALARY_EXTENSION {
            let part = |name: &str| e.extension.iter().find(|p| p.url == name);
            let per = match part("per").and_then(|p| p.value_code.as_deref()) {
                Some("month") => PayPeriod::Month,
                Some("year") => PayPeriod::Year,
                Some(other) => {
                    return Err(Fault::new(
                        format!("extension[{i}].extension[per]"),
                        format!("pay period {other:?} is neither month nor year"),
                    ));
                }
                None => {
                    return Err(Fault::new(
                        format!("extension[{i}]"),
                        "salary without a pay period (per)",
                    ));
                }
            };
            (
                part("amount").and_then(|p| p.value_money.as_ref()),
                per,
                "extension[amount].valueMoney",
            )
        } else if e.url == IHRIS_SALARY {
            let per = if ctx.config.ihris_salary_monthly {
                PayPeriod::Month
            } else {
                PayPeriod::Year
            };
            (e.value_money.as_ref(), per, "valueMoney")
        } else {
            continue;
        };
        let fault = |problem: &str| Fault::new(format!("extension[{i}].{path}"), problem);
        let money = money.ok_or_else(|| fault("salary without an amount"))?;
        let amount = money
            .value
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| fault("salary amount missing or negative"))?;
        let currency = money
            .currency
            .as_deref()
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
            .ok_or_else(|| fault("salary without an ISO 4217 currency"))?;
        return Ok(Some(Salary {
            amount,
            currency: currency.to_owned(),
            per,
        }));
    }
    Ok(None)
}

/// The occupation from `code`: an ISCO-08 coding, else the first coding the job table maps;
/// an unmapped code is `Invalid(code)`. Also returns the coding used, as the job code.
fn occupation(
    concepts: &[raw::CodeableConcept],
    ctx: &Context<'_>,
) -> (Recorded<IscoCode>, Option<hrh_core::Coding>) {
    // Every coding with a code, in order (walked again rather than collected: one role each).
    let all = || {
        concepts
            .iter()
            .flat_map(|c| c.coding.iter())
            .filter(|c| c.code.is_some())
    };
    if let Some(isco) = all().find(|c| c.system.as_deref() == Some(ISCO08_SYSTEM)) {
        let code = isco.code.as_deref().unwrap_or_default();
        return (
            Recorded::from_text(Some(code), IscoCode::parse),
            coding(isco),
        );
    }
    for c in all() {
        if let (Some(system), Some(code)) = (c.system.as_deref(), c.code.as_deref())
            && let Some(isco) = ctx.config.job_to_isco.get(&CodeKey::new(system, code))
        {
            return (Recorded::Valid(*isco), coding(c));
        }
    }
    match all().next() {
        None => (Recorded::Missing, None),
        Some(c) => (
            Recorded::Invalid(c.code.as_deref().unwrap_or_default().to_owned()),
            coding(c),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use hrh_core::{ExitReason, PayPeriod, Recorded, Salary};

    use crate::config::ReadConfig;
    use crate::read::{Record, read_resource};

    fn role(extensions: &str, config: &ReadConfig) -> Result<hrh_core::Employment, String> {
        let json = format!(
            r#"{{"resourceType":"PractitionerRole","id":"r1","practitioner":{{"reference":"Practitioner/p1"}},"extension":[{extensions}]}}"#
        );
        match read_resource(&json, config) {
            Ok(Record::Employment(e)) => Ok(e),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn ihris_reason_for_departure_and_salary_are_read() {
        let ihris = r#"{"url":"http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-reason-departure","valueCoding":{"system":"http://ihris.org/fhir/CodeSystem/ihris-reason-departure-codesystem","code":"quit"}},
            {"url":"http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-salary","valueMoney":{"value":52000,"currency":"ETB"}}"#;
        let e = role(ihris, &ReadConfig::default()).unwrap();
        assert_eq!(e.exit_reason, Recorded::Valid(ExitReason::Voluntary));
        assert_eq!(
            e.salary,
            Some(Salary {
                amount: 52000.0,
                currency: "ETB".into(),
                per: PayPeriod::Year
            })
        );
        let monthly = ReadConfig {
            ihris_salary_monthly: true,
            ..ReadConfig::default()
        };
        assert_eq!(
            role(ihris, &monthly).unwrap().salary.unwrap().per,
            PayPeriod::Month
        );
        // A transfer is a move within the registry, not a way of leaving: kept as written.
        let transfer = r#"{"url":"http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-reason-departure","valueCoding":{"code":"transfer"}}"#;
        assert_eq!(
            role(transfer, &ReadConfig::default()).unwrap().exit_reason,
            Recorded::Invalid("transfer".into())
        );
    }

    #[test]
    fn a_salary_without_currency_or_pay_period_is_refused_with_its_path() {
        let no_currency = r#"{"url":"http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-salary","valueMoney":{"value":100}}"#;
        let err = role(no_currency, &ReadConfig::default()).unwrap_err();
        assert!(err.contains("extension[0].valueMoney"), "{err}");
        assert!(err.contains("currency"), "{err}");
        let no_per = r#"{"url":"https://hrh.dev/fhir/StructureDefinition/practitionerrole-salary","extension":[{"url":"amount","valueMoney":{"value":100,"currency":"USD"}}]}"#;
        let err = role(no_per, &ReadConfig::default()).unwrap_err();
        assert!(err.contains("pay period"), "{err}");
    }
}
