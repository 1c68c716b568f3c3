//! Where org units are: points (facility positions, mCSD `Location.position`) and
//! boundaries (`GeoJSON` polygons), by DHIS2 org unit id or code.

use std::collections::BTreeMap;

use hrh_core::{Facility, GeoPoint};
use serde_json::Value;

use crate::error::{ReportError, Result};

/// One org unit's name and geometry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Place {
    /// A readable name, when known.
    pub name: Option<String>,
    /// A point (facility position, or a centroid given by the source).
    pub point: Option<GeoPoint>,
    /// Boundary rings (outer rings of polygons), as (longitude, latitude) pairs.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// Org units' names and geometry, by org unit id (DHIS2 UID or code).
///
/// ```
/// use hrh_report::Places;
/// let geojson = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"OU1",
///   "properties":{"name":"North"},"geometry":{"type":"Point","coordinates":[64.5,41.2]}}]}"#;
/// let places = Places::from_geojson(geojson, "regions.geojson")?;
/// assert_eq!(places.get("OU1").and_then(|p| p.name.as_deref()), Some("North"));
/// # Ok::<(), hrh_report::ReportError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    by_org_unit: BTreeMap<String, Place>,
}

impl Places {
    /// No places.
    pub fn new() -> Self {
        Self::default()
    }

    /// The place of an org unit.
    pub fn get(&self, org_unit: &str) -> Option<&Place> {
        self.by_org_unit.get(org_unit)
    }

    /// Whether any place has a point or a boundary.
    pub fn has_geometry(&self) -> bool {
        self.by_org_unit
            .values()
            .any(|p| p.point.is_some() || !p.rings.is_empty())
    }

    /// How many org units are known.
    pub fn len(&self) -> usize {
        self.by_org_unit.len()
    }

    /// Whether no org unit is known.
    pub fn is_empty(&self) -> bool {
        self.by_org_unit.is_empty()
    }

    /// Adds (or completes) the place of an org unit: a name or geometry already known is kept.
    pub fn insert(&mut self, org_unit: &str, place: Place) {
        let known = self.by_org_unit.entry(org_unit.to_owned()).or_default();
        if known.name.is_none() {
            known.name = place.name;
        }
        if known.point.is_none() {
            known.point = place.point;
        }
        if known.rings.is_empty() {
            known.rings = place.rings;
        }
    }

    /// Adds every facility that names its DHIS2 org unit (its own reference, else a DHIS2
    /// UID or code identifier), with its name and position.
    pub fn add_facilities<'a>(&mut self, facilities: impl IntoIterator<Item = &'a Facility>) {
        for facility in facilities {
            if let Some(org_unit) = facility.dhis2_org_unit() {
                self.insert(
                    org_unit,
                    Place {
                        name: facility.name.clone(),
                        point: facility.position,
                        rings: Vec::new(),
                    },
                );
            }
        }
    }

    /// Reads a `GeoJSON` `FeatureCollection` (or one `Feature`): each feature's org unit is
    /// its `id`, else its `properties` `id`, `uid`, `code` or `orgUnit`; its name the
    /// `name` property; `Point`, `Polygon` and `MultiPolygon` geometries are kept.
    /// `source` names the file in errors.
    pub fn from_geojson(text: &str, source: &str) -> Result<Self> {
        let invalid = |line: u64, field: String, reason: String| ReportError::InvalidGeometry {
            file: source.to_owned(),
            line,
            field,
            reason,
        };
        let root: Value = serde_json::from_str(text).map_err(|e| {
            invalid(
                e.line() as u64,
                "(document)".to_owned(),
                format!("not JSON: {e}"),
            )
        })?;
        let features: Vec<&Value> = match root.get("type").and_then(Value::as_str) {
            Some("FeatureCollection") => root
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| invalid(0, "features".to_owned(), "not an array".to_owned()))?
                .iter()
                .collect(),
            Some("Feature") => vec![&root],
            other => {
                return Err(invalid(
                    0,
                    "type".to_owned(),
                    format!("expected FeatureCollection or Feature, found {other:?}"),
                ));
            }
        };
        let mut places = Self::new();
        for (i, feature) in features.into_iter().enumerate() {
            let field = |name: &str| format!("features[{i}].{name}");
            let properties = feature.get("properties");
            let text_of = |v: &Value| match v {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            let org_unit = feature.get("id").and_then(text_of).or_else(|| {
                ["id", "uid", "code", "orgUnit", "org_unit"]
                    .iter()
                    .find_map(|k| properties.and_then(|p| p.get(*k)).and_then(text_of))
            });
            let Some(org_unit) = org_unit else {
                return Err(invalid(
                    line_of(text, i),
                    field("id"),
                    "no org unit id (feature id or properties id, uid, code or orgUnit)".to_owned(),
                ));
            };
            let name = properties
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let mut place = Place {
                name,
                ..Place::default()
            };
            if let Some(geometry) = feature.get("geometry").filter(|g| !g.is_null()) {
                read_geometry(geometry, &mut place)
                    .map_err(|reason| invalid(line_of(text, i), field("geometry"), reason))?;
            }
            places.insert(&org_unit, place);
        }
        Ok(places)
    }
}

