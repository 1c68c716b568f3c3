//! Search: typed parameters ([`SearchParams`]), pages ([`Page`]) and paging with one page of
//! lookahead ([`Pages`]).

use std::collections::HashSet;

use serde_json::Value;
use tokio::task::JoinHandle;
use url::Url;

use super::FhirClient;
use super::http::Request;
use crate::config::ReadConfig;
use crate::error::FhirError;
use crate::mirror::Change;
use crate::read::{ReadReport, Record, read_bundle_value};

/// A comparison prefix for date and number search parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// `eq`: equal.
    Eq,
    /// `gt`: after.
    Gt,
    /// `ge`: at or after.
    Ge,
    /// `lt`: before.
    Lt,
    /// `le`: at or before.
    Le,
}

impl Prefix {
    /// The prefix as sent (`ge`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }
}

/// Search parameters, in order. Values are URL-encoded when sent (`|` as `%7C`).
///
/// ```
/// use hrh_fhir::client::{Prefix, SearchParams};
/// let params = SearchParams::new()
///     .count(50)
///     .last_updated(Prefix::Ge, "2024-01-01T00:00:00Z")
///     .include("PractitionerRole:practitioner")
///     .identifier(Some("http://moh.example/id"), "P-1")
///     .elements(&["id", "identifier"])
///     .param("active", "true");
/// assert_eq!(params.to_query(),
///     "_count=50&_lastUpdated=ge2024-01-01T00%3A00%3A00Z&_include=PractitionerRole%3Apractitioner\
///      &identifier=http%3A%2F%2Fmoh.example%2Fid%7CP-1&_elements=id%2Cidentifier&active=true");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParams {
    pairs: Vec<(String, String)>,
}

impl SearchParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// `_count`: page size (a hint to the server).
    #[must_use]
    pub fn count(self, n: u32) -> Self {
        self.param("_count", &n.to_string())
    }

    /// `_lastUpdated` with a prefix, e.g. `ge2024-01-01T00:00:00Z`; call twice for a range.
    #[must_use]
    pub fn last_updated(self, prefix: Prefix, instant: &str) -> Self {
        self.param("_lastUpdated", &format!("{}{instant}", prefix.as_str()))
    }

    /// `_include`, e.g. `PractitionerRole:practitioner`.
    #[must_use]
    pub fn include(self, target: &str) -> Self {
        self.param("_include", target)
    }

    /// `_revinclude`, e.g. `PractitionerRole:practitioner` on a Practitioner search.
    #[must_use]
    pub fn revinclude(self, target: &str) -> Self {
        self.param("_revinclude", target)
    }

    /// `identifier=system|value` (or just `value` without a system).
    #[must_use]
    pub fn identifier(self, system: Option<&str>, value: &str) -> Self {
        let token = match system {
            Some(system) => format!("{system}|{value}"),
            None => value.to_owned(),
        };
        self.param("identifier", &token)
    }

    /// `_elements`: only these elements in the results.
    #[must_use]
    pub fn elements(self, elements: &[&str]) -> Self {
        self.param("_elements", &elements.join(","))
    }

    /// Any other parameter, as given.
    #[must_use]
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.pairs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Whether a parameter is set.
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    /// The parameters, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The URL-encoded query string.
    pub fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.pairs)
            .finish()
    }
}

/// One page of results: a Bundle (searchset or history).
#[derive(Debug, Clone)]
pub struct Page {
    url: Url,
    date: Option<String>,
    bundle: Value,
}

impl Page {
    pub(crate) fn new(url: Url, date: Option<String>, bundle: Value) -> Self {
        Self { url, date, bundle }
    }

    /// The URL this page was fetched from.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The Bundle.
    pub fn bundle(&self) -> &Value {
        &self.bundle
    }

    /// The Bundle, owned.
    pub fn into_bundle(self) -> Value {
        self.bundle
    }

    /// `Bundle.total`, when the server sent it.
    pub fn total(&self) -> Option<u64> {
        self.bundle.get("total").and_then(Value::as_u64)
    }

    /// `Bundle.meta.lastUpdated`, when sent.
    pub fn last_updated(&self) -> Option<&str> {
        self.bundle
            .pointer("/meta/lastUpdated")
            .and_then(Value::as_str)
    }

    /// The response's `Date` header as a FHIR instant (`2024-05-01T10:00:00Z`), when sent.
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// The server's time of this page: `Bundle.meta.lastUpdated`, else the `Date` header.
    pub fn server_time(&self) -> Option<&str> {
        self.last_updated().or(self.date())
    }

