//! DHIS2 data value sets: the [`DataValue`] and [`DataValueSet`] types, their
//! formats ([`json`], [`csv`], [`xml`], [`adx`]), telling them apart by content
//! ([`detect`]) and conversions to and from
//! [`hrh_core::AggregateValue`].
//!
//! Values are kept as DHIS2 sends them (`value` is text; `period` is a DHIS2
//! period id). Fields a payload may leave to the set's top-level defaults
//! (`period`, `orgUnit`, `attributeOptionCombo`) are optional on the value;
//! [`DataValueSet::resolved_values`] applies the defaults.

pub mod adx;
pub mod csv;
pub mod detect;
pub mod json;
pub mod xml;

use hrh_core::aggregate::AggregateResult;
use hrh_core::{AggregateValue, Number, Period};
use serde::{Deserialize, Serialize};

use crate::error::{Dhis2Error, Result};
use crate::uid::IdScheme;

/// One (category, option) pair of an ADX disaggregation, e.g. `("SEX", "F")`.
///
/// ADX names the category and option by code; turning a list of them into a
/// category option combo needs the DHIS2 metadata (category combos and their
/// option combos), which this module does not have.
pub type CategoryOption = (String, String);

/// The parameter names of the id schemes a data value set can name, in DHIS2's order
/// (see [`DataValueSet::id_schemes`]).
pub const ID_SCHEME_PARAMETERS: [&str; 4] = [
    "idScheme",
    "dataElementIdScheme",
    "orgUnitIdScheme",
    "categoryOptionComboIdScheme",
];

/// One DHIS2 data value, as in `dataValues[]` of a data value set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataValue {
    /// The data element (UID, or code/name under another id scheme). Required by DHIS2:
    /// every reader refuses a value without one ([`Dhis2Error::MissingField`]).
    #[serde(default)]
    pub data_element: String,
    /// The DHIS2 period id (`2024`, `202401`); `None` takes the set's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The organisation unit; `None` takes the set's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit: Option<String>,
    /// The category option combo; `None` means the default combo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_option_combo: Option<String>,
    /// The attribute option combo; `None` takes the set's default, else the default combo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_option_combo: Option<String>,
    /// The value as text; JSON numbers and booleans are read into their text form.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "json::lenient_text"
    )]
    pub value: Option<String>,
    /// Who stored the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_by: Option<String>,
    /// When the value was created (DHIS2 timestamp text, kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the value was last updated (DHIS2 timestamp text; older payloads call it `timestamp`).
    #[serde(default, alias = "timestamp", skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Whether the value is marked for follow-up.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "json::lenient_bool"
    )]
    pub followup: Option<bool>,
    /// Whether the value is (soft-)deleted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "json::lenient_bool"
    )]
    pub deleted: Option<bool>,
    /// ADX only: the value's disaggregation as (category, option) codes instead of a COC.
    /// Not part of the JSON, CSV or DXF2 XML formats.
    #[serde(skip)]
    pub categories: Vec<CategoryOption>,
    /// ADX only: the group's attribute disaggregation as (category, option) codes
    /// instead of an attribute option combo. Not part of the other formats.
    #[serde(skip)]
    pub attribute_categories: Vec<CategoryOption>,
}

/// A DHIS2 data value set: optional top-level defaults and the data values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSet {
    /// The data set the values belong to (optional; DHIS2 infers it otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set: Option<String>,
    /// The date the data set was completed; also read from the real-world key `completedDate`.
    #[serde(
        default,
        alias = "completedDate",
        skip_serializing_if = "Option::is_none"
    )]
    pub complete_date: Option<String>,
    /// Default period id for values that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Default organisation unit for values that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit: Option<String>,
    /// Default attribute option combo for values that have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_option_combo: Option<String>,
    /// `idScheme`: how every identifier is to be read unless overridden below
    /// (`None`: DHIS2's default, UID). Sent as the import's parameter on push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_scheme: Option<IdScheme>,
    /// `dataElementIdScheme`: how data elements are named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_element_id_scheme: Option<IdScheme>,
    /// `orgUnitIdScheme`: how org units are named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit_id_scheme: Option<IdScheme>,
    /// `categoryOptionComboIdScheme`: how category option combos are named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_option_combo_id_scheme: Option<IdScheme>,
    /// The data values, in payload order (import summaries refer to them by this index).
    #[serde(default)]
    pub data_values: Vec<DataValue>,
}

impl DataValue {
    /// A value for `data_element` with the given text value and all else unset.
    pub fn new(data_element: &str, value: &str) -> Self {
        Self {
            data_element: data_element.to_owned(),
            value: Some(value.to_owned()),
            ..Self::default()
        }
    }

