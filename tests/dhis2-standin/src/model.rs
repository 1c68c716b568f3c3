//! The metadata the stand-in serves: data elements, category combos and their
//! option combos, org units and data sets; built in (NHWA Module 1 and a small
//! Uzbekistan hierarchy) or read from a DHIS2 metadata export.

use std::collections::BTreeMap;

use hrh_core::aggregate::Mapping;
use serde_json::{Value, json};

/// A data element.
#[derive(Debug, Clone)]
pub struct DataElement {
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub value_type: String,
    pub category_combo: String,
}

/// A category combo and its option combos.
#[derive(Debug, Clone)]
pub struct CategoryCombo {
    pub id: String,
    pub name: String,
}

/// A category option combo.
#[derive(Debug, Clone)]
pub struct Coc {
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub category_combo: String,
}

/// An organisation unit.
#[derive(Debug, Clone)]
pub struct OrgUnit {
    pub id: String,
    pub code: Option<String>,
    pub name: String,
    pub parent: Option<String>,
    /// `/root/…/id`, computed from the parents.
    pub path: String,
    /// 1 for a root.
    pub level: usize,
}

/// A data set.
#[derive(Debug, Clone)]
pub struct DataSet {
    pub id: String,
    pub name: String,
    pub period_type: String,
    pub data_elements: Vec<String>,
    pub org_units: Vec<String>,
}

/// All metadata.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub data_elements: Vec<DataElement>,
    pub category_combos: Vec<CategoryCombo>,
    pub cocs: Vec<Coc>,
    pub org_units: Vec<OrgUnit>,
    pub data_sets: Vec<DataSet>,
}

/// The root of the built-in hierarchy.
pub const ROOT: &str = "UZdemoRoot1";

/// The built-in hierarchy: (id, code, name, parent).
const ORG_UNITS: [(&str, &str, &str, Option<&str>); 13] = [
    (ROOT, "UZ", "Uzbekistan (demo)", None),
    ("UZregTashk1", "UZ-TK", "Tashkent Region", Some(ROOT)),
    ("UZregSamar1", "UZ-SA", "Samarkand Region", Some(ROOT)),
    ("UZregFergn1", "UZ-FA", "Fergana Region", Some(ROOT)),
    (
        "UZfacTsh001",
        "UZ-TK-001",
        "Tashkent City Hospital No. 1",
        Some("UZregTashk1"),
    ),
    (
        "UZfacTsh002",
        "UZ-TK-002",
        "Tashkent Polyclinic No. 5",
        Some("UZregTashk1"),
    ),
    (
        "UZfacTsh003",
        "UZ-TK-003",
        "Chirchiq Family Clinic",
        Some("UZregTashk1"),
    ),
    (
        "UZfacSmq001",
        "UZ-SA-001",
        "Samarkand Regional Hospital",
        Some("UZregSamar1"),
    ),
    (
        "UZfacSmq002",
        "UZ-SA-002",
        "Urgut District Polyclinic",
        Some("UZregSamar1"),
    ),
    (
        "UZfacSmq003",
        "UZ-SA-003",
        "Kattakurgan Rural Health Post",
        Some("UZregSamar1"),
    ),
    (
        "UZfacFrg001",
        "UZ-FA-001",
        "Fergana Regional Hospital",
        Some("UZregFergn1"),
    ),
    (
        "UZfacFrg002",
        "UZ-FA-002",
        "Kokand City Polyclinic",
        Some("UZregFergn1"),
    ),
    (
        "UZfacFrg003",
        "UZ-FA-003",
        "Margilan Family Clinic",
        Some("UZregFergn1"),
    ),
];

