//! `GET /api/organisationUnits` (and other metadata lists): `fields`, `filter`, paging.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Dhis2Client;
use super::http::Call;
use crate::error::{Dhis2Error, Result};

/// A reference to another object: `{"id": …}`, maybe with a name or code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IdRef {
    /// The UID.
    pub id: String,
    /// The name, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The code, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An organisation unit, with the fields of the hierarchy; any other field asked
/// for is kept in `other`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OrganisationUnit {
    /// The UID.
    pub id: String,
    /// The code.
    pub code: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// The short name.
    pub short_name: Option<String>,
    /// The level: 1 for the root.
    pub level: Option<u32>,
    /// `/rootUid/…/ownUid`.
    pub path: Option<String>,
    /// The parent (absent for a root).
    pub parent: Option<IdRef>,
    /// The opening date.
    pub opening_date: Option<String>,
    /// The closing date, for closed units.
    pub closed_date: Option<String>,
    /// Other fields asked for with `fields=`.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl OrganisationUnit {
    /// The UIDs of the ancestors, root first, read from `path`.
    pub fn ancestors(&self) -> Vec<&str> {
        self.path
            .as_deref()
            .unwrap_or_default()
            .split('/')
            .filter(|part| !part.is_empty() && *part != self.id)
            .collect()
    }
}

/// How a list is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `paging=false`: everything in one answer.
    Off,
    /// Page by page (`page`, `pageSize`), following the `pager` until no `nextPage`.
    Pages {
        /// Items per page.
        page_size: u32,
    },
}

/// DHIS2's `pager` object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Pager {
    /// This page (1-based).
    pub page: u32,
    /// Number of pages.
    pub page_count: u32,
    /// Number of items in all.
    pub total: u64,
    /// Items per page.
    pub page_size: u32,
    /// The next page's URL; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page: Option<String>,
    /// The previous page's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev_page: Option<String>,
}

/// A listing of organisation units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnitQuery {
    /// `fields=` (default: the fields of [`OrganisationUnit`]).
    pub fields: String,
    /// `filter=` expressions, e.g. `level:eq:2` (all must hold unless `root_junction_or`).
    pub filters: Vec<String>,
    /// `rootJunction=OR`.
    pub root_junction_or: bool,
    /// Paging; `None` pages with the client's page size.
    pub paging: Option<Paging>,
}

impl Default for OrgUnitQuery {
    fn default() -> Self {
        Self {
            fields: "id,code,name,shortName,level,path,parent[id],openingDate,closedDate"
                .to_owned(),
            filters: Vec::new(),
            root_junction_or: false,
            paging: None,
        }
    }
}

impl OrgUnitQuery {
    /// The default fields with one filter.
    pub fn filtered(filter: impl Into<String>) -> Self {
        Self {
            filters: vec![filter.into()],
            ..Self::default()
        }
    }
}

impl Dhis2Client {
    /// Lists organisation units, page by page (or with `paging=false`).
    pub async fn organisation_units(&self, query: &OrgUnitQuery) -> Result<Vec<OrganisationUnit>> {
        let paging = query.paging.unwrap_or(Paging::Pages {
            page_size: self.settings.page_size,
        });
        let mut params = vec![("fields", query.fields.clone())];
        params.extend(query.filters.iter().map(|f| ("filter", f.clone())));
        if query.root_junction_or {
            params.push(("rootJunction", "OR".to_owned()));
        }
        self.list("api/organisationUnits", "organisationUnits", params, paging)
            .await
    }

    /// Lists the objects under `key` of a metadata endpoint, following the pager.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        params: Vec<(&'static str, String)>,
        paging: Paging,
    ) -> Result<Vec<T>> {
        let page_size = match paging {
            Paging::Off => {
                let mut query = params;
                query.push(("paging", "false".to_owned()));
                let answer: serde_json::Value = self.json(Call::get(path, query)).await?;
                return items(&answer, key).map(|(items, _)| items);
            }
            Paging::Pages { page_size } => page_size.max(1),
        };
        let mut all = Vec::new();
        let mut page = 1_u32;
        loop {
            let mut query = params.clone();
            query.push(("page", page.to_string()));
            query.push(("pageSize", page_size.to_string()));
            let answer: serde_json::Value = self.json(Call::get(path, query)).await?;
            let (mut batch, pager) = items::<T>(&answer, key)?;
            let empty = batch.is_empty();
            all.append(&mut batch);
            match pager {
                Some(pager) if pager.next_page.is_some() && page < pager.page_count && !empty => {
                    page += 1;
                }
                _ => return Ok(all),
            }
        }
    }
}

/// The objects under `key` and the pager of one list answer.
pub(crate) fn items<T: DeserializeOwned>(
    answer: &serde_json::Value,
    key: &str,
) -> Result<(Vec<T>, Option<Pager>)> {
    let Some(list) = answer.get(key) else {
        return Err(Dhis2Error::UnexpectedDocument {
            expected: "a metadata list",
            found: format!("no {key:?} key"),
        });
    };
    let items = serde_json::from_value(list.clone()).map_err(Dhis2Error::json)?;
    let pager = match answer.get("pager") {
        Some(pager) => Some(serde_json::from_value(pager.clone()).map_err(Dhis2Error::json)?),
        None => None,
    };
    Ok((items, pager))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_answers_and_paths() {
        let answer = serde_json::json!({
            "pager": {"page": 1, "pageCount": 2, "total": 3, "pageSize": 2, "nextPage": "http://x/api/organisationUnits?page=2"},
            "organisationUnits": [{"id": "UZdemoRoot1", "level": 1, "path": "/UZdemoRoot1"},
                                  {"id": "UZregTashk1", "path": "/UZdemoRoot1/UZregTashk1", "parent": {"id": "UZdemoRoot1"}, "geometry": null}]
        });
        let (units, pager) = items::<OrganisationUnit>(&answer, "organisationUnits").unwrap();
        assert_eq!(pager.unwrap().page_count, 2);
        assert_eq!(units[1].ancestors(), vec!["UZdemoRoot1"]);
        assert!(units[1].other.contains_key("geometry"));
        assert!(items::<OrganisationUnit>(&answer, "dataElements").is_err());
        let bad = serde_json::json!({"organisationUnits": [{"level": "x"}]});
        assert!(items::<OrganisationUnit>(&bad, "organisationUnits").is_err());
    }
}