/// The line of the `index`-th feature in `text` (where its `"type":"Feature"` is), for messages.
fn line_of(text: &str, index: usize) -> u64 {
    let mut seen = 0;
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("\"Feature\"")) {
        let at = from + at;
        // Skip "FeatureCollection" (it does not match the closing quote) and count features.
        if seen == index {
            let lines = text.get(..at).map_or(0, |t| t.matches('\n').count());
            return lines as u64 + 1;
        }
        seen += 1;
        from = at + 1;
    }
    0
}

fn read_geometry(geometry: &Value, place: &mut Place) -> std::result::Result<(), String> {
    let kind = geometry.get("type").and_then(Value::as_str);
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| "no coordinates".to_owned())?;
    match kind {
        Some("Point") => {
            let (longitude, latitude) = position(coordinates)?;
            place.point = Some(GeoPoint {
                latitude,
                longitude,
            });
        }
        Some("Polygon") => place.rings.push(ring(coordinates)?),
        Some("MultiPolygon") => {
            for polygon in coordinates
                .as_array()
                .ok_or_else(|| "MultiPolygon coordinates are not an array".to_owned())?
            {
                place.rings.push(ring(polygon)?);
            }
        }
        other => return Err(format!("unsupported geometry type {other:?}")),
    }
    Ok(())
}

/// The outer ring of a polygon's coordinates.
fn ring(polygon: &Value) -> std::result::Result<Vec<(f64, f64)>, String> {
    let outer = polygon
        .as_array()
        .and_then(|rings| rings.first())
        .and_then(Value::as_array)
        .ok_or_else(|| "polygon coordinates are not an array of rings".to_owned())?;
    if outer.len() < 3 {
        return Err(format!(
            "a polygon ring needs at least 3 positions, found {}",
            outer.len()
        ));
    }
    outer.iter().map(position).collect()
}

/// A `GeoJSON` position: `[longitude, latitude]` within range.
fn position(value: &Value) -> std::result::Result<(f64, f64), String> {
    let pair = value
        .as_array()
        .filter(|a| a.len() >= 2)
        .ok_or_else(|| format!("position {value} is not [longitude, latitude]"))?;
    let number = |i: usize| pair.get(i).and_then(Value::as_f64);
    match (number(0), number(1)) {
        (Some(lon), Some(lat))
            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
        {
            Ok((lon, lat))
        }
        _ => Err(format!(
            "position {value} is not a longitude in -180..180 and a latitude in -90..90"
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hrh_core::OrgUnitRef;

    #[test]
    fn reads_points_polygons_and_ids_from_properties() {
        let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"R1","name":"North"},"geometry":{"type":"Polygon","coordinates":[[[60,40],[61,40],[61,41],[60,40]]]}},
{"type":"Feature","id":"R2","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[62,40],[63,40],[63,41],[62,40]]],[[[64,40],[65,40],[65,41],[64,40]]]]}},
{"type":"Feature","id":7,"properties":null,"geometry":{"type":"Point","coordinates":[66.5,39.5]}}
]}"#;
        let places = Places::from_geojson(text, "r.geojson").unwrap();
        assert_eq!(places.len(), 3);
        assert_eq!(places.get("R1").unwrap().name.as_deref(), Some("North"));
        assert_eq!(places.get("R1").unwrap().rings[0].len(), 4);
        assert_eq!(places.get("R2").unwrap().rings.len(), 2);
        assert!((places.get("7").unwrap().point.unwrap().latitude - 39.5).abs() < 1e-9);
        assert!(places.has_geometry());
    }

    #[test]
    fn names_file_line_and_field_of_bad_geometry() {
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"id\":\"A\",\"geometry\":null},\n{\"type\":\"Feature\",\"id\":\"B\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[500,1]}}\n]}";
        let error = Places::from_geojson(text, "bad.geojson").unwrap_err();
        assert_eq!(
            error.to_string(),
            "org-unit file bad.geojson, line 3, features[1].geometry: position [500,1] is not a longitude in -180..180 and a latitude in -90..90"
        );
        let broken = Places::from_geojson("{\"type\":\n", "x.geojson").unwrap_err();
        assert!(
            broken
                .to_string()
                .starts_with("org-unit file x.geojson, line 2, (document): not JSON"),
            "{broken}"
        );
        let no_id = Places::from_geojson(
            r#"{"type":"Feature","properties":{},"geometry":null}"#,
            "y.geojson",
        )
        .unwrap_err();
        assert!(
            no_id.to_string().contains("features[0].id: no org unit id"),
            "{no_id}"
        );
        let wrong = Places::from_geojson(r#"{"type":"Topology"}"#, "z.json").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("line 0, type: expected FeatureCollection")
        );
    }

    #[test]
    fn facilities_give_their_org_unit_position_and_name() {
        let facility = Facility {
            id: "loc-1".into(),
            name: Some("Facility 1".into()),
            position: Some(GeoPoint {
                latitude: 41.0,
                longitude: 64.0,
            }),
            org_unit: Some(OrgUnitRef::Uid("OU1".into())),
            ..Facility::default()
        };
        let mut places = Places::new();
        places.add_facilities([&facility]);
        assert_eq!(places.get("OU1").unwrap().point, facility.position);
        assert!(places.get("loc-1").is_none());
    }
}
