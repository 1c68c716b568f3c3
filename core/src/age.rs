//! NHWA age bands.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The NHWA age groups, in completed years at the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    /// Under 25.
    #[serde(rename = "<25")]
    Under25,
    /// 25 to 34.
    #[serde(rename = "25-34")]
    From25To34,
    /// 35 to 44.
    #[serde(rename = "35-44")]
    From35To44,
    /// 45 to 54.
    #[serde(rename = "45-54")]
    From45To54,
    /// 55 to 64.
    #[serde(rename = "55-64")]
    From55To64,
    /// 65 and over.
    #[serde(rename = "65+")]
    From65,
}

impl AgeBand {
    /// All bands, youngest first.
    pub const ALL: [Self; 6] = [
        Self::Under25,
        Self::From25To34,
        Self::From35To44,
        Self::From45To54,
        Self::From55To64,
        Self::From65,
    ];

    /// The band of an age in completed years.
    ///
    /// ```
    /// use hrh_core::AgeBand;
    /// assert_eq!(AgeBand::of_age(24), AgeBand::Under25);
    /// assert_eq!(AgeBand::of_age(25), AgeBand::From25To34);
    /// assert_eq!(AgeBand::of_age(65), AgeBand::From65);
    /// ```
    pub fn of_age(years: u32) -> Self {
        match years {
            0..=24 => Self::Under25,
            25..=34 => Self::From25To34,
            35..=44 => Self::From35To44,
            45..=54 => Self::From45To54,
            55..=64 => Self::From55To64,
            _ => Self::From65,
        }
    }

    /// The label used in mappings: `<25`, `25-34`, ..., `65+`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Under25 => "<25",
            Self::From25To34 => "25-34",
            Self::From35To44 => "35-44",
            Self::From45To54 => "45-54",
            Self::From55To64 => "55-64",
            Self::From65 => "65+",
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges() {
        let edges = [
            (0, "<25"),
            (24, "<25"),
            (25, "25-34"),
            (34, "25-34"),
            (35, "35-44"),
            (44, "35-44"),
            (45, "45-54"),
            (54, "45-54"),
            (55, "55-64"),
            (64, "55-64"),
            (65, "65+"),
            (120, "65+"),
        ];
        for (age, label) in edges {
            assert_eq!(AgeBand::of_age(age).label(), label, "{age}");
        }
    }
}
