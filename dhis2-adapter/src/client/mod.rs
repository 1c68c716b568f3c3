//! An async client for the DHIS2 Web API (aggregate data and organisation units),
//! on `reqwest` with rustls; [`blocking`] wraps it for callers without a runtime.
//!
//! - [`Dhis2Client::system_info`] / [`Dhis2Client::version`]: what is on the other side;
//! - [`Dhis2Client::import_data_values`]: chunked imports with every import option,
//!   asynchronous imports polled to completion, conflicts mapped to global indexes;
//! - [`Dhis2Client::read_data_values`], [`Dhis2Client::organisation_units`],
//!   [`Dhis2Client::data_set_metadata`], [`Dhis2Client::preflight`].
//!
//! Every request has a timeout; reads and data value imports (upserts keyed by
//! data element, period, org unit and combos) are retried on connection errors,
//! timeouts, 429, 502, 503 and 504 as [`RetryPolicy`] says. Credentials
//! ([`Auth`]) never appear in `Debug` output or errors.
//!
//! ```no_run
//! use hrh_dhis2::client::{Auth, ClientSettings, ImportOptions, blocking::Dhis2Client};
//! use hrh_dhis2::{DataValue, DataValueSet};
//!
//! let client = Dhis2Client::new(ClientSettings::new("http://127.0.0.1:8080", Auth::basic("admin", "district")))?;
//! println!("DHIS2 {}", client.version()?);
//! let mut set = DataValueSet::new(vec![DataValue::new("h6VJJu0W8U7", "12")]);
//! set.period = Some("2023".into());
//! set.org_unit = Some("UZdemoRoot1".into());
//! let summary = client.import_data_values(&set, &ImportOptions::default())?;
//! for rejection in summary.rejections(&set.data_values) {
//!     eprintln!("value {} refused: {:?}", rejection.index, rejection.conflicts);
//! }
//! # Ok::<(), hrh_dhis2::Dhis2Error>(())
//! ```

mod auth;
pub mod blocking;
mod data_values;
mod http;
mod import;
mod metadata;
#[cfg(test)]
mod no_panic;
mod org_units;
mod preflight;
mod retry;
mod settings;
mod system;

pub use auth::{Auth, Secret};
pub use data_values::DataValueQuery;
pub use import::{ImportOptions, ImportStrategy};
pub use metadata::{ComboInfo, DataElementInfo, DataSetMetadata};
pub use org_units::{IdRef, OrgUnitQuery, OrganisationUnit, Pager, Paging};
pub use preflight::{PreflightIssue, PreflightProblem, PreflightReport};
pub use settings::{ClientSettings, RetryPolicy};
pub use system::{Me, SystemInfo, Version};

use url::Url;

use crate::error::{Dhis2Error, Result};

/// An async DHIS2 Web API client. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Dhis2Client {
    http: reqwest::Client,
    base: Url,
    settings: ClientSettings,
}

impl Dhis2Client {
    /// A client for the instance and credentials in `settings`.
    ///
    /// Fails when the base URL is not an absolute `http(s)` URL, holds
    /// credentials (put them in [`Auth`]), or the TLS backend cannot start.
    pub fn new(settings: ClientSettings) -> Result<Self> {
        let base = parse_base_url(&settings.base_url)?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .danger_accept_invalid_certs(settings.accept_invalid_certs)
            .user_agent(concat!("hrh-dhis2/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| Dhis2Error::ClientSetup(error.without_url().to_string()))?;
        Ok(Self {
            http,
            base,
            settings,
        })
    }

    /// The settings the client was built with.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// The URL of `path` (e.g. `api/system/info`) below the base URL.
    fn endpoint(&self, path: &str) -> Result<Url> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|error| Dhis2Error::InvalidUrl {
                url: path.to_owned(),
                reason: error.to_string(),
            })
    }
}

/// Checks and normalises a base URL (trailing `/`, so `join` keeps its path).
fn parse_base_url(text: &str) -> Result<Url> {
    let invalid = |reason: &str| Dhis2Error::InvalidUrl {
        url: strip_user_info(text),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(text.trim()).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials belong in Auth, not in the URL"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The URL text without any `user:password@` part, for messages.
fn strip_user_info(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let scheme = text.get(..scheme_end + 3).unwrap_or_default();
            let rest = text.get(at + 1..).unwrap_or_default();
            format!("{scheme}***@{rest}")
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_never_leak_credentials() {
        let url = parse_base_url("https://dhis2.example.org/hmis").unwrap();
        assert_eq!(url.join("api/me").unwrap().path(), "/hmis/api/me");
        let error = parse_base_url("https://admin:district@dhis2.example.org").unwrap_err();
        assert!(!error.to_string().contains("district"), "{error}");
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
