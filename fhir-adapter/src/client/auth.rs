//! Authentication: [`Auth`] settings and the access-token cache (OAuth2 client credentials,
//! SMART backend services).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Deserialize;
use url::Url;

use super::http::{Credential, Request};
use super::{FhirClient, retry};
use crate::error::FhirError;
use hrh_core::Secret;

/// How the client authenticates. `Debug` never shows secrets.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// HTTP Basic.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
    /// A static bearer token.
    Bearer(Secret),
    /// OAuth2 client credentials: a token from `token_url`, cached until it expires and
    /// fetched again once when the server answers 401.
    ClientCredentials(ClientCredentials),
    /// SMART backend services: client credentials with a signed JWT client assertion.
    SmartBackend(SmartBackend),
}

/// OAuth2 client-credentials settings (RFC 6749 §4.4; the client authenticates with HTTP Basic).
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// The token endpoint.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// The `scope` requested, if any.
    pub scope: Option<String>,
}

/// The signature algorithm of a SMART client assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-384; the key is an RSA private key in PEM (PKCS#1 or PKCS#8).
    Rs384,
    /// ECDSA P-384 with SHA-384; the key is a PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    Es384,
}

impl JwtAlgorithm {
    /// The algorithm with this JOSE name (`RS384` or `ES384`, any case).
    ///
    /// ```
    /// use hrh_fhir::client::JwtAlgorithm;
    /// assert_eq!(JwtAlgorithm::from_name("es384"), Some(JwtAlgorithm::Es384));
    /// assert_eq!(JwtAlgorithm::from_name("HS256"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("RS384") {
            Some(Self::Rs384)
        } else if name.eq_ignore_ascii_case("ES384") {
            Some(Self::Es384)
        } else {
            None
        }
    }
}

/// SMART backend-services settings
/// (<https://hl7.org/fhir/smart-app-launch/backend-services.html>).
///
/// The client assertion has `iss = sub = client_id`, `aud = token endpoint`, `exp` 5 minutes
/// ahead, `iat` and a random `jti`.
#[derive(Debug, Clone)]
pub struct SmartBackend {
    /// The client id registered with the server.
    pub client_id: String,
    /// The private key, PEM.
    pub private_key_pem: Secret,
    /// The signature algorithm.
    pub algorithm: JwtAlgorithm,
    /// The `kid` header naming the key in the client's JWKS, if any.
    pub key_id: Option<String>,
    /// The token endpoint; `None` reads it from `<base>/.well-known/smart-configuration`.
    pub token_url: Option<String>,
    /// The scopes requested, e.g. `system/*.read`.
    pub scope: String,
}

impl SmartBackend {
    /// The scope asked for when none is configured: reading every resource type.
    pub const DEFAULT_SCOPE: &'static str = "system/*.read";
}

/// A token and when to stop using it.
struct Token {
    value: Secret,
    expires: Option<Instant>,
}

/// Cached access token and discovered token endpoint.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: tokio::sync::Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    token: Option<Token>,
    token_url: Option<Url>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Tokens are renewed this long before they expire.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

impl TokenCache {
    /// Forgets the cached token (after a 401).
    pub(crate) async fn invalidate(&self) {
        self.state.lock().await.token = None;
    }
}

/// Whether the auth uses fetched tokens (so a 401 is worth one more try with a new token).
pub(crate) fn refreshable(auth: &Auth) -> bool {
    matches!(auth, Auth::ClientCredentials(_) | Auth::SmartBackend(_))
}

/// The credential to send with a request to the FHIR server, fetching a token if needed.
pub(crate) async fn credential(client: &FhirClient) -> Result<Option<Credential>, FhirError> {
    let auth = &client.inner.config.auth;
    match auth {
        Auth::None => Ok(None),
        Auth::Basic { username, password } => Ok(Some(Credential::Basic {
            username: username.clone(),
            password: password.clone(),
        })),
        Auth::Bearer(token) => Ok(Some(Credential::Bearer(token.clone()))),
        Auth::ClientCredentials(_) | Auth::SmartBackend(_) => {
            let mut state = client.inner.tokens.state.lock().await;
            if let Some(token) = &state.token
                && token.expires.is_none_or(|e| Instant::now() < e)
            {
                return Ok(Some(Credential::Bearer(token.value.clone())));
            }
            let token = fetch_token(client, auth, &mut state).await?;
            let value = token.value.clone();
            state.token = Some(token);
            Ok(Some(Credential::Bearer(value)))
        }
    }
}

