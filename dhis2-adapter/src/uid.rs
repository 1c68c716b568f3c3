//! DHIS2 UIDs (`^[a-zA-Z][a-zA-Z0-9]{10}$`) and id schemes (`UID`, `CODE`, `NAME`, `ATTRIBUTE:<uid>`).

use std::fmt;
use std::str::FromStr;

use rand::RngExt;

use crate::error::{Dhis2Error, Result};

/// Length of a DHIS2 UID, in characters.
pub const UID_LENGTH: usize = 11;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Whether `text` is a valid DHIS2 UID: a letter followed by 10 ASCII letters or digits.
///
/// ```
/// assert!(hrh_dhis2::uid::is_valid_uid("GFfMM55sVzg"));
/// assert!(!hrh_dhis2::uid::is_valid_uid("1FfMM55sVzg"));
/// ```
pub fn is_valid_uid(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            bytes.len() == UID_LENGTH
                && first.is_ascii_alphabetic()
                && rest.iter().all(u8::is_ascii_alphanumeric)
        }
        None => false,
    }
}

/// Checks a UID, returning it unchanged or [`Dhis2Error::InvalidUid`].
pub fn validate_uid(text: &str) -> Result<&str> {
    if is_valid_uid(text) {
        Ok(text)
    } else {
        Err(Dhis2Error::InvalidUid(text.to_owned()))
    }
}

/// Generates a new UID with the thread-local random generator, as DHIS2's `CodeGenerator` does.
pub fn generate_uid() -> String {
    generate_uid_with(&mut rand::rng())
}

/// Generates a new UID from the given random generator (seed it for reproducible tests).
pub fn generate_uid_with<R: rand::Rng + ?Sized>(rng: &mut R) -> String {
    let mut uid = String::with_capacity(UID_LENGTH);
    uid.push(pick(rng, LETTERS));
    for _ in 1..UID_LENGTH {
        uid.push(pick(rng, ALPHANUMERIC));
    }
    uid
}

fn pick<R: rand::Rng + ?Sized>(rng: &mut R, alphabet: &[u8]) -> char {
    let index = rng.random_range(0..alphabet.len());
    alphabet.get(index).map_or('a', |&b| char::from(b))
}

/// How identifiers in a payload are to be read: DHIS2's `idScheme` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum IdScheme {
    /// By UID (the DHIS2 default, except for ADX).
    #[default]
    Uid,
    /// By code (the ADX default).
    Code,
    /// By name (not unique; avoid for org units).
    Name,
    /// By the value of a unique attribute, given by its UID.
    Attribute(String),
}

impl fmt::Display for IdScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uid => f.write_str("UID"),
            Self::Code => f.write_str("CODE"),
            Self::Name => f.write_str("NAME"),
            Self::Attribute(uid) => write!(f, "ATTRIBUTE:{uid}"),
        }
    }
}

impl FromStr for IdScheme {
    type Err = Dhis2Error;

    /// Reads `UID`, `CODE`, `NAME` (any case) or `ATTRIBUTE:<uid>`.
    fn from_str(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        let invalid = || Dhis2Error::InvalidIdScheme(text.to_owned());
        match trimmed.split_once(':') {
            Some((kind, uid)) if kind.eq_ignore_ascii_case("ATTRIBUTE") => {
                if is_valid_uid(uid) {
                    Ok(Self::Attribute(uid.to_owned()))
                } else {
                    Err(invalid())
                }
            }
            None if trimmed.eq_ignore_ascii_case("UID") || trimmed.eq_ignore_ascii_case("ID") => {
                Ok(Self::Uid)
            }
            None if trimmed.eq_ignore_ascii_case("CODE") => Ok(Self::Code),
            None if trimmed.eq_ignore_ascii_case("NAME") => Ok(Self::Name),
            _ => Err(invalid()),
        }
    }
}

impl IdScheme {
    /// Parses an id scheme; see [`FromStr`].
    pub fn parse(text: &str) -> Result<Self> {
        text.parse()
    }
}

/// Written as its parameter text (`UID`, `CODE`, `ATTRIBUTE:<uid>`).
impl serde::Serialize for IdScheme {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from its parameter text, as [`FromStr`] reads it.
impl<'de> serde::Deserialize<'de> for IdScheme {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn validates_uids() {
        assert!(is_valid_uid("FuMctq4PQpf"));
        assert!(!is_valid_uid(""));
        assert!(!is_valid_uid("FuMctq4PQp"));
        assert!(!is_valid_uid("FuMctq4PQpfx"));
        assert!(!is_valid_uid("9uMctq4PQpf"));
        assert!(!is_valid_uid("FuMctq4PQ-f"));
        assert!(!is_valid_uid("FuMctq4PQpé"));
        assert!(validate_uid("bad").is_err());
    }

    #[test]
    fn generated_uids_are_valid_and_differ() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let uids: Vec<String> = (0..500).map(|_| generate_uid_with(&mut rng)).collect();
        assert!(uids.iter().all(|u| is_valid_uid(u)), "{uids:?}");
        let mut unique = uids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), uids.len());
        assert!(is_valid_uid(&generate_uid()));
    }

    #[test]
    fn id_schemes_round_trip() {
        for text in ["UID", "CODE", "NAME", "ATTRIBUTE:FuMctq4PQpf"] {
            assert_eq!(IdScheme::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(IdScheme::parse("code").unwrap(), IdScheme::Code);
        assert!(IdScheme::parse("ATTRIBUTE:").is_err());
        assert!(IdScheme::parse("SHORTNAME").is_err());
        assert!(IdScheme::parse("FOO:FuMctq4PQpf").is_err());
    }
}