    fn entries(&self) -> impl Iterator<Item = &Value> {
        self.bundle
            .get("entry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    fn with_mode<'a>(&'a self, mode: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.entries().filter_map(move |e| {
            (e.pointer("/search/mode").and_then(Value::as_str) == Some(mode))
                .then(|| e.get("resource"))
                .flatten()
        })
    }

    /// The resources of entries with `search.mode = match` (only these count as results).
    pub fn matches(&self) -> impl Iterator<Item = &Value> {
        self.with_mode("match")
    }

    /// The matches deserialised into a typed model, e.g. `fhir_sdk::r4b::resources::Resource`.
    ///
    /// ```
    /// # use hrh_fhir::client::Page;
    /// #[derive(serde::Deserialize)]
    /// struct Minimal { id: String }
    /// # fn f(page: &Page) -> Result<(), hrh_fhir::FhirError> {
    /// let ids: Vec<String> = page.matches_as::<Minimal>()?.into_iter().map(|m| m.id).collect();
    /// # Ok(()) }
    /// ```
    pub fn matches_as<T: serde::de::DeserializeOwned>(&self) -> Result<Vec<T>, FhirError> {
        self.matches()
            .enumerate()
            .map(|(n, resource)| {
                T::deserialize(resource).map_err(|e| FhirError::Structure {
                    origin: crate::error::Origin::new(self.url.as_str()).at_entry(n),
                    resource: format!(
                        "{}/{}",
                        resource
                            .get("resourceType")
                            .and_then(Value::as_str)
                            .unwrap_or("?"),
                        resource.get("id").and_then(Value::as_str).unwrap_or("?")
                    ),
                    detail: crate::error::redact(&e),
                })
            })
            .collect()
    }

    /// The resources of entries with `search.mode = include` (`_include`, `_revinclude`).
    pub fn includes(&self) -> impl Iterator<Item = &Value> {
        self.with_mode("include")
    }

    /// The `OperationOutcome`s of entries with `search.mode = outcome` (e.g. warnings about
    /// ignored parameters).
    pub fn outcomes(&self) -> impl Iterator<Item = &Value> {
        self.with_mode("outcome")
    }

    /// The `next` link as sent.
    pub fn next_link(&self) -> Option<&str> {
        self.bundle
            .get("link")
            .and_then(Value::as_array)?
            .iter()
            .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))?
            .get("url")
            .and_then(Value::as_str)
    }

    /// The changes this page carries, for [`Mirror::apply`](crate::mirror::Mirror::apply):
    /// upserts of every entry's resource (outcome entries excluded), deletions from history.
    pub fn changes(&self) -> Vec<Change> {
        Change::from_bundle(&self.bundle)
            .into_iter()
            .filter(|c| match c {
                Change::Upsert { resource_type, .. } => resource_type != "OperationOutcome",
                Change::Delete { .. } => true,
            })
            .collect()
    }

    /// Reads the page into `hrh-core` records with the crate's Bundle reader.
    pub fn read(&self, config: &ReadConfig, sink: &mut dyn FnMut(Record)) -> ReadReport {
        read_bundle_value(&self.bundle, self.url.as_str(), config, sink)
    }
}

/// Paging through a search or history: follows `Bundle.link[next]`, fetching the next page
/// while the caller works on the current one.
///
/// Stops with [`FhirError::PagingLoop`] when a `next` link repeats and with
/// [`FhirError::ForeignOrigin`] when it leaves the server (unless allowed). Dropping it cancels
/// the page in flight.
pub struct Pages {
    client: FhirClient,
    pending: Option<Pending>,
    seen: HashSet<String>,
}

enum Pending {
    Fetching(JoinHandle<Result<Page, FhirError>>),
    Failed(FhirError),
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("followed", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        if let Some(Pending::Fetching(handle)) = &self.pending {
            handle.abort();
        }
    }
}

impl Pages {
    /// Starts at `first` (fetched in the background at once, on the current tokio runtime;
    /// outside one, the first [`Pages::next_page`] is an error).
    pub(crate) fn start(client: FhirClient, first: Result<Url, FhirError>) -> Self {
        let mut pages = Self {
            client,
            pending: None,
            seen: HashSet::new(),
        };
        match first {
            Ok(url) => {
                pages.seen.insert(url.to_string());
                pages.spawn(url);
            }
            Err(e) => pages.pending = Some(Pending::Failed(e)),
        }
        pages
    }

