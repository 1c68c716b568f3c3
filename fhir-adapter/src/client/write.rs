//! Writes: create, conditional create, update with `If-Match`, conditional update by
//! identifier, delete, transaction and batch Bundles.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::http::{Request, Response};
use super::{FhirClient, OperationOutcome, SearchParams};
use crate::error::FhirError;

/// The server's answer to a write.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOutcome {
    /// HTTP status (201 created, 200 updated or matched, ...).
    pub status: u16,
    /// `Location` (`…/Type/id/_history/n`).
    pub location: Option<String>,
    /// `ETag` (`W/"n"`).
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// The resource returned, when the server returned one.
    pub resource: Option<Value>,
    /// An OperationOutcome returned instead of the resource (e.g. warnings).
    pub outcome: Option<OperationOutcome>,
}

impl WriteOutcome {
    fn from_response(response: &Response) -> Self {
        let body: Option<Value> = serde_json::from_slice(&response.body).ok();
        let outcome = body.as_ref().and_then(OperationOutcome::from_value);
        let resource = if outcome.is_some() { None } else { body };
        Self {
            status: response.status.as_u16(),
            location: response
                .header("location")
                .or_else(|| response.header("content-location"))
                .map(str::to_owned),
            etag: response.header("etag").map(str::to_owned),
            last_modified: response.header("last-modified").map(str::to_owned),
            resource,
            outcome,
        }
    }

    /// Whether the write created a resource (201).
    pub fn created(&self) -> bool {
        self.status == 201
    }

    /// The resource id: from the returned resource, else from `Location`.
    pub fn id(&self) -> Option<&str> {
        if let Some(id) = self
            .resource
            .as_ref()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
        {
            return Some(id);
        }
        id_from_location(self.location.as_deref()?)
    }

    /// The version id: from `ETag` (`W/"3"` → `3`), else the resource's `meta.versionId`.
    pub fn version_id(&self) -> Option<&str> {
        self.etag.as_deref().map(version_from_etag).or_else(|| {
            self.resource
                .as_ref()?
                .pointer("/meta/versionId")
                .and_then(Value::as_str)
        })
    }
}

/// One entry of a transaction or batch response.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryOutcome {
    /// `response.status` as sent, e.g. `201 Created`.
    pub status: String,
    /// The status code at its start, when it parses.
    pub code: Option<u16>,
    /// `response.location`.
    pub location: Option<String>,
    /// `response.etag`.
    pub etag: Option<String>,
    /// `response.lastModified`.
    pub last_modified: Option<String>,
    /// `response.outcome` (why a batch entry failed, or warnings).
    pub outcome: Option<OperationOutcome>,
    /// The entry's resource, when returned.
    pub resource: Option<Value>,
}

impl EntryOutcome {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.code.is_some_and(|c| (200..300).contains(&c))
    }

    /// The resource id from `location` (or the resource).
    pub fn id(&self) -> Option<&str> {
        self.resource
            .as_ref()
            .and_then(|r| r.get("id"))
            .and_then(Value::as_str)
            .or_else(|| id_from_location(self.location.as_deref()?))
    }

    fn from_entry(entry: &Value) -> Self {
        let text = |p: &str| entry.pointer(p).and_then(Value::as_str).map(str::to_owned);
        let status = text("/response/status").unwrap_or_default();
        let code = status
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok());
        Self {
            code,
            status,
            location: text("/response/location"),
            etag: text("/response/etag"),
            last_modified: text("/response/lastModified"),
            outcome: entry
                .pointer("/response/outcome")
                .and_then(OperationOutcome::from_value),
            resource: entry.get("resource").cloned(),
        }
    }
}

/// `Type/id` from a `Location` such as `http://h/fhir/Practitioner/7/_history/1`.
fn id_from_location(location: &str) -> Option<&str> {
    let path = location.split('?').next()?;
    let path = path.split("/_history/").next()?;
    path.rsplit('/').next().filter(|s| !s.is_empty())
}

/// `3` from `W/"3"` or `"3"`.
fn version_from_etag(etag: &str) -> &str {
    etag.trim_start_matches("W/").trim_matches('"')
}

impl FhirClient {
    /// Creates a resource (`POST [base]/Type`). Sent once: not retried after a timeout or
    /// 5xx, since the server may have created it.
    pub async fn create<T: Serialize + ?Sized>(
        &self,
        resource: &T,
    ) -> Result<WriteOutcome, FhirError> {
        let (value, resource_type, _) = parts(resource)?;
        let request = Request::new(Method::POST, self.url(&resource_type)?)
            .json_body(to_bytes(&value)?)
            .header("prefer", "return=representation");
        self.write(&request).await
    }

    /// Conditional create (`If-None-Exist`): creates only when no resource matches
    /// `condition` (201); one match is returned as is (200); several are an error (412).
    /// Safe to retry.
    ///
    /// `condition` is usually `SearchParams::new().identifier(Some(system), value)`.
    pub async fn create_if_none_exist<T: Serialize + ?Sized>(
        &self,
        resource: &T,
        condition: &SearchParams,
    ) -> Result<WriteOutcome, FhirError> {
        let (value, resource_type, _) = parts(resource)?;
        let request = Request::new(Method::POST, self.url(&resource_type)?)
            .json_body(to_bytes(&value)?)
            .header("prefer", "return=representation")
            .header("if-none-exist", &condition.to_query())
            .safe(true);
        self.write(&request).await
    }

