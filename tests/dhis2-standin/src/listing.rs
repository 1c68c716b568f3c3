//! Metadata lists as DHIS2 serves them: `fields=` projection, `filter=`,
//! `rootJunction`, and paging (`page`, `pageSize`, `paging=false`, `pager`).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

/// One requested field, with its sub-fields (`parent[id,name]`).
#[derive(Debug, Clone)]
struct Field {
    name: String,
    children: Option<Vec<Field>>,
}

/// Parses a `fields=` expression.
fn parse_fields(spec: &str) -> Vec<Field> {
    let mut fields = Vec::new();
    for item in split_top(spec) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (name, children) = match item.find(['[', '(']) {
            Some(open) => {
                let inner = item
                    .get(open + 1..item.len().saturating_sub(1))
                    .unwrap_or("");
                (item.get(..open).unwrap_or(item), Some(parse_fields(inner)))
            }
            None => (item, None),
        };
        let name = name.split("::").next().unwrap_or(name);
        let name = name.split('~').next().unwrap_or(name);
        fields.push(Field {
            name: name.to_owned(),
            children,
        });
    }
    fields
}

/// Splits on commas outside brackets.
fn split_top(spec: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0_i32, 0);
    for (i, c) in spec.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(spec.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(spec.get(start..).unwrap_or(""));
    parts
}

/// A reference as DHIS2 shows it when no sub-fields are asked: `{"id": …}`.
fn shallow(value: &Value) -> Value {
    match value {
        Value::Object(map) => match map.get("id") {
            Some(id) => json!({ "id": id }),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(shallow).collect()),
        other => other.clone(),
    }
}

fn project_with(value: &Value, fields: &[Field]) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| project_with(v, fields)).collect())
        }
        Value::Object(map) => {
            let all = fields
                .iter()
                .any(|f| f.name == "*" || f.name.starts_with(':'));
            let mut out = Map::new();
            if all {
                for (key, v) in map {
                    out.insert(key.clone(), shallow(v));
                }
            }
            for field in fields {
                if let Some(excluded) = field.name.strip_prefix('!') {
                    out.remove(excluded);
                    continue;
                }
                if let Some(v) = map.get(&field.name) {
                    let shown = match &field.children {
                        Some(children) => project_with(v, children),
                        None => shallow(v),
                    };
                    out.insert(field.name.clone(), shown);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Applies a `fields=` expression to an object (or a list of them).
pub fn project(value: &Value, spec: &str) -> Value {
    project_with(value, &parse_fields(spec))
}

/// Removes `null` members everywhere (DHIS2 omits absent fields).
pub fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// The texts at a dotted path (arrays along the way fan out).
fn values_at<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|item| values_at(item, path, out)),
        (_, None) => out.push(value),
        (Value::Object(map), Some((key, rest))) => {
            if let Some(next) = map.get(*key) {
                values_at(next, rest, out);
            }
        }
        _ => {}
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn compare(left: &str, right: &str) -> std::cmp::Ordering {
    match (left.parse::<f64>(), right.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.total_cmp(&b),
        _ => left.cmp(right),
    }
}

/// Whether an object passes one `prop:op[:value]` filter; `Err` for an unknown operator.
fn passes(object: &Value, filter: &str) -> Result<bool, String> {
    let mut parts = filter.splitn(3, ':');
    let (property, op) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let operand = parts.next().unwrap_or("");
    let path: Vec<&str> = property.split('.').collect();
    let mut found = Vec::new();
    values_at(object, &path, &mut found);
    let texts: Vec<String> = found
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| text(v))
        .collect();
    let list: Vec<&str> = operand
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(str::trim)
        .collect();
    let lower = operand.to_lowercase();
    let any = |test: &dyn Fn(&str) -> bool| texts.iter().any(|t| test(t));
    Ok(match op {
        "eq" => any(&|t| t == operand),
        "!eq" | "ne" | "neq" => !any(&|t| t == operand),
        "ieq" => any(&|t| t.to_lowercase() == lower),
        "like" => any(&|t| t.contains(operand)),
        "!like" => !any(&|t| t.contains(operand)),
        "ilike" | "token" => any(&|t| t.to_lowercase().contains(&lower)),
        "!ilike" => !any(&|t| t.to_lowercase().contains(&lower)),
        "$like" => any(&|t| t.starts_with(operand)),
        "$ilike" => any(&|t| t.to_lowercase().starts_with(&lower)),
        "like$" => any(&|t| t.ends_with(operand)),
        "ilike$" => any(&|t| t.to_lowercase().ends_with(&lower)),
        "in" => any(&|t| list.contains(&t)),
        "!in" => !any(&|t| list.contains(&t)),
        "gt" => any(&|t| compare(t, operand).is_gt()),
        "ge" => any(&|t| compare(t, operand).is_ge()),
        "lt" => any(&|t| compare(t, operand).is_lt()),
        "le" => any(&|t| compare(t, operand).is_le()),
        "null" => texts.is_empty(),
        "!null" => !texts.is_empty(),
        "empty" => found
            .iter()
            .all(|v| v.as_array().is_some_and(Vec::is_empty)),
        "!empty" => found
            .iter()
            .any(|v| v.as_array().is_some_and(|a| !a.is_empty())),
        other => {
            return Err(format!(
                "Operator `{other}` is not supported in filter `{filter}`"
            ));
        }
    })
}

/// Values of a repeatable query parameter.
pub fn params<'a>(query: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The last value of a query parameter.
pub fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params(query, name).last().copied()
}