    fn spawn(&mut self, url: Url) {
        let client = self.client.clone();
        self.pending = Some(match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                Pending::Fetching(runtime.spawn(async move { client.fetch_page(url).await }))
            }
            Err(_) => Pending::Failed(FhirError::Transport {
                method: "GET".to_owned(),
                url: url.to_string(),
                detail: "paging needs a tokio runtime (use client::blocking outside one)"
                    .to_owned(),
            }),
        });
    }

    /// The next page, `None` after the last one. The page after it is requested before this
    /// returns.
    ///
    /// Cancel-safe: a call dropped while waiting leaves the page in flight with `self`, so the
    /// next call goes on waiting for it and dropping `self` cancels it.
    pub async fn next_page(&mut self) -> Result<Option<Page>, FhirError> {
        let joined = match &mut self.pending {
            // Awaited in place: were it taken out first, dropping this future would detach
            // the request from `self` and leave it running until its timeout.
            Some(Pending::Fetching(handle)) => handle.await,
            _ => {
                return match self.pending.take() {
                    Some(Pending::Failed(e)) => Err(e),
                    _ => Ok(None),
                };
            }
        };
        self.pending = None;
        let page = joined.map_err(|e| FhirError::Transport {
            method: "GET".to_owned(),
            url: self.client.base_url().to_string(),
            detail: format!("page task failed: {e}"),
        })??;
        if let Some(link) = page.next_link() {
            match self.client.next_url(page.url(), link) {
                Ok(next) if !self.seen.insert(next.to_string()) => {
                    self.pending = Some(Pending::Failed(FhirError::PagingLoop {
                        url: next.to_string(),
                    }));
                }
                Ok(next) => self.spawn(next),
                Err(e) => self.pending = Some(Pending::Failed(e)),
            }
        }
        Ok(Some(page))
    }

    /// All remaining pages.
    pub async fn collect_all(mut self) -> Result<Vec<Page>, FhirError> {
        let mut pages = Vec::new();
        while let Some(page) = self.next_page().await? {
            pages.push(page);
        }
        Ok(pages)
    }
}

impl FhirClient {
    /// Searches a resource type (`GET [base]/Type?params`), paging lazily.
    ///
    /// [`ClientConfig::page_size`](super::ClientConfig::page_size) is sent as `_count` unless
    /// `params` sets one. The first page is requested at once, in the background, so call it
    /// inside a tokio runtime (outside one, [`Pages::next_page`] returns an error).
    pub fn search(&self, resource_type: &str, params: &SearchParams) -> Pages {
        let url = self.search_url(resource_type, params);
        Pages::start(self.clone(), url)
    }

    /// Fetches every page of a search and returns the matches (`search.mode = match`) and
    /// the included resources separately.
    pub async fn search_all(
        &self,
        resource_type: &str,
        params: &SearchParams,
    ) -> Result<(Vec<Value>, Vec<Value>), FhirError> {
        let mut pages = self.search(resource_type, params);
        let (mut matches, mut includes) = (Vec::new(), Vec::new());
        while let Some(page) = pages.next_page().await? {
            matches.extend(page.matches().cloned());
            includes.extend(page.includes().cloned());
        }
        Ok((matches, includes))
    }

    pub(crate) fn search_url(&self, path: &str, params: &SearchParams) -> Result<Url, FhirError> {
        let mut url = self.url(path)?;
        let mut params = params.clone();
        if let Some(n) = self.inner.config.page_size
            && !params.has("_count")
        {
            params = params.count(n);
        }
        if !params.pairs().is_empty() {
            url.set_query(Some(&params.to_query()));
        }
        Ok(url)
    }

    /// Resolves a `next` link (relative to the base; absolute kept) and checks its origin.
    pub(crate) fn next_url(&self, current: &Url, link: &str) -> Result<Url, FhirError> {
        let base = &self.inner.base;
        let next = match Url::parse(link) {
            Ok(url) => url,
            Err(url::ParseError::RelativeUrlWithoutBase) if link.starts_with('/') => {
                current.join(link).map_err(|e| invalid(link, e))?
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                base.join(link).map_err(|e| invalid(link, e))?
            }
            Err(e) => return Err(invalid(link, e)),
        };
        self.check_origin(&next)?;
        Ok(next)
    }

