//! [`OperationOutcome`]: the issues a FHIR server reports with an error (or a batch entry).

use serde::{Deserialize, Serialize};

/// A FHIR OperationOutcome, reduced to its issues.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OperationOutcome {
    /// The issues (`OperationOutcome.issue`).
    #[serde(default, rename = "issue")]
    pub issues: Vec<Issue>,
}

/// One `OperationOutcome.issue`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Issue {
    /// `fatal`, `error`, `warning` or `information`.
    #[serde(default)]
    pub severity: String,
    /// The issue type code (`invalid`, `structure`, `conflict`, `not-found`, ...).
    #[serde(default)]
    pub code: String,
    /// Free-text details from the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<String>,
    /// `FHIRPath` expressions of the elements concerned (e.g. `Practitioner.gender`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
    /// `details.text`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<IssueDetails>,
}

/// `OperationOutcome.issue.details` (only its text is kept).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IssueDetails {
    /// `details.text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl OperationOutcome {
    /// Parses an OperationOutcome from a JSON value; `None` when it is something else.
    ///
    /// ```
    /// use hrh_fhir::client::OperationOutcome;
    /// let v = serde_json::json!({"resourceType": "OperationOutcome", "issue": [
    ///     {"severity": "error", "code": "structure", "diagnostics": "bad gender",
    ///      "expression": ["Practitioner.gender"]}]});
    /// let o = OperationOutcome::from_value(&v).unwrap();
    /// assert_eq!(o.issues[0].expression, ["Practitioner.gender"]);
    /// assert_eq!(o.to_string(), "error structure: bad gender (Practitioner.gender)");
    /// ```
    pub fn from_value(value: &serde_json::Value) -> Option<Self> {
        if value.get("resourceType")?.as_str()? != "OperationOutcome" {
            return None;
        }
        Self::deserialize(value).ok()
    }

    /// Parses an OperationOutcome from a response body; `None` when it is something else.
    pub fn from_slice(body: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        Self::from_value(&value)
    }

    /// The most severe issue's severity (`fatal` > `error` > `warning` > `information`).
    pub fn worst_severity(&self) -> Option<&str> {
        let rank = |s: &str| match s {
            "fatal" => 3,
            "error" => 2,
            "warning" => 1,
            _ => 0,
        };
        self.issues
            .iter()
            .map(|i| i.severity.as_str())
            .max_by_key(|s| rank(s))
    }
}

impl std::fmt::Display for OperationOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, issue) in self.issues.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}", issue.severity, issue.code)?;
            let text = issue
                .diagnostics
                .as_deref()
                .or_else(|| issue.details.as_ref().and_then(|d| d.text.as_deref()));
            if let Some(text) = text {
                write!(f, ": {text}")?;
            }
            if !issue.expression.is_empty() {
                write!(f, " ({})", issue.expression.join(", "))?;
            }
        }
        Ok(())
    }
}
