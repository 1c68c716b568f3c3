//! Shared helpers of hrh-table's tests: a table exporter for registries, temp folders.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines
)]

use std::fmt::Write as _;
use std::path::PathBuf;

use hrh_core::{IdentifierKind, OrgUnitRef, Recorded, Registry};

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hrh-table-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The columns of [`export_csv`].
pub const HEADER: &str = "worker_id,sex,birth_date,nationality,country_of_birth,active,\
national_id,training_country,training_date,training_code,licence_no,licence_from,licence_to,\
role_id,occupation,start,end,fte,status,employer_id,ownership,facility_id,facility_type,org_unit";

/// A table mapping for [`export_csv`], one row per employment.
pub const MAPPING: &str = r#"
format = 1
name = "test-export"
version = "1"
[source]
rows = "per-employment"
[worker]
id = "worker_id"
sex = "sex"
birth_date = "birth_date"
nationality = "nationality"
country_of_birth = "country_of_birth"
active = "active"
national_id = { column = "national_id", system = "https://hrh.dev/fhir/sid/national-health-worker-id" }
[training]
country = "training_country"
date = "training_date"
code = "training_code"
[licence]
number = { column = "licence_no", system = "https://hrh.dev/fhir/sid/licence" }
valid_from = "licence_from"
valid_to = "licence_to"
[employment]
id = "role_id"
occupation = "occupation"
start = "start"
end = "end"
fte = "fte"
status = "status"
[employer]
id = "employer_id"
ownership = "ownership"
[facility]
id = "facility_id"
type = "facility_type"
org_unit = "org_unit"
"#;

fn recorded<T>(r: &Recorded<T>, show: impl Fn(&T) -> String) -> String {
    match r {
        Recorded::Missing => String::new(),
        Recorded::Valid(v) => show(v),
        Recorded::Invalid(text) => text.clone(),
    }
}

fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The registry as an HR export: one row per employment, a row without employment
/// columns for a worker without a job. Written here, independently of the reader.
pub fn export_csv(registry: &Registry) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    let jobs = registry.employments_by_practitioner();
    let orgs: std::collections::HashMap<_, _> = registry
        .organizations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let places: std::collections::HashMap<_, _> = registry
        .facilities
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    for p in &registry.practitioners {
        let mut person = vec![
            p.id.clone(),
            recorded(&p.sex, |s| s.fhir_code().to_owned()),
            recorded(&p.birth_date, ToString::to_string),
            recorded(&p.nationality, |c| c.alpha2().to_owned()),
            recorded(&p.country_of_birth, |c| c.alpha2().to_owned()),
            p.active.map(|a| a.to_string()).unwrap_or_default(),
        ];
        let id_of = |kind| p.identifiers.iter().find(|i| i.kind == kind);
        person.push(
            id_of(IdentifierKind::National)
                .map(|i| i.value.clone())
                .unwrap_or_default(),
        );
        let training = p.training_qualification();
        person.push(
            training
                .and_then(|q| q.country)
                .map(|c| c.alpha2().to_owned())
                .unwrap_or_default(),
        );
        person.push(
            training
                .and_then(|q| q.period.start)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        person.push(
            training
                .and_then(|q| q.code.as_ref())
                .map(|c| c.code.clone())
                .unwrap_or_default(),
        );
        let licence = id_of(IdentifierKind::Licence);
        person.push(licence.map(|i| i.value.clone()).unwrap_or_default());
        person.push(
            licence
                .and_then(|i| i.validity.start)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        person.push(
            licence
                .and_then(|i| i.validity.end)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        let roles = jobs.get(p.id.as_str()).cloned().unwrap_or_default();
        if roles.is_empty() {
            let cells: Vec<String> = person.iter().map(|c| quoted(c)).collect();
            let _ = writeln!(out, "{}{}", cells.join(","), ",".repeat(10));
        }
        for e in roles {
            let mut row = person.clone();
            row.push(e.id.clone());
            row.push(recorded(&e.occupation, ToString::to_string));
            row.push(e.period.start.map(|d| d.to_string()).unwrap_or_default());
            row.push(e.period.end.map(|d| d.to_string()).unwrap_or_default());
            row.push(e.fte.map(|f| f.to_string()).unwrap_or_default());
            row.push(e.status.map(|s| s.code().to_owned()).unwrap_or_default());
            row.push(e.employer.clone().unwrap_or_default());
            let org = e.employer.as_deref().and_then(|id| orgs.get(id));
            row.push(
                org.and_then(|o| o.types.first())
                    .map(|c| format!("{}|{}", c.system.as_deref().unwrap_or_default(), c.code))
                    .unwrap_or_default(),
            );
            row.push(e.facility.clone().unwrap_or_default());
            let place = e.facility.as_deref().and_then(|id| places.get(id));
            row.push(
                place
                    .and_then(|f| f.types.first())
                    .map(|c| format!("{}|{}", c.system.as_deref().unwrap_or_default(), c.code))
                    .unwrap_or_default(),
            );
            row.push(
                place
                    .and_then(|f| f.org_unit.as_ref())
                    .map(|ou| match ou {
                        OrgUnitRef::Uid(v) | OrgUnitRef::Code(v) => v.clone(),
                    })
                    .unwrap_or_default(),
            );
            let cells: Vec<String> = row.iter().map(|c| quoted(c)).collect();
            let _ = writeln!(out, "{}", cells.join(","));
        }
    }
    out
}