    /// Converts to an [`AggregateValue`]; `index` is the value's position, used in errors.
    ///
    /// Fails when `dataElement`, `period` or `orgUnit` is missing, the period is
    /// not a DHIS2 period id, the value is missing or not numeric, or ADX
    /// categories have not been resolved into the combo they stand for (a
    /// missing combo would otherwise silently mean the default combo).
    pub fn to_aggregate(&self, index: usize) -> Result<AggregateValue> {
        let required = |field: Option<&String>, name| match field {
            Some(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            _ => Err(Dhis2Error::MissingField { index, field: name }),
        };
        if self.data_element.trim().is_empty() {
            return Err(Dhis2Error::MissingField {
                index,
                field: "dataElement",
            });
        }
        if self.category_option_combo.is_none() && !self.categories.is_empty() {
            return Err(Dhis2Error::UnresolvedCategories {
                index,
                field: "categoryOptionCombo",
                categories: self.categories.clone(),
            });
        }
        if self.attribute_option_combo.is_none() && !self.attribute_categories.is_empty() {
            return Err(Dhis2Error::UnresolvedCategories {
                index,
                field: "attributeOptionCombo",
                categories: self.attribute_categories.clone(),
            });
        }
        let period_id = required(self.period.as_ref(), "period")?;
        let period = Period::parse(&period_id).map_err(|source| Dhis2Error::Period {
            index: Some(index),
            source,
        })?;
        let org_unit = required(self.org_unit.as_ref(), "orgUnit")?;
        let text = required(self.value.as_ref(), "value")?;
        let value = Number::parse(&text).ok_or_else(|| Dhis2Error::InvalidField {
            index,
            field: "value",
            value: text.clone(),
            reason: "not a finite number",
        })?;
        Ok(AggregateValue {
            data_element: self.data_element.clone(),
            category_option_combo: self.category_option_combo.clone(),
            attribute_option_combo: self.attribute_option_combo.clone(),
            org_unit,
            period,
            value,
            comment: self.comment.clone(),
        })
    }

    /// This value with the set's defaults filled in where the value has none.
    fn with_defaults(&self, set: &DataValueSet) -> Self {
        let mut value = self.clone();
        if value.period.is_none() {
            value.period.clone_from(&set.period);
        }
        if value.org_unit.is_none() {
            value.org_unit.clone_from(&set.org_unit);
        }
        if value.attribute_option_combo.is_none() {
            value
                .attribute_option_combo
                .clone_from(&set.attribute_option_combo);
        }
        value
    }
}

impl From<&AggregateValue> for DataValue {
    fn from(aggregate: &AggregateValue) -> Self {
        Self {
            data_element: aggregate.data_element.clone(),
            period: Some(aggregate.period.to_string()),
            org_unit: Some(aggregate.org_unit.clone()),
            category_option_combo: aggregate.category_option_combo.clone(),
            attribute_option_combo: aggregate.attribute_option_combo.clone(),
            value: Some(aggregate.value.to_string()),
            comment: aggregate.comment.clone(),
            ..Self::default()
        }
    }
}

impl DataValueSet {
    /// A set holding these values and no defaults.
    pub fn new(data_values: Vec<DataValue>) -> Self {
        Self {
            data_values,
            ..Self::default()
        }
    }

    /// A set holding one data value per aggregate, in order.
    pub fn from_aggregates<'a>(aggregates: impl IntoIterator<Item = &'a AggregateValue>) -> Self {
        Self::new(aggregates.into_iter().map(DataValue::from).collect())
    }

    /// The set DHIS2 takes for the figures of an aggregation: one data value per
    /// figure (in order) and the mapping's data set, if it names one.
    ///
    /// Withheld (suppressed) values are left out.
    pub fn from_result(result: &AggregateResult) -> Self {
        let mut set = Self::from_aggregates(&result.values);
        set.data_set.clone_from(&result.data_set);
        set
    }

    /// The id schemes the set names, as (parameter name, scheme) in DHIS2's order:
    /// `idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`.
    pub fn id_schemes(&self) -> [(&'static str, Option<&IdScheme>); 4] {
        [
            ("idScheme", self.id_scheme.as_ref()),
            ("dataElementIdScheme", self.data_element_id_scheme.as_ref()),
            ("orgUnitIdScheme", self.org_unit_id_scheme.as_ref()),
            (
                "categoryOptionComboIdScheme",
                self.category_option_combo_id_scheme.as_ref(),
            ),
        ]
    }

    /// Sets the id scheme named by its parameter name (see [`DataValueSet::id_schemes`]);
    /// returns `false` for a name that is not one of them.
    pub fn set_id_scheme(&mut self, name: &str, scheme: IdScheme) -> bool {
        let slot = match name {
            "idScheme" => &mut self.id_scheme,
            "dataElementIdScheme" => &mut self.data_element_id_scheme,
            "orgUnitIdScheme" => &mut self.org_unit_id_scheme,
            "categoryOptionComboIdScheme" => &mut self.category_option_combo_id_scheme,
            _ => return false,
        };
        *slot = Some(scheme);
        true
    }

    /// Whether every identifier is a UID (no id scheme, or only `UID`): what a pre-flight
    /// check, which compares UIDs, can check.
    pub fn names_uids(&self) -> bool {
        self.id_schemes()
            .iter()
            .all(|(_, scheme)| scheme.is_none_or(|s| *s == IdScheme::Uid))
    }

    /// The values with the top-level `period`, `orgUnit` and `attributeOptionCombo`
    /// applied where a value has none, in payload order.
    pub fn resolved_values(&self) -> impl Iterator<Item = DataValue> + '_ {
        self.data_values.iter().map(|v| v.with_defaults(self))
    }

