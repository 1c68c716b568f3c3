//! ISO 3166-1 countries, backed by the `celes` crate's maintained table.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// An ISO 3166-1 country, stored as its numeric code (two bytes, cheap to copy).
///
/// Reads alpha-2 (`UZ`), alpha-3 (`UZB`) and numeric (`860`) codes, in any case;
/// prints and serialises as alpha-2.
///
/// ```
/// use hrh_core::Country;
/// let uz: Country = "uzb".parse()?;
/// assert_eq!(uz.alpha2(), "UZ");
/// assert_eq!(uz, "860".parse()?);
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u16);

impl Country {
    /// Uzbekistan (`UZ`, 860): the default home country of the synthetic registry and examples.
    pub const UZBEKISTAN: Country = Country(860);

    /// Reads an alpha-2, alpha-3 or three-digit numeric code.
    pub fn parse(code: &str) -> Result<Self> {
        let code = code.trim();
        if let Some(numeric) = alpha2_index(code).and_then(|i| alpha2_table().get(i)) {
            return match *numeric {
                0 => Err(CoreError::UnknownCountry(code.to_owned())),
                n => Ok(Self(n)),
            };
        }
        let found = match code.len() {
            2 => celes::Country::from_alpha2(code),
            3 if code.bytes().all(|b| b.is_ascii_digit()) => celes::Country::from_code(code),
            3 => celes::Country::from_alpha3(code),
            _ => return Err(CoreError::UnknownCountry(code.to_owned())),
        };
        found
            .ok()
            .and_then(|c| u16::try_from(c.value).ok())
            .map(Self)
            .ok_or_else(|| CoreError::UnknownCountry(code.to_owned()))
    }

    fn entry(self) -> Option<celes::Country> {
        celes::Country::from_value(usize::from(self.0)).ok()
    }

    /// The ISO 3166-1 numeric code.
    pub fn numeric(self) -> u16 {
        self.0
    }

    /// The alpha-2 code, e.g. `"UZ"`.
    pub fn alpha2(self) -> &'static str {
        self.entry().map_or("", |c| c.alpha2)
    }

    /// The alpha-3 code, e.g. `"UZB"`.
    pub fn alpha3(self) -> &'static str {
        self.entry().map_or("", |c| c.alpha3)
    }

    /// The official English name.
    pub fn name(self) -> &'static str {
        self.entry().map_or("", |c| c.long_name)
    }

    /// Every ISO 3166-1 country.
    pub fn all() -> impl Iterator<Item = Country> {
        celes::Country::get_countries()
            .into_iter()
            .filter_map(|c| u16::try_from(c.value).ok().map(Self))
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.alpha2())
    }
}

/// The place of a two-letter code (any case) in [`alpha2_table`].
fn alpha2_index(code: &str) -> Option<usize> {
    let &[a, b] = code.as_bytes() else {
        return None;
    };
    let letter = |c: u8| {
        c.is_ascii_alphabetic()
            .then(|| usize::from(c.to_ascii_uppercase() - b'A'))
    };
    Some(letter(a)? * 26 + letter(b)?)
}

/// Numeric codes by alpha-2 code (`AA` to `ZZ`; 0 for none), made once from celes's
/// table: an alpha-2 code is read once or twice per record.
fn alpha2_table() -> &'static [u16; 26 * 26] {
    static TABLE: OnceLock<[u16; 26 * 26]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0; 26 * 26];
        for country in celes::Country::get_countries() {
            if let (Some(slot), Ok(numeric)) = (
                alpha2_index(country.alpha2).and_then(|i| table.get_mut(i)),
                u16::try_from(country.value),
            ) {
                *slot = numeric;
            }
        }
        table
    })
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha2())
    }
}

impl FromStr for Country {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha2())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_every_form() {
        let uz = Country::parse("UZ").unwrap();
        assert_eq!(uz.alpha3(), "UZB");
        assert_eq!(uz.numeric(), 860);
        assert_eq!(Country::parse("uz").unwrap(), uz);
        assert_eq!(Country::parse("860").unwrap(), uz);
        assert_eq!(Country::parse("UZB").unwrap(), uz);
        assert_eq!(Country::parse("004").unwrap().alpha2(), "AF");
        for bad in ["", "U", "XX", "XXX", "999", "Uzbekistan", "8", "ÜZ"] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
        assert!(Country::all().count() >= 249);
        // The fast alpha-2 table answers as celes does, for every pair of letters.
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                let celes = celes::Country::from_alpha2(&code)
                    .ok()
                    .map(|c| u16::try_from(c.value).unwrap());
                assert_eq!(
                    Country::parse(&code).ok().map(Country::numeric),
                    celes,
                    "{code}"
                );
            }
        }
        assert_eq!(serde_json::to_string(&uz).unwrap(), "\"UZ\"");
    }
}