    /// Fetches one Bundle page.
    pub(crate) async fn fetch_page(&self, url: Url) -> Result<Page, FhirError> {
        let request = Request::get(url.clone());
        let response = self.fetch(&request).await?;
        let bundle = response.json()?;
        if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
            return Err(FhirError::UnexpectedResponse {
                url: url.to_string(),
                detail: "not a Bundle".to_owned(),
            });
        }
        let date = response.header("date").and_then(http_date_to_instant);
        Ok(Page::new(url, date, bundle))
    }
}

fn invalid(link: &str, e: url::ParseError) -> FhirError {
    FhirError::InvalidUrl {
        url: link.to_owned(),
        detail: e.to_string(),
    }
}

/// An HTTP date (`Tue, 01 Dec 2026 03:39:01 GMT`) as a FHIR instant (`2026-12-01T03:39:01Z`).
pub(crate) fn http_date_to_instant(text: &str) -> Option<String> {
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    Some(
        date.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientConfig;

    fn client(allowed: &[&str]) -> FhirClient {
        let config = ClientConfig {
            allowed_origins: allowed.iter().map(|s| (*s).to_owned()).collect(),
            ..ClientConfig::default()
        };
        FhirClient::new("http://h:8090/fhir", config).unwrap()
    }

    #[test]
    fn next_links_resolve_against_the_base_and_stay_on_the_origin() {
        let c = client(&["https://mirror.example"]);
        let page = Url::parse("http://h:8090/fhir/Practitioner?_count=2").unwrap();
        let next = |l| c.next_url(&page, l).map(|u| u.to_string());
        assert_eq!(
            next("Practitioner?_count=2&_offset=2").unwrap(),
            "http://h:8090/fhir/Practitioner?_count=2&_offset=2"
        );
        assert_eq!(
            next("/fhir/Practitioner?page=3").unwrap(),
            "http://h:8090/fhir/Practitioner?page=3"
        );
        assert_eq!(
            next("http://h:8090/fhir/x?p=4").unwrap(),
            "http://h:8090/fhir/x?p=4"
        );
        assert!(next("https://mirror.example/fhir/x").is_ok());
        assert!(matches!(
            c.next_url(&page, "http://evil:8090/fhir/x"),
            Err(FhirError::ForeignOrigin { .. })
        ));
        assert!(matches!(
            c.next_url(&page, "https://h:8090/fhir/x"),
            Err(FhirError::ForeignOrigin { .. })
        ));
    }

    #[derive(serde::Deserialize)]
    struct Role {
        id: String,
    }

    #[test]
    fn page_sorts_entries_by_mode() {
        let bundle = serde_json::json!({"resourceType": "Bundle", "type": "searchset",
        "meta": {"lastUpdated": "2024-05-01T00:00:00Z"},
        "link": [{"relation": "self", "url": "a"}, {"relation": "next", "url": "b"}],
        "entry": [
            {"resource": {"resourceType": "PractitionerRole", "id": "r"}, "search": {"mode": "match"}},
            {"resource": {"resourceType": "Practitioner", "id": "p"}, "search": {"mode": "include"}},
            {"resource": {"resourceType": "OperationOutcome"}, "search": {"mode": "outcome"}},
        ]});
        let page = Page::new(Url::parse("http://h/fhir/x").unwrap(), None, bundle);
        assert_eq!(page.matches().count(), 1);
        assert_eq!(page.matches_as::<Role>().unwrap()[0].id, "r");
        assert!(page.matches_as::<Vec<u8>>().is_err());
        assert_eq!(page.includes().count(), 1);
        assert_eq!(page.outcomes().count(), 1);
        assert_eq!(page.next_link(), Some("b"));
        assert_eq!(page.server_time(), Some("2024-05-01T00:00:00Z"));
        assert_eq!(page.changes().len(), 2);
        let report = page.read(&ReadConfig::default(), &mut |_| {});
        assert_eq!(report.matches, 1);
    }

    #[test]
    fn paging_outside_a_runtime_is_an_error_not_a_panic() {
        let mut pages = client(&[]).search("Practitioner", &SearchParams::new());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = runtime.block_on(pages.next_page()).unwrap_err();
        assert!(err.to_string().contains("tokio runtime"), "{err}");
    }

    #[test]
    fn http_dates_become_instants() {
        assert_eq!(
            http_date_to_instant("Tue, 01 Dec 2026 03:39:01 GMT").as_deref(),
            Some("2026-12-01T03:39:01Z")
        );
        assert_eq!(http_date_to_instant("yesterday"), None);
    }
}
