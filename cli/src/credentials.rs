//! Credentials, from environment variables only (never flags), and the rule
//! that they do not travel over plain `http://` unless `--insecure` is given.
//!
//! | variable | for |
//! |---|---|
//! | `HRH_DHIS2_USERNAME` + `HRH_DHIS2_PASSWORD` | DHIS2, HTTP Basic |
//! | `HRH_DHIS2_TOKEN` | DHIS2, personal access token (`ApiToken`) |
//! | `HRH_FHIR_TOKEN` | FHIR servers, bearer token |
//! | `HRH_FHIR_USERNAME` + `HRH_FHIR_PASSWORD` | FHIR servers, HTTP Basic |
//! | `HRH_FHIR_CLIENT_ID` + `HRH_FHIR_CLIENT_SECRET` + `HRH_FHIR_TOKEN_URL` (+ `HRH_FHIR_SCOPE`) | FHIR servers, OAuth2 client credentials |
//! | `HRH_FHIR_SMART_CLIENT_ID` + `HRH_FHIR_SMART_KEY_FILE` (+ `HRH_FHIR_SMART_ALGORITHM`, `HRH_FHIR_SMART_KEY_ID`, `HRH_FHIR_SMART_TOKEN_URL`, `HRH_FHIR_SCOPE`) | FHIR servers, SMART backend services (a client assertion signed with the private key in the PEM file; `RS384`, the default, or `ES384`; the token endpoint read from the server's `.well-known/smart-configuration` unless given; scope `system/*.read` unless given) |
//!
//! Only one kind per server may be set. Empty variables count as unset. Secrets are held in [`Secret`](hrh_core::Secret), whose
//! `Debug` and `Display` print `***`; no message here names a secret's value.

use hrh_dhis2::client::Auth;
use hrh_fhir::client::{
    Auth as FhirAuth, ClientCredentials, JwtAlgorithm, Secret as FhirSecret, SmartBackend,
};

use crate::error::CliError;

/// DHIS2 user name for Basic authentication.
pub const DHIS2_USERNAME: &str = "HRH_DHIS2_USERNAME";
/// DHIS2 password for Basic authentication.
pub const DHIS2_PASSWORD: &str = "HRH_DHIS2_PASSWORD";
/// DHIS2 personal access token.
pub const DHIS2_TOKEN: &str = "HRH_DHIS2_TOKEN";
/// FHIR bearer token.
pub const FHIR_TOKEN: &str = "HRH_FHIR_TOKEN";
/// FHIR user name for Basic authentication.
pub const FHIR_USERNAME: &str = "HRH_FHIR_USERNAME";
/// FHIR password for Basic authentication.
pub const FHIR_PASSWORD: &str = "HRH_FHIR_PASSWORD";
/// OAuth2 client id (client credentials grant) for FHIR servers.
pub const FHIR_CLIENT_ID: &str = "HRH_FHIR_CLIENT_ID";
/// OAuth2 client secret for FHIR servers.
pub const FHIR_CLIENT_SECRET: &str = "HRH_FHIR_CLIENT_SECRET";
/// OAuth2 token endpoint for FHIR servers.
pub const FHIR_TOKEN_URL: &str = "HRH_FHIR_TOKEN_URL";
/// OAuth2 scope requested (optional).
pub const FHIR_SCOPE: &str = "HRH_FHIR_SCOPE";
/// SMART backend services: the client id registered with the server.
pub const FHIR_SMART_CLIENT_ID: &str = "HRH_FHIR_SMART_CLIENT_ID";
/// SMART backend services: the file holding the private key (PEM).
pub const FHIR_SMART_KEY_FILE: &str = "HRH_FHIR_SMART_KEY_FILE";
/// SMART backend services: `RS384` (default) or `ES384`.
pub const FHIR_SMART_ALGORITHM: &str = "HRH_FHIR_SMART_ALGORITHM";
/// SMART backend services: the `kid` of the key in the client's JWKS (optional).
pub const FHIR_SMART_KEY_ID: &str = "HRH_FHIR_SMART_KEY_ID";
/// SMART backend services: the token endpoint (optional; discovered otherwise).
pub const FHIR_SMART_TOKEN_URL: &str = "HRH_FHIR_SMART_TOKEN_URL";

/// Reads one variable; unset, empty or not Unicode count as absent.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The DHIS2 credentials in the environment ([`Auth::None`] when there are none).
pub fn dhis2() -> Result<Auth, CliError> {
    dhis2_from(var)
}

