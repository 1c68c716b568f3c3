//! `/api/dataValueSets` (import and read) and the async import tasks.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use hrh_dhis2::datavalueset::{DataValueSet, csv, json as dvs_json, xml};
use hrh_dhis2::import_summary::{ImportStatus, ImportSummary};
use serde_json::{Value, json};

use crate::api::{Params, answer, web_message};
use crate::listing::{param, params};
use crate::store::{ImportParams, import};
use crate::{Job, Shared, now};

/// `GET /api/dataValueSets`.
pub async fn read_values(State(state): State<Shared>, Query(query): Params) -> Response {
    let data_sets = params(&query, "dataSet");
    let units = params(&query, "orgUnit");
    let periods = params(&query, "period");
    let (start, end) = (param(&query, "startDate"), param(&query, "endDate"));
    let last_updated = param(&query, "lastUpdated");
    if data_sets.is_empty() {
        return web_message(
            409,
            "At least one data element, data set or data element group must be specified",
            Some("E2001"),
        );
    }
    if periods.is_empty() && (start.is_none() || end.is_none()) && last_updated.is_none() {
        return web_message(
            409,
            "At least one period, start/end dates, last updated or last updated duration must be specified",
            Some("E2002"),
        );
    }
    if units.is_empty() {
        return web_message(
            409,
            "At least one organisation unit or organisation unit group must be specified",
            Some("E2006"),
        );
    }
    let children = param(&query, "children") == Some("true");
    let include_deleted = param(&query, "includeDeleted") == Some("true");
    let s = state.lock();
    let mut elements = Vec::new();
    for id in &data_sets {
        match s.meta.data_sets.iter().find(|d| d.id == *id) {
            Some(ds) => elements.extend(ds.data_elements.iter().cloned()),
            None => {
                return web_message(
                    409,
                    &format!("Data set does not exist: `{id}`"),
                    Some("E2010"),
                );
            }
        }
    }
    let in_scope = |ou: &str| {
        units.contains(&ou)
            || (children
                && s.meta
                    .org_unit(ou)
                    .is_some_and(|u| units.iter().any(|p| u.path.contains(&format!("/{p}/")))))
    };
    let in_period = |pe: &str| {
        if periods.contains(&pe) {
            return true;
        }
        match (start, end, hrh_core::Period::parse(pe)) {
            (Some(start), Some(end), Ok(p)) => {
                p.start().to_string().as_str() >= start && p.end().to_string().as_str() <= end
            }
            _ => periods.is_empty() && start.is_none(),
        }
    };
    let values: Vec<Value> = s
        .values
        .iter()
        .filter(|(k, v)| {
            elements.contains(&k.data_element)
                && in_scope(&k.org_unit)
                && in_period(&k.period)
                && (include_deleted || !v.deleted)
                && last_updated.is_none_or(|since| v.last_updated.as_str() >= since)
        })
        .map(|(k, v)| {
            json!({
                "dataElement": k.data_element, "period": k.period, "orgUnit": k.org_unit,
                "categoryOptionCombo": k.coc, "attributeOptionCombo": k.aoc, "value": v.value,
                "storedBy": v.by, "created": v.created, "lastUpdated": v.last_updated,
                "comment": v.comment, "followup": v.followup,
                "deleted": if include_deleted { Some(v.deleted) } else { None },
            })
        })
        .collect();
    let data_set = if data_sets.len() == 1 {
        data_sets.first().copied()
    } else {
        None
    };
    answer(200, json!({"dataSet": data_set, "dataValues": values}))
}

/// Reads a posted data value set by its content type (JSON, CSV, DXF2 XML).
fn read_body(headers: &HeaderMap, body: &[u8]) -> Result<DataValueSet, Box<Response>> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let parsed = if kind.contains("json") {
        dvs_json::read_json(body)
    } else if kind.contains("csv") {
        csv::read_csv(body)
    } else if kind.contains("adx") {
        return Err(Box::new(web_message(
            415,
            "ADX is not supported by the stand-in",
            None,
        )));
    } else if kind.contains("xml") {
        xml::read_xml(&String::from_utf8_lossy(body))
    } else {
        return Err(Box::new(web_message(
            415,
            &format!("Content type `{kind}` is not supported"),
            None,
        )));
    };
    parsed.map_err(|e| Box::new(web_message(400, &e.to_string(), None)))
}

