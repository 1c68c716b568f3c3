//! The `/api` endpoints.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::data_values::{post_values, read_values, task, task_summary};
use crate::guard::{add_faults, clear_faults, guard, show_faults, show_requests};
use crate::listing::{list, param, project, strip_nulls};
use crate::model::Metadata;
use crate::{Shared, now};

/// Query parameters, in order, repeatable.
pub type Params = Query<Vec<(String, String)>>;

/// Every route.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/system/info", get(system_info))
        .route("/api/me", get(me))
        .route("/api/organisationUnits", lister(Kind::OrgUnits))
        .route("/api/organisationUnits/{id}", getter(Kind::OrgUnits))
        .route("/api/dataElements", lister(Kind::DataElements))
        .route("/api/dataElements/{id}", getter(Kind::DataElements))
        .route("/api/categoryOptionCombos", lister(Kind::Cocs))
        .route("/api/categoryOptionCombos/{id}", getter(Kind::Cocs))
        .route("/api/dataSets", lister(Kind::DataSets))
        .route("/api/dataSets/{id}", getter(Kind::DataSets))
        .route("/api/dataValueSets", get(read_values).post(post_values))
        .route(
            "/api/dataValueSets.json",
            get(read_values).post(post_values),
        )
        .route("/api/system/tasks/{kind}/{id}", get(task))
        .route("/api/system/taskSummaries/{kind}/{id}", get(task_summary))
        .route(
            "/__faults",
            get(show_faults).post(add_faults).delete(clear_faults),
        )
        .route("/__requests", get(show_requests))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The GET route of a metadata list.
fn lister(kind: Kind) -> axum::routing::MethodRouter<Shared> {
    get(
        move |State(state): State<Shared>, Query(query): Params| async move {
            listing(&state, kind, &query)
        },
    )
}

/// The GET route of one metadata object by id.
fn getter(kind: Kind) -> axum::routing::MethodRouter<Shared> {
    get(
        move |State(state): State<Shared>, Path(id): Path<String>, Query(query): Params| async move {
            let object = {
                let s = state.lock();
                kind.objects(&s.meta)
                    .into_iter()
                    .find(|o| o.get("id").and_then(Value::as_str) == Some(id.as_str()))
            };
            one(kind.label(), &id, object, &query)
        },
    )
}

/// A JSON answer (nulls removed).
pub fn answer(status: u16, body: Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, axum::Json(strip_nulls(body))).into_response()
}

/// An error WebMessage.
pub fn web_message(status: u16, message: &str, error_code: Option<&str>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    answer(
        status,
        json!({
            "httpStatus": code.canonical_reason().unwrap_or("Error"),
            "httpStatusCode": status, "status": "ERROR", "message": message, "errorCode": error_code,
        }),
    )
}

async fn not_found() -> Response {
    web_message(404, "Not found", None)
}

async fn system_info(State(state): State<Shared>) -> Response {
    let s = state.lock();
    answer(
        200,
        json!({
            "version": s.version, "revision": "standin", "buildTime": "2026-01-01T00:00:00.000",
            "serverDate": now(), "contextPath": s.base_url, "systemName": "DHIS2 stand-in (hrh)",
            "calendar": "iso8601", "dateFormat": "yyyy-mm-dd", "sessionTimeout": 3600,
        }),
    )
}

async fn me() -> Response {
    answer(
        200,
        json!({
            "id": "xE7jOejl9FI", "username": "admin", "name": "John Traore",
            "displayName": "John Traore", "authorities": ["ALL"], "twoFactorType": "NOT_ENABLED",
        }),
    )
}

/// The metadata lists served.
#[derive(Debug, Clone, Copy)]
enum Kind {
    OrgUnits,
    DataElements,
    Cocs,
    DataSets,
}

impl Kind {
    /// The resource name, also the list's key.
    fn key(self) -> &'static str {
        match self {
            Self::OrgUnits => "organisationUnits",
            Self::DataElements => "dataElements",
            Self::Cocs => "categoryOptionCombos",
            Self::DataSets => "dataSets",
        }
    }

    /// The class name DHIS2 uses in messages.
    fn label(self) -> &'static str {
        match self {
            Self::OrgUnits => "OrganisationUnit",
            Self::DataElements => "DataElement",
            Self::Cocs => "CategoryOptionCombo",
            Self::DataSets => "DataSet",
        }
    }

    /// Every object of the kind, with all fields.
    fn objects(self, meta: &Metadata) -> Vec<Value> {
        match self {
            Self::OrgUnits => meta
                .org_units
                .iter()
                .map(|o| meta.org_unit_json(o))
                .collect(),
            Self::DataElements => meta
                .data_elements
                .iter()
                .map(|d| meta.data_element_json(d))
                .collect(),
            Self::Cocs => meta.cocs.iter().map(Metadata::coc_json).collect(),
            Self::DataSets => meta
                .data_sets
                .iter()
                .map(|d| meta.data_set_json(d))
                .collect(),
        }
    }
}

/// A list endpoint's answer, or a 400 for a bad filter.
fn listing(state: &Shared, kind: Kind, query: &[(String, String)]) -> Response {
    let (objects, self_url) = {
        let s = state.lock();
        (
            kind.objects(&s.meta),
            format!("{}/api/{}", s.base_url, kind.key()),
        )
    };
    match list(kind.key(), objects, query, &self_url) {
        Ok(body) => answer(200, body),
        Err(message) => web_message(400, &message, None),
    }
}

/// One object, projected by `fields` (all fields by default), or a 404 WebMessage.
fn one(kind: &str, id: &str, object: Option<Value>, query: &[(String, String)]) -> Response {
    match object {
        Some(object) => answer(200, project(&object, param(query, "fields").unwrap_or("*"))),
        None => web_message(
            404,
            &format!("{kind} with id {id} could not be found."),
            Some("E1005"),
        ),
    }
}