/// Percent-encodes a query component.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// A list answer `{pager?, <key>: [...]}` for `objects`, or an error message for a bad filter.
pub fn list(
    key: &str,
    objects: Vec<Value>,
    query: &[(String, String)],
    self_url: &str,
) -> Result<Value, String> {
    let filters = params(query, "filter");
    let or = param(query, "rootJunction").is_some_and(|j| j.eq_ignore_ascii_case("OR"));
    let mut kept = Vec::new();
    for object in objects {
        let mut results = Vec::with_capacity(filters.len());
        for filter in &filters {
            results.push(passes(&object, filter)?);
        }
        let keep = if or {
            results.is_empty() || results.iter().any(|r| *r)
        } else {
            results.iter().all(|r| *r)
        };
        if keep {
            kept.push(object);
        }
    }
    let spec = param(query, "fields").unwrap_or("id,displayName");
    let fields = parse_fields(spec);
    if param(query, "paging") == Some("false") {
        let items: Vec<Value> = kept.iter().map(|o| project_with(o, &fields)).collect();
        return Ok(json!({ key: items }));
    }
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let size = param(query, "pageSize")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(50)
        .max(1);
    let total = kept.len();
    let page_count = total.div_ceil(size).max(1);
    let items: Vec<Value> = kept
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|o| project_with(o, &fields))
        .collect();
    let link = |to: usize| {
        let mut parts: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        parts.push(format!("page={to}"));
        format!("{self_url}?{}", parts.join("&"))
    };
    let mut pager = Map::new();
    pager.insert("page".into(), json!(page));
    pager.insert("pageCount".into(), json!(page_count));
    pager.insert("total".into(), json!(total));
    pager.insert("pageSize".into(), json!(size));
    if page < page_count {
        pager.insert("nextPage".into(), Value::String(link(page + 1)));
    }
    if page > 1 {
        pager.insert("prevPage".into(), Value::String(link(page - 1)));
    }
    Ok(json!({ "pager": pager, key: items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn fields_filters_and_pages() {
        let objects: Vec<Value> = (1..=5)
            .map(|i| json!({"id": format!("ou{i}"), "level": i, "parent": {"id": "p", "name": "P"}, "x": null}))
            .collect();
        let answer = list(
            "units",
            objects.clone(),
            &q(&[
                ("fields", "id,parent[name]"),
                ("filter", "level:ge:2"),
                ("pageSize", "2"),
            ]),
            "http://h/api/units",
        )
        .unwrap();
        assert_eq!(answer["pager"]["total"], 4);
        assert_eq!(answer["pager"]["pageCount"], 2);
        assert!(
            answer["pager"]["nextPage"]
                .as_str()
                .unwrap()
                .ends_with("page=2")
        );
        assert_eq!(
            answer["units"][0],
            json!({"id": "ou2", "parent": {"name": "P"}})
        );
        let all = list(
            "units",
            objects.clone(),
            &q(&[
                ("paging", "false"),
                ("fields", "parent"),
                ("filter", "id:in:[ou1,ou3]"),
            ]),
            "",
        )
        .unwrap();
        assert_eq!(
            all["units"],
            json!([{"parent": {"id": "p"}}, {"parent": {"id": "p"}}])
        );
        assert!(all.get("pager").is_none());
        assert!(list("units", objects, &q(&[("filter", "id:zz:1")]), "").is_err());
        assert_eq!(
            strip_nulls(json!({"a": null, "b": [{"c": null}]})),
            json!({"b": [{}]})
        );
    }
}