/// The FHIR credentials in the environment ([`FhirAuth::None`] when there are none).
pub fn fhir() -> Result<FhirAuth, CliError> {
    fhir_from(var)
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

/// [`fhir`] over any variable lookup (for tests).
fn fhir_from(get: impl Fn(&str) -> Option<String>) -> Result<FhirAuth, CliError> {
    let token = get(FHIR_TOKEN);
    let basic = (get(FHIR_USERNAME), get(FHIR_PASSWORD));
    let oauth = (
        get(FHIR_CLIENT_ID),
        get(FHIR_CLIENT_SECRET),
        get(FHIR_TOKEN_URL),
    );
    let smart = (get(FHIR_SMART_CLIENT_ID), get(FHIR_SMART_KEY_FILE));
    let kinds = usize::from(token.is_some())
        + usize::from(basic.0.is_some() || basic.1.is_some())
        + usize::from(oauth.0.is_some() || oauth.1.is_some() || oauth.2.is_some())
        + usize::from(smart.0.is_some() || smart.1.is_some());
    if kinds > 1 {
        return Err(CliError::Usage(format!(
            "more than one kind of FHIR credentials is set ({FHIR_TOKEN}, {FHIR_USERNAME}/{FHIR_PASSWORD}, \
             {FHIR_CLIENT_ID}/{FHIR_CLIENT_SECRET}/{FHIR_TOKEN_URL}, \
             {FHIR_SMART_CLIENT_ID}/{FHIR_SMART_KEY_FILE}); set only one"
        )));
    }
    if smart.0.is_some() || smart.1.is_some() {
        return smart_backend(smart, &get);
    }
    if let Some(token) = token {
        return Ok(FhirAuth::Bearer(FhirSecret::new(token)));
    }
    match basic {
        (Some(username), Some(password)) => {
            return Ok(FhirAuth::Basic {
                username,
                password: FhirSecret::new(password),
            });
        }
        (Some(_), None) => {
            return Err(CliError::Usage(format!(
                "{FHIR_USERNAME} is set but {FHIR_PASSWORD} is not"
            )));
        }
        (None, Some(_)) => {
            return Err(CliError::Usage(format!(
                "{FHIR_PASSWORD} is set but {FHIR_USERNAME} is not"
            )));
        }
        (None, None) => {}
    }
    match oauth {
        (Some(client_id), Some(secret), Some(token_url)) => {
            Ok(FhirAuth::ClientCredentials(ClientCredentials {
                token_url,
                client_id,
                client_secret: FhirSecret::new(secret),
                scope: get(FHIR_SCOPE),
            }))
        }
        (None, None, None) => Ok(FhirAuth::None),
        _ => Err(CliError::Usage(format!(
            "OAuth2 client credentials need all of {FHIR_CLIENT_ID}, {FHIR_CLIENT_SECRET} and {FHIR_TOKEN_URL}"
        ))),
    }
}

/// SMART backend-services settings from the environment; the key is read from its file.
fn smart_backend(
    (client_id, key_file): (Option<String>, Option<String>),
    get: &impl Fn(&str) -> Option<String>,
) -> Result<FhirAuth, CliError> {
    let (Some(client_id), Some(key_file)) = (client_id, key_file) else {
        return Err(CliError::Usage(format!(
            "SMART backend services need both {FHIR_SMART_CLIENT_ID} and {FHIR_SMART_KEY_FILE}"
        )));
    };
    let algorithm = match get(FHIR_SMART_ALGORITHM) {
        None => JwtAlgorithm::Rs384,
        Some(name) => JwtAlgorithm::from_name(&name).ok_or_else(|| {
            CliError::Usage(format!(
                "{FHIR_SMART_ALGORITHM} is {name:?}; use RS384 or ES384"
            ))
        })?,
    };
    // The error names the file, never its content.
    let pem = std::fs::read_to_string(&key_file).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the private key {key_file:?} ({FHIR_SMART_KEY_FILE}): {e}"
        ))
    })?;
    Ok(FhirAuth::SmartBackend(SmartBackend {
        client_id,
        private_key_pem: FhirSecret::new(pem),
        algorithm,
        key_id: get(FHIR_SMART_KEY_ID),
        token_url: get(FHIR_SMART_TOKEN_URL),
        scope: get(FHIR_SCOPE).unwrap_or_else(|| SmartBackend::DEFAULT_SCOPE.to_owned()),
    }))
}