async fn fetch_token(
    client: &FhirClient,
    auth: &Auth,
    state: &mut CacheState,
) -> Result<Token, FhirError> {
    let (url, form, credential) = match auth {
        Auth::ClientCredentials(cc) => {
            let url = parse_url(&cc.token_url)?;
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials");
            if let Some(scope) = &cc.scope {
                form.append_pair("scope", scope);
            }
            let credential = Credential::Basic {
                username: cc.client_id.clone(),
                password: cc.client_secret.clone(),
            };
            (url, form.finish(), Some(credential))
        }
        Auth::SmartBackend(smart) => {
            let url = match (&state.token_url, &smart.token_url) {
                (_, Some(configured)) => parse_url(configured)?,
                (Some(found), None) => found.clone(),
                (None, None) => {
                    let found = discover_token_url(client).await?;
                    state.token_url = Some(found.clone());
                    found
                }
            };
            let assertion = client_assertion(smart, &url)?;
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials")
                .append_pair("scope", &smart.scope)
                .append_pair(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .append_pair("client_assertion", assertion.expose());
            (url, form.finish(), None)
        }
        Auth::None | Auth::Basic { .. } | Auth::Bearer(_) => {
            return Err(FhirError::Auth {
                detail: "no token endpoint for this kind of auth".to_owned(),
            });
        }
    };
    let request = Request::new(Method::POST, url.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form.into_bytes())
        .safe(true);
    let response = client
        .send_with_retries(&request, credential.as_ref(), false)
        .await
        .map_err(|e| FhirError::Auth {
            detail: format!("token request failed: {e}"),
        })?
        .into_full()
        .ok_or_else(|| FhirError::Auth {
            detail: format!("token endpoint {url}: no body"),
        })?;
    let parsed: Option<TokenResponse> = serde_json::from_slice(&response.body).ok();
    if !response.status.is_success() {
        let reason = parsed
            .and_then(|p| {
                let error = p.error?;
                Some(match p.error_description {
                    Some(d) => format!(": {error}: {d}"),
                    None => format!(": {error}"),
                })
            })
            .unwrap_or_default();
        return Err(FhirError::Auth {
            detail: format!(
                "token endpoint {url} answered HTTP {}{reason}",
                response.status.as_u16()
            ),
        });
    }
    let parsed = parsed.ok_or_else(|| FhirError::Auth {
        detail: format!("token endpoint {url}: response is not a JSON token response"),
    })?;
    let value = parsed.access_token.ok_or_else(|| FhirError::Auth {
        detail: format!("token endpoint {url}: no access_token"),
    })?;
    // A lifetime too long to represent never expires (a 401 still renews it).
    let expires = parsed.expires_in.and_then(|s| {
        Instant::now().checked_add(Duration::from_secs(s).saturating_sub(EXPIRY_MARGIN))
    });
    Ok(Token {
        value: Secret::new(value),
        expires,
    })
}

async fn discover_token_url(client: &FhirClient) -> Result<Url, FhirError> {
    let url = client.url(".well-known/smart-configuration")?;
    let request = Request::get(url.clone()).header("accept", "application/json");
    let response = client
        .send_with_retries(&request, None, false)
        .await?
        .into_full()
        .filter(|r| r.status.is_success())
        .ok_or_else(|| FhirError::Auth {
            detail: format!("{url}: no SMART configuration"),
        })?;
    let value: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|_| FhirError::Auth {
            detail: format!("{url}: not JSON"),
        })?;
    let endpoint = value
        .get("token_endpoint")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| FhirError::Auth {
            detail: format!("{url}: no token_endpoint"),
        })?;
    parse_url(endpoint)
}

/// Signs the SMART client assertion.
fn client_assertion(smart: &SmartBackend, token_url: &Url) -> Result<Secret, FhirError> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let pem = smart.private_key_pem.expose().as_bytes();
    let (algorithm, key) = match smart.algorithm {
        JwtAlgorithm::Rs384 => (Algorithm::RS384, EncodingKey::from_rsa_pem(pem)),
        JwtAlgorithm::Es384 => (Algorithm::ES384, EncodingKey::from_ec_pem(pem)),
    };
    let key = key.map_err(|e| FhirError::Auth {
        detail: format!("private key for {:?} unusable: {e}", smart.algorithm),
    })?;
    let mut header = Header::new(algorithm);
    header.typ = Some("JWT".to_owned());
    header.kid.clone_from(&smart.key_id);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let claims = serde_json::json!({
        "iss": smart.client_id,
        "sub": smart.client_id,
        "aud": token_url.as_str(),
        "iat": now,
        "exp": now + 300,
        "jti": retry::random_id(),
    });
    jsonwebtoken::encode(&header, &claims, &key)
        .map(Secret::new)
        .map_err(|e| FhirError::Auth {
            detail: format!("signing the client assertion failed: {e}"),
        })
}

fn parse_url(text: &str) -> Result<Url, FhirError> {
    Url::parse(text).map_err(|e| FhirError::InvalidUrl {
        url: text.to_owned(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let auth = Auth::ClientCredentials(ClientCredentials {
            token_url: "https://auth/token".into(),
            client_id: "hrh".into(),
            client_secret: Secret::new("s3cr3t"),
            scope: None,
        });
        let text = format!("{auth:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(text.contains("***"), "{text}");
        let smart = Auth::SmartBackend(SmartBackend {
            client_id: "hrh".into(),
            private_key_pem: Secret::new("-----BEGIN PRIVATE KEY-----abc"),
            algorithm: JwtAlgorithm::Es384,
            key_id: None,
            token_url: None,
            scope: "system/*.read".into(),
        });
        assert!(!format!("{smart:?}").contains("BEGIN"));
    }

    #[test]
    fn a_bad_key_is_an_auth_error_without_the_key() {
        let smart = SmartBackend {
            client_id: "hrh".into(),
            private_key_pem: Secret::new("not a key SECRETSTUFF"),
            algorithm: JwtAlgorithm::Rs384,
            key_id: None,
            token_url: None,
            scope: "system/*.read".into(),
        };
        let url = Url::parse("https://auth/token").unwrap();
        let err = client_assertion(&smart, &url).unwrap_err();
        assert!(matches!(err, FhirError::Auth { .. }));
        assert!(!err.to_string().contains("SECRETSTUFF"), "{err}");
    }
}
