//! `GET /api/dataSets/{uid}`: a data set's data elements, option combos and org units.

use serde::{Deserialize, Serialize};

use super::Dhis2Client;
use super::http::Call;
use super::org_units::IdRef;
use crate::error::Result;
use crate::uid::validate_uid;

/// The `fields=` asked of `/api/dataSets/{uid}`.
pub(crate) const DATA_SET_FIELDS: &str = "id,name,periodType,organisationUnits[id],\
categoryCombo[id,categoryOptionCombos[id,code,name]],\
dataSetElements[categoryCombo[id,categoryOptionCombos[id,code,name]],\
dataElement[id,code,name,valueType,categoryCombo[id,categoryOptionCombos[id,code,name]]]]";

/// A category option combo.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ComboInfo {
    /// The UID.
    pub id: String,
    /// The code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A data element of a data set, with the option combos it takes there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataElementInfo {
    /// The UID.
    pub id: String,
    /// The code.
    pub code: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// The value type (`INTEGER_ZERO_OR_POSITIVE`, `NUMBER`, `TEXT`, ...).
    pub value_type: Option<String>,
    /// The UIDs of its category option combos (the data set's override, else its own).
    pub category_option_combos: Vec<String>,
}

/// What a data set accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataSetMetadata {
    /// The data set's UID.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its period type (`Yearly` for NHWA).
    pub period_type: Option<String>,
    /// Its data elements, in DHIS2's order.
    pub data_elements: Vec<DataElementInfo>,
    /// Every option combo any of its data elements takes, each once.
    pub category_option_combos: Vec<ComboInfo>,
    /// The UIDs of the org units it is assigned to.
    pub org_units: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawDataSet {
    id: String,
    name: Option<String>,
    period_type: Option<String>,
    organisation_units: Vec<IdRef>,
    data_set_elements: Vec<RawElement>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawElement {
    category_combo: Option<RawCombo>,
    data_element: RawDataElement,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawDataElement {
    id: String,
    code: Option<String>,
    name: Option<String>,
    value_type: Option<String>,
    category_combo: Option<RawCombo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawCombo {
    category_option_combos: Vec<ComboInfo>,
}

impl DataSetMetadata {
    /// Reads the answer to `/api/dataSets/{uid}?fields=…` (the fields the client asks for).
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let raw: RawDataSet =
            serde_json::from_slice(body).map_err(crate::error::Dhis2Error::json)?;
        let mut combos: Vec<ComboInfo> = Vec::new();
        let mut data_elements = Vec::with_capacity(raw.data_set_elements.len());
        for element in raw.data_set_elements {
            let de = element.data_element;
            let own = element
                .category_combo
                .filter(|c| !c.category_option_combos.is_empty())
                .or(de.category_combo)
                .unwrap_or_default();
            for combo in &own.category_option_combos {
                if !combos.iter().any(|c| c.id == combo.id) {
                    combos.push(combo.clone());
                }
            }
            data_elements.push(DataElementInfo {
                id: de.id,
                code: de.code,
                name: de.name,
                value_type: de.value_type,
                category_option_combos: own
                    .category_option_combos
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
            });
        }
        Ok(Self {
            id: raw.id,
            name: raw.name,
            period_type: raw.period_type,
            data_elements,
            category_option_combos: combos,
            org_units: raw.organisation_units.into_iter().map(|o| o.id).collect(),
        })
    }

    /// The data element with this UID.
    pub fn data_element(&self, id: &str) -> Option<&DataElementInfo> {
        self.data_elements.iter().find(|de| de.id == id)
    }
}

impl Dhis2Client {
    /// Reads a data set's data elements, their option combos and its org units.
    pub async fn data_set_metadata(&self, data_set: &str) -> Result<DataSetMetadata> {
        let uid = validate_uid(data_set)?;
        let path = format!("api/dataSets/{uid}");
        let answer = self
            .execute(Call::get(
                &path,
                vec![("fields", DATA_SET_FIELDS.to_owned())],
            ))
            .await?;
        if answer.status >= 400 {
            return Err(super::http::error_answer("GET", &path, &answer));
        }
        DataSetMetadata::from_json(&answer.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_set_answers_become_metadata() {
        let body = br#"{"id":"FuMctq4PQpf","periodType":"Yearly","organisationUnits":[{"id":"UZdemoRoot1"}],
          "dataSetElements":[
            {"dataElement":{"id":"GFfMM55sVzg","categoryCombo":{"categoryOptionCombos":[{"id":"F3kCvhpDnMM"},{"id":"sAC6z2IMFrR"}]}}},
            {"dataElement":{"id":"h6VJJu0W8U7","categoryCombo":{"categoryOptionCombos":[{"id":"Xr12mI7VPn3"}]}},
             "categoryCombo":{"categoryOptionCombos":[]}}]}"#;
        let meta = DataSetMetadata::from_json(body).unwrap();
        assert_eq!(meta.data_elements.len(), 2);
        assert_eq!(meta.category_option_combos.len(), 3);
        assert_eq!(
            meta.data_element("h6VJJu0W8U7")
                .unwrap()
                .category_option_combos,
            vec!["Xr12mI7VPn3"]
        );
        assert_eq!(meta.org_units, vec!["UZdemoRoot1"]);
        assert!(DataSetMetadata::from_json(b"1").is_err());
    }
}
