//! Credentials: Basic auth or a DHIS2 personal access token, with the secret
//! part hidden from `Debug`, `Display`, logs and errors.

use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, HeaderValue};

pub use hrh_core::Secret;

/// How the client authenticates to DHIS2.
///
/// ```
/// use hrh_dhis2::client::Auth;
///
/// let auth = Auth::basic("admin", "district");
/// assert_eq!(format!("{auth:?}"), r#"Basic { user: "admin", password: *** }"#);
/// let token = Auth::api_token("d2p_secret");
/// assert!(!format!("{token:?}").contains("d2p_secret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic authentication with a user name and password.
    Basic {
        /// The DHIS2 user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// A personal access token, sent as `Authorization: ApiToken <token>` (DHIS2 2.37+).
    ApiToken(Secret),
    /// No credentials (public endpoints only).
    None,
}

impl Auth {
    /// Basic authentication.
    pub fn basic(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Basic {
            user: user.into(),
            password: password.into(),
        }
    }

    /// A personal access token (`d2p_…` or `d2pat_…`).
    pub fn api_token(token: impl Into<Secret>) -> Self {
        Self::ApiToken(token.into())
    }

    /// Adds the credentials to a request; the header is marked sensitive.
    pub(crate) fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Self::Basic { user, password } => request.basic_auth(user, Some(password.expose())),
            Self::ApiToken(token) => {
                match HeaderValue::from_str(&format!("ApiToken {}", token.expose())) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        request.header(AUTHORIZATION, value)
                    }
                    // A token with control characters cannot be sent; DHIS2 will answer 401.
                    Err(_) => request,
                }
            }
            Self::None => request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        let auth = Auth::basic("admin", "hunter2");
        assert!(!format!("{auth:?}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
    }
}
