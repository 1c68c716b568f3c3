//! Incremental sync the mCSD way (`[type]/_history?_since=`) and full re-sync (search all).

use super::FhirClient;
use super::search::{Pages, SearchParams};
use crate::error::FhirError;
use crate::mirror::Change;

/// What a sync fetched: the changes, in server order (newest first for history), and the
/// watermark to store — by the caller, only after its own work with the changes succeeded.
///
/// ```no_run
/// use hrh_fhir::client::{ClientConfig, FhirClient};
/// use hrh_fhir::mirror::Mirror;
/// # async fn run() -> Result<(), hrh_fhir::FhirError> {
/// let client = FhirClient::new("http://127.0.0.1:8090/fhir", ClientConfig::default())?;
/// let mirror = Mirror::open("mirror")?;
/// let mut state = mirror.state()?;
/// let since = state.since.get("Practitioner").cloned();
/// let synced = client.history_since("Practitioner", since.as_deref()).await?;
/// mirror.apply(synced.changes)?;
/// // ... aggregate and push; then, and only then:
/// if let Some(w) = synced.watermark { state.since.insert("Practitioner".into(), w); }
/// mirror.save_state(&state)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Synced {
    /// Upserts and deletions, for [`Mirror::apply`](crate::mirror::Mirror::apply) (apply them
    /// in one call: it keeps the newest version of each id).
    pub changes: Vec<Change>,
    /// The server's time of the first page (`Bundle.meta.lastUpdated`, else the `Date` header,
    /// which has second precision): the `_since` of the next sync.
    pub watermark: Option<String>,
    /// Pages fetched.
    pub pages: usize,
}

impl FhirClient {
    /// The history of a resource type (`GET [base]/Type/_history?_since=…`), page by page.
    /// Deletions are entries with `request.method = DELETE` ([`Page::changes`](super::Page::changes)).
    pub fn history(&self, resource_type: &str, since: Option<&str>) -> Pages {
        let mut params = SearchParams::new();
        if let Some(since) = since {
            params = params.param("_since", since);
        }
        let url = self.search_url(&format!("{resource_type}/_history"), &params);
        Pages::start(self.clone(), url)
    }

    /// Fetches every history page since `since` (all history when `None`) and returns the
    /// changes with the new watermark.
    pub async fn history_since(
        &self,
        resource_type: &str,
        since: Option<&str>,
    ) -> Result<Synced, FhirError> {
        collect(self.history(resource_type, since)).await
    }

    /// A full re-sync: searches every resource of the type (matches only; no deletions can be
    /// seen, so clear the type in the mirror first) and returns them with the watermark for
    /// the next incremental sync.
    pub async fn full_resync(&self, resource_type: &str) -> Result<Synced, FhirError> {
        collect(self.search(resource_type, &SearchParams::new())).await
    }
}

async fn collect(mut pages: Pages) -> Result<Synced, FhirError> {
    let mut synced = Synced::default();
    while let Some(page) = pages.next_page().await? {
        if synced.pages == 0 {
            synced.watermark = page.server_time().map(str::to_owned);
        }
        synced.pages += 1;
        synced.changes.extend(page.changes());
    }
    Ok(synced)
}
