//! Credentials, from environment variables only (never flags), and the rule
//! that they do not travel over plain `http://` unless `--insecure` is given.
//!
//! | variable | for |
//! |---|---|
//! | `HRH_DHIS2_USERNAME` + `HRH_DHIS2_PASSWORD` | DHIS2, HTTP Basic |
//! | `HRH_DHIS2_TOKEN` | DHIS2, personal access token (`ApiToken`) |
//! | `HRH_FHIR_TOKEN` | FHIR servers, bearer token (reserved for the FHIR commands) |
//!
//! Empty variables count as unset. Secrets are held in [`Secret`], whose
//! `Debug` and `Display` print `***`; no message here names a secret's value.

use hrh_dhis2::client::{Auth, Secret};

use crate::error::CliError;

/// DHIS2 user name for Basic authentication.
pub const DHIS2_USERNAME: &str = "HRH_DHIS2_USERNAME";
/// DHIS2 password for Basic authentication.
pub const DHIS2_PASSWORD: &str = "HRH_DHIS2_PASSWORD";
/// DHIS2 personal access token.
pub const DHIS2_TOKEN: &str = "HRH_DHIS2_TOKEN";
/// FHIR bearer token (reserved: read by the FHIR commands).
pub const FHIR_TOKEN: &str = "HRH_FHIR_TOKEN";

/// Reads one variable; unset, empty or not Unicode count as absent.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The DHIS2 credentials in the environment ([`Auth::None`] when there are none).
pub fn dhis2() -> Result<Auth, CliError> {
    dhis2_from(var)
}

/// The FHIR bearer token in the environment, if any.
#[allow(dead_code)] // read by the FHIR commands (`hrh facilities push`, `hrh load`) to come
pub fn fhir_token() -> Option<Secret> {
    var(FHIR_TOKEN).map(Secret::from)
}

/// [`dhis2`] over any variable lookup (for tests).
fn dhis2_from(get: impl Fn(&str) -> Option<String>) -> Result<Auth, CliError> {
    match (get(DHIS2_TOKEN), get(DHIS2_USERNAME), get(DHIS2_PASSWORD)) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(CliError::Usage(format!(
            "both {DHIS2_TOKEN} and {DHIS2_USERNAME}/{DHIS2_PASSWORD} are set; set only one"
        ))),
        (Some(token), None, None) => Ok(Auth::api_token(token)),
        (None, Some(user), Some(password)) => Ok(Auth::basic(user, password)),
        (None, Some(_), None) => Err(CliError::Usage(format!(
            "{DHIS2_USERNAME} is set but {DHIS2_PASSWORD} is not"
        ))),
        (None, None, Some(_)) => Err(CliError::Usage(format!(
            "{DHIS2_PASSWORD} is set but {DHIS2_USERNAME} is not"
        ))),
        (None, None, None) => Ok(Auth::None),
    }
}

/// Refuses to send credentials to a plain `http://` URL unless `insecure`.
pub fn check_transport(url: &str, auth: &Auth, insecure: bool) -> Result<(), CliError> {
    let plain = url
        .trim()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if plain && *auth != Auth::None && !insecure {
        return Err(CliError::Usage(format!(
            "refusing to send credentials over plain http:// to {}; use https:// or pass --insecure",
            url.trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn dhis2_credentials_come_from_one_source() {
        assert_eq!(dhis2_from(env(&[])).unwrap(), Auth::None);
        assert_eq!(
            dhis2_from(env(&[(DHIS2_TOKEN, "d2p_x")])).unwrap(),
            Auth::api_token("d2p_x")
        );
        assert_eq!(
            dhis2_from(env(&[
                (DHIS2_USERNAME, "admin"),
                (DHIS2_PASSWORD, "district")
            ]))
            .unwrap(),
            Auth::basic("admin", "district")
        );
        for pairs in [
            &[(DHIS2_USERNAME, "admin")][..],
            &[(DHIS2_PASSWORD, "hunter2")][..],
            &[(DHIS2_TOKEN, "d2p_x"), (DHIS2_PASSWORD, "hunter2")][..],
        ] {
            let error = dhis2_from(env(pairs)).unwrap_err().to_string();
            assert!(
                !error.contains("hunter2") && !error.contains("d2p_x"),
                "{error}"
            );
            assert!(error.contains("HRH_DHIS2_"), "{error}");
        }
    }

    #[test]
    fn credentials_need_https_or_insecure() {
        let auth = Auth::basic("admin", "district");
        assert!(check_transport("http://dhis2.example.org", &auth, false).is_err());
        assert!(check_transport("HTTP://dhis2.example.org", &auth, false).is_err());
        assert!(check_transport("http://dhis2.example.org", &auth, true).is_ok());
        assert!(check_transport("https://dhis2.example.org", &auth, false).is_ok());
        assert!(check_transport("http://dhis2.example.org", &Auth::None, false).is_ok());
        let error = check_transport("http://x", &auth, false).unwrap_err();
        assert!(!error.to_string().contains("district"));
    }
}