/// The import parameters of a request.
fn import_params(query: &[(String, String)], v243: bool) -> ImportParams {
    let flag = |name: &str| param(query, name) == Some("true");
    let scheme = |name: &str| {
        param(query, name)
            .or_else(|| param(query, "idScheme"))
            .unwrap_or("UID")
            .to_owned()
    };
    ImportParams {
        dry_run: flag("dryRun"),
        strategy: param(query, "importStrategy")
            .unwrap_or("CREATE_AND_UPDATE")
            .to_ascii_uppercase(),
        atomic: v243 && flag("atomic"),
        v243,
        de_scheme: scheme("dataElementIdScheme"),
        ou_scheme: scheme("orgUnitIdScheme"),
        coc_scheme: scheme("categoryOptionComboIdScheme"),
        user: "admin".to_owned(),
    }
}

/// The WebMessage around an import summary, with the version's status code (DOMAIN §2.2).
fn import_answer(summary: &ImportSummary, v243: bool) -> Response {
    let (code, status, message) = match summary.status {
        ImportStatus::Success => (200, "OK", "Import was successful."),
        ImportStatus::Warning if v243 => (200, "WARNING", "Import finished with warnings."),
        ImportStatus::Warning => (
            409,
            "WARNING",
            "One more conflicts encountered, please check import summary.",
        ),
        ImportStatus::Error => (
            409,
            "ERROR",
            "An error occurred, please check import summary.",
        ),
    };
    let reason = if code == 200 { "OK" } else { "Conflict" };
    answer(
        code,
        json!({"httpStatus": reason, "httpStatusCode": code, "status": status, "message": message, "response": summary}),
    )
}

/// `POST /api/dataValueSets`.
pub async fn post_values(
    State(state): State<Shared>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let set = match read_body(&headers, &body) {
        Ok(set) => set,
        Err(response) => return *response,
    };
    let v243 = state.lock().v243;
    let import_params = import_params(&query, v243);
    if param(&query, "async") != Some("true") {
        let mut s = state.lock();
        let s = &mut *s;
        let summary = import(&s.meta, &mut s.values, &set, &import_params, &now());
        return import_answer(&summary, v243);
    }
    let id = hrh_dhis2::uid::generate_uid();
    let created = now();
    state.lock().jobs.insert(
        id.clone(),
        Job {
            created: created.clone(),
            summary: None,
        },
    );
    let worker = state.clone();
    let job = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut s = worker.lock();
        let s = &mut *s;
        let summary = import(&s.meta, &mut s.values, &set, &import_params, &now());
        if let Some(entry) = s.jobs.get_mut(&job) {
            entry.summary = Some(summary);
        }
    });
    answer(
        200,
        json!({
            "httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
            "message": "Initiated DATAVALUE_IMPORT",
            "response": {
                "responseType": "JobConfigurationWebMessageResponse", "name": "DATAVALUE_IMPORT",
                "id": id, "created": created, "jobType": "DATAVALUE_IMPORT", "jobStatus": "SCHEDULED",
                "relativeNotifierEndpoint": format!("/api/system/tasks/DATAVALUE_IMPORT/{id}"),
            },
        }),
    )
}

/// `GET /api/system/tasks/{kind}/{id}`: notifications, newest first.
pub async fn task(
    State(state): State<Shared>,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    let s = state.lock();
    let Some(job) = s.jobs.get(&id).filter(|_| kind == "DATAVALUE_IMPORT") else {
        return answer(200, json!([]));
    };
    let note = |message: &str, completed: bool| {
        json!({"uid": hrh_dhis2::uid::generate_uid(), "level": "INFO", "category": kind,
               "time": job.created, "message": message, "completed": completed, "dataType": "PARAMETERS"})
    };
    let mut notes = vec![note("Process started", false)];
    if let Some(summary) = &job.summary {
        let status = serde_json::to_value(summary.status).unwrap_or(Value::Null);
        let status = status.as_str().unwrap_or("SUCCESS");
        notes.insert(0, note(&format!("Import done, status {status}"), true));
    }
    answer(200, Value::Array(notes))
}

/// `GET /api/system/taskSummaries/{kind}/{id}`: the bare ImportSummary once done.
pub async fn task_summary(
    State(state): State<Shared>,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    let s = state.lock();
    match s
        .jobs
        .get(&id)
        .and_then(|j| j.summary.as_ref())
        .filter(|_| kind == "DATAVALUE_IMPORT")
    {
        Some(summary) => answer(200, serde_json::to_value(summary).unwrap_or(Value::Null)),
        None => web_message(404, &format!("No summary for job {id}"), None),
    }
}