impl Metadata {
    /// NHWA Module 1 from the shipped `nhwa-module1` mapping, and the demo hierarchy.
    pub fn builtin() -> Result<Self, String> {
        let mapping = Mapping::builtin("nhwa-module1").map_err(|e| e.to_string())?;
        let mut meta = Self::default();
        for target in &mapping.targets {
            let combo_id = format!("CCstandin{:02}", target.breakdown as usize);
            if !meta.category_combos.iter().any(|c| c.id == combo_id) {
                meta.category_combos.push(CategoryCombo {
                    id: combo_id.clone(),
                    name: format!("NHWA {}", target.breakdown.name()),
                });
            }
            for (category, coc) in &target.combos {
                if !meta.cocs.iter().any(|c| &c.id == coc) {
                    meta.cocs.push(Coc {
                        id: coc.clone(),
                        code: None,
                        name: category.key(),
                        category_combo: combo_id.clone(),
                    });
                }
            }
            if !meta
                .data_elements
                .iter()
                .any(|d| d.id == target.data_element)
            {
                meta.data_elements.push(DataElement {
                    id: target.data_element.clone(),
                    code: None,
                    name: target
                        .name
                        .clone()
                        .unwrap_or_else(|| target.data_element.clone()),
                    value_type: "INTEGER_ZERO_OR_POSITIVE".to_owned(),
                    category_combo: combo_id,
                });
            }
        }
        let units = ORG_UNITS.iter().map(|(id, code, name, parent)| OrgUnit {
            id: (*id).to_owned(),
            code: Some((*code).to_owned()),
            name: (*name).to_owned(),
            parent: parent.map(str::to_owned),
            path: String::new(),
            level: 0,
        });
        meta.org_units = with_paths(units.collect());
        meta.data_sets.push(DataSet {
            id: mapping
                .data_set
                .clone()
                .unwrap_or_else(|| "FuMctq4PQpf".to_owned()),
            name: "NHWA Module 1 (stand-in)".to_owned(),
            period_type: "Yearly".to_owned(),
            data_elements: meta.data_elements.iter().map(|d| d.id.clone()).collect(),
            org_units: meta.org_units.iter().map(|o| o.id.clone()).collect(),
        });
        Ok(meta)
    }

