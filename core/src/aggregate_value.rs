//! The hub type: one aggregate figure, written by the DHIS2 side as a data value
//! and by the FHIR side as a MeasureReport stratum.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::period::Period;

/// A numeric aggregate: a count, or a decimal such as an FTE sum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    /// A whole number (headcounts, entries, exits).
    Count(u64),
    /// A decimal (FTE sums), printed as the shortest text that reads back the same.
    Decimal(f64),
}

impl Number {
    /// Reads a DHIS2 value: an integer becomes `Count`, anything else numeric `Decimal`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(count) = text.parse::<u64>() {
            return Some(Self::Count(count));
        }
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Self::Decimal)
    }

    /// The value as `f64`.
    #[allow(clippy::cast_precision_loss)] // counts above 2^53 workers do not occur
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Count(n) => n as f64,
            Self::Decimal(v) => v,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(n) => write!(f, "{n}"),
            // The shortest text that reads back as the same number: 12.5, 3, 0.00001.
            Self::Decimal(v) if *v == 0.0 => f.write_str("0"),
            Self::Decimal(v) => write!(f, "{v}"),
        }
    }
}

/// One aggregate figure for DHIS2 or a MeasureReport.
///
/// ```
/// use hrh_core::{AggregateValue, Number, Period};
/// let v = AggregateValue::new("GFfMM55sVzg", "F3kCvhpDnMM", "Uzbek0000001", "2024".parse()?, Number::Count(1234));
/// assert_eq!(v.value.to_string(), "1234");
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateValue {
    /// The data element (a UID or, under another id scheme, a code).
    pub data_element: String,
    /// The category option combo; `None` means the default combo.
    pub category_option_combo: Option<String>,
    /// The attribute option combo; `None` means the default combo.
    pub attribute_option_combo: Option<String>,
    /// The organisation unit.
    pub org_unit: String,
    /// The period.
    pub period: Period,
    /// The figure.
    pub value: Number,
    /// An optional comment.
    pub comment: Option<String>,
}

impl AggregateValue {
    /// A value with the given category option combo and no attribute option combo or comment.
    pub fn new(
        data_element: &str,
        category_option_combo: &str,
        org_unit: &str,
        period: Period,
        value: Number,
    ) -> Self {
        Self {
            data_element: data_element.to_owned(),
            category_option_combo: Some(category_option_combo.to_owned()),
            attribute_option_combo: None,
            org_unit: org_unit.to_owned(),
            period,
            value,
            comment: None,
        }
    }

    /// The key DHIS2 stores the value under: data element, period, org unit, both combos.
    pub fn key(&self) -> (&str, Period, &str, Option<&str>, Option<&str>) {
        (
            &self.data_element,
            self.period,
            &self.org_unit,
            self.category_option_combo.as_deref(),
            self.attribute_option_combo.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_dhis2_expects() {
        assert_eq!(Number::Count(0).to_string(), "0");
        assert_eq!(Number::Decimal(12.5).to_string(), "12.5");
        assert_eq!(Number::Decimal(3.0).to_string(), "3");
        assert_eq!(Number::Decimal(0.3).to_string(), "0.3");
        assert_eq!(Number::Decimal(-0.0).to_string(), "0");
        assert_eq!(Number::Decimal(0.000_01).to_string(), "0.00001");
        for text in ["0.00001", "12.25", "1e-7", "123456.789"] {
            let n = Number::parse(text).unwrap();
            assert_eq!(Number::parse(&n.to_string()), Some(n), "{text} reads back");
        }
        assert_eq!(Number::parse("42"), Some(Number::Count(42)));
        assert_eq!(Number::parse("4.5"), Some(Number::Decimal(4.5)));
        assert_eq!(Number::parse("NaN"), None);
        assert_eq!(Number::parse("abc"), None);
    }
}