    /// Checks what every reader requires: each value names a data element.
    pub(crate) fn check_required(self) -> Result<Self> {
        match self
            .data_values
            .iter()
            .position(|v| v.data_element.trim().is_empty())
        {
            Some(index) => Err(Dhis2Error::MissingField {
                index,
                field: "dataElement",
            }),
            None => Ok(self),
        }
    }

    /// Converts every value (defaults applied) to an [`AggregateValue`]; the first
    /// failure is returned with the value's index.
    pub fn to_aggregates(&self) -> Result<Vec<AggregateValue>> {
        self.resolved_values()
            .enumerate()
            .map(|(index, value)| value.to_aggregate(index))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_round_trip_through_data_values() {
        let aggregate = AggregateValue::new(
            "GFfMM55sVzg",
            "F3kCvhpDnMM",
            "Uzbek0000001",
            Period::parse("2024").unwrap(),
            Number::Decimal(12.5),
        );
        let set = DataValueSet::from_aggregates([&aggregate]);
        assert_eq!(set.data_values[0].value.as_deref(), Some("12.5"));
        assert_eq!(set.data_values[0].period.as_deref(), Some("2024"));
        assert_eq!(set.to_aggregates().unwrap(), vec![aggregate]);
    }

    #[test]
    fn a_result_gives_its_values_and_data_set() {
        use hrh_core::aggregate::{Aggregation, Mapping, Options};
        use hrh_core::synthetic::{Config, SyntheticRegistry};
        let registry = SyntheticRegistry::new(Config {
            workers: 50,
            ..Config::default()
        })
        .to_registry();
        let mapping = Mapping::builtin("nhwa-module1").unwrap();
        let options = Options {
            period: Period::parse("2024").unwrap(),
            home: hrh_core::Country::parse("UZ").unwrap(),
            org_unit: Some("Uzbek0000001".into()),
            suppress_below: None,
        };
        let result = Aggregation::new(&mapping, &options).unwrap().run(&registry);
        let set = DataValueSet::from_result(&result);
        assert_eq!(set.data_set, result.data_set);
        assert!(set.data_set.is_some());
        assert_eq!(set.data_values.len(), result.values.len());
        let expected: Vec<DataValue> = result.values.iter().map(DataValue::from).collect();
        assert_eq!(set.data_values, expected);
    }

    #[test]
    fn defaults_apply_and_errors_name_index_and_field() {
        let mut set = DataValueSet::new(vec![
            DataValue::new("GFfMM55sVzg", "3"),
            DataValue::new("GFfMM55sVzg", "three"),
        ]);
        set.period = Some("202401".into());
        set.org_unit = Some("Uzbek0000001".into());
        let first = set.resolved_values().next().unwrap();
        assert_eq!(first.period.as_deref(), Some("202401"));
        match set.to_aggregates() {
            Err(Dhis2Error::InvalidField {
                index: 1,
                field: "value",
                value,
                ..
            }) => assert_eq!(value, "three"),
            other => panic!("expected an invalid value error, got {other:?}"),
        }
        set.data_values[1].value = Some("4".into());
        set.data_values[1].categories = vec![("SEX".into(), "F".into())];
        assert!(matches!(
            set.to_aggregates(),
            Err(Dhis2Error::UnresolvedCategories {
                index: 1,
                field: "categoryOptionCombo",
                ..
            })
        ));
        set.data_values[1].category_option_combo = Some("F3kCvhpDnMM".into());
        assert_eq!(set.to_aggregates().unwrap().len(), 2);
        set.period = None;
        assert!(matches!(
            set.to_aggregates(),
            Err(Dhis2Error::MissingField {
                index: 0,
                field: "period"
            })
        ));
        set.period = Some("2024X".into());
        assert!(matches!(
            set.to_aggregates(),
            Err(Dhis2Error::Period { index: Some(0), .. })
        ));
    }
}