    /// Reads a DHIS2 metadata export (`dataElements`, `categoryCombos`,
    /// `categoryOptionCombos`, `organisationUnits`, `dataSets`; other keys ignored).
    pub fn from_export(doc: &Value) -> Result<Self, String> {
        let list = |key: &str| {
            doc.get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let id_of = |v: &Value, key: &str| v.get(key).and_then(|r| text(r, "id"));
        let required =
            |v: &Value, what: &str| text(v, "id").ok_or_else(|| format!("a {what} without an id"));
        let mut meta = Self::default();
        for combo in list("categoryCombos") {
            meta.category_combos.push(CategoryCombo {
                id: required(&combo, "category combo")?,
                name: text(&combo, "name").unwrap_or_default(),
            });
        }
        for coc in list("categoryOptionCombos") {
            meta.cocs.push(Coc {
                id: required(&coc, "category option combo")?,
                code: text(&coc, "code"),
                name: text(&coc, "name").unwrap_or_default(),
                category_combo: id_of(&coc, "categoryCombo").unwrap_or_default(),
            });
        }
        for de in list("dataElements") {
            meta.data_elements.push(DataElement {
                id: required(&de, "data element")?,
                code: text(&de, "code"),
                name: text(&de, "name").unwrap_or_default(),
                value_type: text(&de, "valueType").unwrap_or_else(|| "NUMBER".to_owned()),
                category_combo: id_of(&de, "categoryCombo").unwrap_or_default(),
            });
        }
        let mut units = Vec::new();
        for ou in list("organisationUnits") {
            units.push(OrgUnit {
                id: required(&ou, "organisation unit")?,
                code: text(&ou, "code"),
                name: text(&ou, "name").unwrap_or_default(),
                parent: id_of(&ou, "parent"),
                path: String::new(),
                level: 0,
            });
        }
        meta.org_units = with_paths(units);
        for ds in list("dataSets") {
            let refs = |key: &str, inner: Option<&str>| -> Vec<String> {
                ds.get(key)
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|item| match inner {
                                Some(inner) => id_of(item, inner),
                                None => text(item, "id"),
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            meta.data_sets.push(DataSet {
                id: required(&ds, "data set")?,
                name: text(&ds, "name").unwrap_or_default(),
                period_type: text(&ds, "periodType").unwrap_or_else(|| "Yearly".to_owned()),
                data_elements: refs("dataSetElements", Some("dataElement")),
                org_units: refs("organisationUnits", None),
            });
        }
        Ok(meta)
    }

    /// The data element with this id.
    pub fn data_element(&self, id: &str) -> Option<&DataElement> {
        self.data_elements.iter().find(|d| d.id == id)
    }

    /// The org unit with this id.
    pub fn org_unit(&self, id: &str) -> Option<&OrgUnit> {
        self.org_units.iter().find(|o| o.id == id)
    }

    /// The option combos of a category combo.
    pub fn combo_cocs(&self, combo: &str) -> Vec<&Coc> {
        self.cocs
            .iter()
            .filter(|c| c.category_combo == combo)
            .collect()
    }

    /// A category combo as JSON, with its option combos.
    fn combo_json(&self, id: &str) -> Value {
        let name = self
            .category_combos
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone());
        let cocs: Vec<Value> = self
            .combo_cocs(id)
            .into_iter()
            .map(Self::coc_json)
            .collect();
        json!({"id": id, "name": name, "categoryOptionCombos": cocs})
    }

    /// A data element as JSON (what `/api/dataElements` holds).
    pub fn data_element_json(&self, de: &DataElement) -> Value {
        json!({
            "id": de.id, "code": de.code, "name": de.name, "shortName": de.name,
            "displayName": de.name, "valueType": de.value_type,
            "aggregationType": "SUM", "domainType": "AGGREGATE", "zeroIsSignificant": false,
            "categoryCombo": self.combo_json(&de.category_combo),
        })
    }

    /// An option combo as JSON.
    pub fn coc_json(coc: &Coc) -> Value {
        json!({
            "id": coc.id, "code": coc.code, "name": coc.name, "displayName": coc.name,
            "aggregationType": "SUM",
            "categoryCombo": {"id": coc.category_combo},
        })
    }

    /// An org unit as JSON.
    pub fn org_unit_json(&self, ou: &OrgUnit) -> Value {
        let parent = ou
            .parent
            .as_ref()
            .map(|p| json!({"id": p, "name": self.org_unit(p).map(|u| u.name.clone())}));
        let children: Vec<Value> = self
            .org_units
            .iter()
            .filter(|c| c.parent.as_deref() == Some(ou.id.as_str()))
            .map(|c| json!({"id": c.id}))
            .collect();
        json!({
            "id": ou.id, "code": ou.code, "name": ou.name, "shortName": ou.name,
            "displayName": ou.name, "level": ou.level, "path": ou.path,
            "parent": parent, "children": children, "openingDate": "1991-09-01T00:00:00.000",
            "aggregationType": "SUM",
        })
    }

    /// A data set as JSON, with its elements and their combos expanded.
    pub fn data_set_json(&self, ds: &DataSet) -> Value {
        let elements: Vec<Value> = ds
            .data_elements
            .iter()
            .filter_map(|id| self.data_element(id))
            .map(|de| json!({"dataElement": self.data_element_json(de), "dataSet": {"id": ds.id}}))
            .collect();
        let units: Vec<Value> = ds.org_units.iter().map(|id| json!({"id": id})).collect();
        json!({
            "id": ds.id, "name": ds.name, "shortName": ds.name, "displayName": ds.name,
            "periodType": ds.period_type, "dataSetElements": elements, "organisationUnits": units,
            "openPeriodsAfterCoEndDate": 0, "aggregationType": "SUM", "formType": "DEFAULT",
            "timelyDays": 15.0, "openFuturePeriods": 0, "expiryDays": 0.0, "version": 1,
        })
    }
}

/// Fills in `path` and `level` from the parent links (a unit whose parent is
/// unknown is a root; cycles stop at 64 levels).
fn with_paths(mut units: Vec<OrgUnit>) -> Vec<OrgUnit> {
    let parents: BTreeMap<String, Option<String>> = units
        .iter()
        .map(|u| (u.id.clone(), u.parent.clone()))
        .collect();
    for unit in &mut units {
        let mut chain = vec![unit.id.clone()];
        let mut current = unit.parent.clone();
        while let Some(parent) = current {
            if chain.len() > 64 || !parents.contains_key(&parent) {
                break;
            }
            current = parents.get(&parent).cloned().flatten();
            chain.push(parent);
        }
        chain.reverse();
        unit.level = chain.len();
        unit.path = format!("/{}", chain.join("/"));
    }
    units
}
