//! JSON between Rust and Python: `serde_json` values as plain Python objects
//! (dict, list, str, int, float, bool, None) and back.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use crate::errors::InvalidInput;

/// `value` as Python objects; object keys keep their order.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)
            } else {
                n.as_f64().into_bound_py_any(py)
            }
        }
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(members) => {
            let dict = PyDict::new(py);
            for (key, member) in members {
                dict.set_item(key, to_py(py, member)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// `value` as Python objects, or `None`.
pub fn option_to_py<'py>(py: Python<'py>, value: Option<&Value>) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Some(value) => to_py(py, value),
        None => Ok(py.None().into_bound(py)),
    }
}

/// A dict (or JSON text) as a `serde_json` value; `TypeError` starting with
/// `takes` for anything else, `InvalidInput` for text that is not JSON.
pub fn from_py(py: Python<'_>, value: &Bound<'_, PyAny>, takes: &str) -> PyResult<Value> {
    let text = crate::json_text(py, value, takes)?;
    py.detach(|| serde_json::from_str(&text))
        .map_err(|e| InvalidInput::err(py, format!("not JSON: {e}")))
}