/// Refuses to send credentials (`with_credentials`) to a plain `http://` URL unless `insecure`.
pub fn check_transport(url: &str, with_credentials: bool, insecure: bool) -> Result<(), CliError> {
    let plain = url
        .trim()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if plain && with_credentials && !insecure {
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
        assert!(check_transport("http://dhis2.example.org", true, false).is_err());
        assert!(check_transport("HTTP://dhis2.example.org", true, false).is_err());
        assert!(check_transport("http://dhis2.example.org", true, true).is_ok());
        assert!(check_transport("https://dhis2.example.org", true, false).is_ok());
        assert!(check_transport("http://dhis2.example.org", false, false).is_ok());
    }

    #[test]
    fn fhir_credentials_come_from_one_kind() {
        assert!(matches!(fhir_from(env(&[])).unwrap(), FhirAuth::None));
        assert!(matches!(
            fhir_from(env(&[(FHIR_TOKEN, "tok")])).unwrap(),
            FhirAuth::Bearer(t) if t.expose() == "tok"
        ));
        assert!(matches!(
            fhir_from(env(&[(FHIR_USERNAME, "hrh"), (FHIR_PASSWORD, "pw")])).unwrap(),
            FhirAuth::Basic { username, .. } if username == "hrh"
        ));
        assert!(matches!(
            fhir_from(env(&[
                (FHIR_CLIENT_ID, "c"),
                (FHIR_CLIENT_SECRET, "s3cr3t"),
                (FHIR_TOKEN_URL, "https://auth.example.org/token"),
                (FHIR_SCOPE, "system/*.read"),
            ]))
            .unwrap(),
            FhirAuth::ClientCredentials(c) if c.client_id == "c" && c.scope.as_deref() == Some("system/*.read")
        ));
        for pairs in [
            &[(FHIR_USERNAME, "hrh")][..],
            &[(FHIR_PASSWORD, "hunter2")][..],
            &[(FHIR_TOKEN, "tok"), (FHIR_PASSWORD, "hunter2")][..],
            &[(FHIR_CLIENT_ID, "c"), (FHIR_CLIENT_SECRET, "hunter2")][..],
        ] {
            let error = fhir_from(env(pairs)).unwrap_err().to_string();
            assert!(
                !error.contains("hunter2") && !error.contains("tok\""),
                "{error}"
            );
            assert!(error.contains("HRH_FHIR_"), "{error}");
        }
    }

    #[test]
    fn smart_backend_credentials_read_the_key_file() {
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fhir-adapter/tests/keys/test-only-es384-private.pem"
        );
        let auth = fhir_from(env(&[
            (FHIR_SMART_CLIENT_ID, "hrh-es"),
            (FHIR_SMART_KEY_FILE, key),
            (FHIR_SMART_ALGORITHM, "es384"),
        ]))
        .unwrap();
        assert!(matches!(
            &auth,
            FhirAuth::SmartBackend(s) if s.client_id == "hrh-es"
                && s.algorithm == JwtAlgorithm::Es384
                && s.private_key_pem.expose().contains("BEGIN PRIVATE KEY")
                && s.scope == "system/*.read"
                && s.token_url.is_none()
        ));
        assert!(
            !format!("{auth:?}").contains("BEGIN"),
            "the key never in Debug"
        );
        let missing = "/nonexistent/hrh-key.pem";
        for pairs in [
            &[(FHIR_SMART_CLIENT_ID, "c")][..],
            &[(FHIR_SMART_KEY_FILE, key)][..],
            &[(FHIR_SMART_CLIENT_ID, "c"), (FHIR_SMART_KEY_FILE, missing)][..],
            &[
                (FHIR_SMART_CLIENT_ID, "c"),
                (FHIR_SMART_KEY_FILE, key),
                (FHIR_SMART_ALGORITHM, "HS256"),
            ][..],
            &[
                (FHIR_SMART_CLIENT_ID, "c"),
                (FHIR_SMART_KEY_FILE, key),
                (FHIR_TOKEN, "tok"),
            ][..],
        ] {
            let error = fhir_from(env(pairs)).unwrap_err().to_string();
            assert!(error.contains("HRH_FHIR_"), "{error}");
            assert!(!error.contains("BEGIN"), "{error}");
        }
    }
}
