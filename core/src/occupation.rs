//! Occupations as ISCO-08 codes: major (1 digit), sub-major (2), minor (3) and unit (4) groups.
//!
//! ```
//! use hrh_core::occupation::{IscoCode, IscoLevel};
//! let gp: IscoCode = "2211".parse()?;
//! assert_eq!(gp.level(), IscoLevel::UnitGroup);
//! assert_eq!(gp.title(), "Generalist medical practitioners");
//! assert_eq!(gp.parent().map(|p| p.to_string()).as_deref(), Some("221"));
//! assert!(gp.is_within("22".parse()?));
//! # Ok::<(), hrh_core::CoreError>(())
//! ```

use std::fmt;
use std::num::NonZeroU8;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

mod isco08;

/// The four levels of the ISCO-08 hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IscoLevel {
    /// One digit, e.g. `2` Professionals.
    MajorGroup,
    /// Two digits, e.g. `22` Health professionals.
    SubMajorGroup,
    /// Three digits, e.g. `221` Medical doctors.
    MinorGroup,
    /// Four digits, e.g. `2211` Generalist medical practitioners.
    UnitGroup,
}

/// An ISCO-08 group at any level, checked against the ISCO-08 structure.
///
/// Stored in four bytes, with room for a `Result<IscoCode, _>` of a small error in the
/// same four (the digit count is never zero); prints with its leading zeros (`0110`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IscoCode {
    /// The code read as a number (`0110` is 110).
    value: u16,
    /// How many digits it has (1 to 4).
    digits: NonZeroU8,
}

impl IscoCode {
    /// Reads a 1- to 4-digit ISCO-08 code and checks it exists in ISCO-08.
    pub fn parse(code: &str) -> Result<Self> {
        let invalid = |reason| CoreError::InvalidIsco {
            input: code.to_owned(),
            reason,
        };
        let text = code.trim();
        if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("expected 1 to 4 digits"));
        }
        let value: u16 = text
            .parse()
            .map_err(|_| invalid("expected 1 to 4 digits"))?;
        let digits = u8::try_from(text.len())
            .ok()
            .and_then(NonZeroU8::new)
            .ok_or_else(|| invalid("expected 1 to 4 digits"))?;
        let isco = Self { value, digits };
        if !isco08::exists(value, digits.get()) {
            return Err(invalid("not an ISCO-08 group"));
        }
        Ok(isco)
    }

    /// The code as one number, distinct for every code (`digits` above the value).
    pub(crate) fn packed(self) -> u32 {
        u32::from(self.value) | u32::from(self.digits.get()) << 16
    }

    /// The level of the group, from its number of digits.
    pub fn level(self) -> IscoLevel {
        match self.digits.get() {
            1 => IscoLevel::MajorGroup,
            2 => IscoLevel::SubMajorGroup,
            3 => IscoLevel::MinorGroup,
            _ => IscoLevel::UnitGroup,
        }
    }

    /// The group one level up (`2211` → `221`), or `None` for a major group.
    pub fn parent(self) -> Option<Self> {
        let digits = NonZeroU8::new(self.digits.get() - 1)?;
        Some(Self {
            value: self.value / 10,
            digits,
        })
    }

    /// Whether this group is `group` or lies below it (`2211` is within `22`).
    pub fn is_within(self, group: Self) -> bool {
        let mut current = Some(self);
        while let Some(code) = current {
            if code == group {
                return true;
            }
            if code.digits <= group.digits {
                return false;
            }
            current = code.parent();
        }
        false
    }

    /// The ISCO-08 English title of the group.
    pub fn title(self) -> &'static str {
        isco08::title(&self.to_string()).unwrap_or("")
    }

    /// Every ISCO-08 group, in code order.
    pub fn all() -> impl Iterator<Item = IscoCode> {
        isco08::ALL
            .iter()
            .filter_map(|(code, _)| Self::parse(code).ok())
    }
}

impl fmt::Display for IscoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:0width$}",
            self.value,
            width = usize::from(self.digits.get())
        )
    }
}

impl fmt::Debug for IscoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IscoCode({self})")
    }
}

impl FromStr for IscoCode {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for IscoCode {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IscoCode {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
