//! Employers and other organisations (FHIR `Organization`).

use serde::{Deserialize, Serialize};

use crate::coding::{Coding, Identifier};
use crate::country::Country;

/// Who owns a health facility or employer, as NHWA reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    /// Government.
    Public,
    /// Private, not for profit (faith-based, NGO).
    PrivateNotForProfit,
    /// Private, for profit.
    PrivateForProfit,
}

/// An organisation: employer, training institution, or administrative unit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Organization {
    /// The record id (`Organization.id`).
    pub id: String,
    /// Identifiers.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// `Organization.active`; `None` when not stated.
    #[serde(default)]
    pub active: Option<bool>,
    /// Type codings as the source wrote them.
    #[serde(default)]
    pub types: Vec<Coding>,
    /// Ownership, when the source states it or a mapping table derives it.
    #[serde(default)]
    pub ownership: Option<Ownership>,
    /// The parent organisation's record id.
    #[serde(default)]
    pub part_of: Option<String>,
    /// The country of its address (used as the country of training of the qualifications it issues).
    #[serde(default)]
    pub country: Option<Country>,
}
