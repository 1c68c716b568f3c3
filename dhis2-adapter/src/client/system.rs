//! `/api/system/info` and `/api/me`: the server version and the current user.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Dhis2Client;
use super::http::Call;
use crate::error::{Dhis2Error, Result};

/// The parts of `/api/system/info` the client uses (others are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SystemInfo {
    /// The version text, e.g. `2.42.1` or `2.43-SNAPSHOT`.
    pub version: String,
    /// The build revision (git hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The build time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_time: Option<String>,
    /// The server's current time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_date: Option<String>,
    /// The instance name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    /// The base URL the server believes it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_path: Option<String>,
}

impl SystemInfo {
    /// The version, parsed.
    pub fn parsed_version(&self) -> Result<Version> {
        self.version.parse()
    }
}

/// A DHIS2 version: `2.42.1` is major 2, minor 42, patch 1.
///
/// ```
/// use hrh_dhis2::client::Version;
///
/// let v: Version = "2.42.1".parse()?;
/// assert!(v >= Version::new(2, 42, 0) && v < Version::new(2, 43, 0));
/// assert_eq!("2.43-SNAPSHOT".parse::<Version>()?.to_string(), "2.43.0");
/// assert_eq!("2.41.3.1".parse::<Version>()?.patch, 3);
/// # Ok::<(), hrh_dhis2::Dhis2Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Always 2 so far.
    pub major: u32,
    /// The release line (36 to 43 in what this crate knows).
    pub minor: u32,
    /// The patch release (0 when absent).
    pub patch: u32,
}

impl Version {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Whether this release answers 200 (not 409) to an import with some values
    /// rejected (2.43+, DOMAIN §2.2).
    pub fn warning_is_ok(self) -> bool {
        self >= Self::new(2, 43, 0)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = Dhis2Error;

    /// Reads `2.42`, `2.42.1`, `2.41.3.1`, `v2.40.0`, `2.43-SNAPSHOT`, `2.42.1-rc1`.
    fn from_str(text: &str) -> Result<Self> {
        let invalid = || Dhis2Error::InvalidVersion(text.to_owned());
        let core = text.trim().trim_start_matches(['v', 'V']);
        let core = core.split(['-', '+', ' ']).next().unwrap_or_default();
        let mut parts = core.split('.').map(str::parse::<u32>);
        let major = parts.next().and_then(Result::ok).ok_or_else(invalid)?;
        let minor = parts.next().and_then(Result::ok).ok_or_else(invalid)?;
        let patch = match parts.next() {
            Some(Ok(patch)) => patch,
            Some(Err(_)) => return Err(invalid()),
            None => 0,
        };
        Ok(Self::new(major, minor, patch))
    }
}

/// The current user, from `/api/me` (the cheap way to check credentials).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Me {
    /// The user's UID.
    pub id: String,
    /// The user name.
    pub username: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The user's authorities (`ALL` for a superuser).
    pub authorities: Vec<String>,
}

impl Dhis2Client {
    /// Reads `/api/system/info`.
    pub async fn system_info(&self) -> Result<SystemInfo> {
        self.json(Call::get("api/system/info", Vec::new())).await
    }

    /// The server's version, from `/api/system/info`.
    pub async fn version(&self) -> Result<Version> {
        self.system_info().await?.parsed_version()
    }

    /// Reads `/api/me`; a 401 here means the credentials are wrong.
    pub async fn me(&self) -> Result<Me> {
        self.json(Call::get(
            "api/me",
            vec![("fields", "id,username,name,authorities".to_owned())],
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        let v: Version = "2.42.1".parse().unwrap();
        assert_eq!(v, Version::new(2, 42, 1));
        assert!(!v.warning_is_ok());
        assert!("2.43.0".parse::<Version>().unwrap().warning_is_ok());
        assert_eq!("2.40".parse::<Version>().unwrap(), Version::new(2, 40, 0));
        for bad in ["", "2", "x.y", "2.x.1", "2.42.x"] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
        let info: SystemInfo = serde_json::from_str(r#"{"version":"2.41.3.1","x":1}"#).unwrap();
        assert_eq!(info.parsed_version().unwrap(), Version::new(2, 41, 3));
    }
}