    /// Updates a resource (`PUT [base]/Type/id`). When it has `meta.versionId`, `If-Match:
    /// W/"<versionId>"` is sent, so a concurrent change makes it fail with HTTP 412
    /// ([`FhirError::Http`]) instead of being overwritten.
    pub async fn update<T: Serialize + ?Sized>(
        &self,
        resource: &T,
    ) -> Result<WriteOutcome, FhirError> {
        let (value, resource_type, id) = parts(resource)?;
        let id = id.ok_or_else(|| FhirError::MissingId {
            origin: crate::error::Origin::new("<update>"),
            resource_type: resource_type.clone(),
        })?;
        let mut request = Request::new(Method::PUT, self.url(&format!("{resource_type}/{id}"))?)
            .json_body(to_bytes(&value)?)
            .header("prefer", "return=representation");
        if let Some(version) = value.pointer("/meta/versionId").and_then(Value::as_str) {
            request = request.header("if-match", &format!("W/\"{version}\""));
        }
        self.write(&request).await
    }

    /// Conditional update by identifier (`PUT [base]/Type?identifier=system|value`): creates
    /// when nothing matches, updates the one match, fails (412) on several. The idempotent
    /// upsert: sending it twice creates no duplicate.
    pub async fn upsert_by_identifier<T: Serialize + ?Sized>(
        &self,
        resource: &T,
        system: &str,
        value: &str,
    ) -> Result<WriteOutcome, FhirError> {
        let (body, resource_type, _) = parts(resource)?;
        let condition = SearchParams::new().identifier(Some(system), value);
        let mut url = self.url(&resource_type)?;
        url.set_query(Some(&condition.to_query()));
        let request = Request::new(Method::PUT, url)
            .json_body(to_bytes(&body)?)
            .header("prefer", "return=representation");
        self.write(&request).await
    }

    /// Deletes a resource (`DELETE [base]/Type/id`).
    pub async fn delete(&self, resource_type: &str, id: &str) -> Result<WriteOutcome, FhirError> {
        let request = Request::new(Method::DELETE, self.url(&format!("{resource_type}/{id}"))?)
            .header("accept", "application/fhir+json");
        self.write(&request).await
    }

    /// Sends a transaction Bundle (all entries succeed or none) and returns each entry's
    /// outcome. Not retried (a transaction of only conditional entries may be re-sent by the
    /// caller safely).
    pub async fn transaction<T: Serialize + ?Sized>(
        &self,
        bundle: &T,
    ) -> Result<Vec<EntryOutcome>, FhirError> {
        self.bundle(bundle, "transaction").await
    }

    /// Sends a batch Bundle (each entry succeeds or fails on its own; see
    /// [`EntryOutcome::outcome`]) and returns each entry's outcome.
    pub async fn batch<T: Serialize + ?Sized>(
        &self,
        bundle: &T,
    ) -> Result<Vec<EntryOutcome>, FhirError> {
        self.bundle(bundle, "batch").await
    }

    async fn bundle<T: Serialize + ?Sized>(
        &self,
        bundle: &T,
        kind: &str,
    ) -> Result<Vec<EntryOutcome>, FhirError> {
        let (value, resource_type, _) = parts(bundle)?;
        let actual = value.get("type").and_then(Value::as_str);
        if resource_type != "Bundle" || actual != Some(kind) {
            return Err(FhirError::Invalid {
                origin: crate::error::Origin::new(&format!("<{kind}>")),
                resource: format!("{resource_type}/?"),
                path: "type".to_owned(),
                problem: format!("expected a Bundle of type {kind}, got {actual:?}"),
            });
        }
        let request = Request::new(Method::POST, self.inner.base.clone())
            .json_body(to_bytes(&value)?)
            .header("prefer", "return=representation");
        let response = self.fetch(&request).await?;
        let reply = response.json()?;
        let entries = reply
            .get("entry")
            .and_then(Value::as_array)
            .ok_or_else(|| FhirError::UnexpectedResponse {
                url: request.url.to_string(),
                detail: format!("{kind} response without entries"),
            })?;
        Ok(entries.iter().map(EntryOutcome::from_entry).collect())
    }

    async fn write(&self, request: &Request) -> Result<WriteOutcome, FhirError> {
        let response = self.fetch(request).await?;
        Ok(WriteOutcome::from_response(&response))
    }
}

/// The resource as JSON, its type and id.
fn parts<T: Serialize + ?Sized>(
    resource: &T,
) -> Result<(Value, String, Option<String>), FhirError> {
    let value = serde_json::to_value(resource).map_err(|e| FhirError::Json {
        origin: crate::error::Origin::new("<request>"),
        detail: crate::error::redact(&e),
    })?;
    let resource_type = value
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| FhirError::NotAResource {
            origin: crate::error::Origin::new("<request>"),
        })?
        .to_owned();
    let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
    Ok((value, resource_type, id))
}

fn to_bytes(value: &Value) -> Result<Vec<u8>, FhirError> {
    serde_json::to_vec(value).map_err(|e| FhirError::Json {
        origin: crate::error::Origin::new("<request>"),
        detail: crate::error::redact(&e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_versions_from_headers() {
        assert_eq!(
            id_from_location("http://h/fhir/Practitioner/7/_history/1"),
            Some("7")
        );
        assert_eq!(id_from_location("Practitioner/7"), Some("7"));
        assert_eq!(version_from_etag("W/\"3\""), "3");
        let entry = serde_json::json!({"response": {"status": "201 Created",
            "location": "Practitioner/9/_history/1", "etag": "W/\"1\""}});
        let e = EntryOutcome::from_entry(&entry);
        assert!(e.is_success());
        assert_eq!((e.code, e.id()), (Some(201), Some("9")));
    }
}
