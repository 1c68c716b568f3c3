//! The NHWA aggregation engine: from individual workforce records to the
//! aggregate figures a country reports.
//!
//! # Semantics (defaults)
//! - **Reference date** = the last day of the reporting period.
//! - **Stock**: a worker is in the stock when the practitioner is not inactive
//!   and holds an employment that is not inactive and whose period contains the
//!   reference date. A worker with several such employments is counted once, in
//!   the employment with the highest FTE, then the earliest start, then the
//!   lowest id (compared on the first 16 bytes); that employment gives the
//!   occupation, employer and facility.
//! - **Sex**: `female` / `male`; `other`, `unknown` or missing leaves the worker
//!   out of sex breakdowns only (unless the mapping gives combos for them).
//! - **Age group**: completed years at the reference date (<25, 25-34, 35-44,
//!   45-54, 55-64, 65+); a missing, invalid or too imprecise birth date leaves
//!   the worker out of age breakdowns only.
//! - **Place of training**: the country of the earliest qualification that is
//!   not a licence (its own country, else its issuer's); home = domestic,
//!   other = foreign, none = unknown. The by-country figures count foreign-trained
//!   workers by that country, `other` catching countries without their own combo.
//! - **Place of birth**: home = national born, other = foreign born, missing = left out.
//! - **Ownership** from the employer (else the facility's managing organisation)
//!   and **facility type** from the facility, through the mapping's tables (or
//!   the records' own values); missing = left out.
//! - **Activity level**: practising = in the stock; licensed = not inactive and
//!   holding a licence valid on the reference date, employed or not (occupation
//!   from the employment, else from an ISCO-08 coded qualification).
//!   "Professionally active" is not derivable from records and is refused in mappings.
//! - **Entries / exits** ([`Flows::Workforce`], the default): a worker enters when in the
//!   stock at the period's end and in no employment that began before its start, and exits
//!   when holding an employment the day before its start and none at its end (the exit
//!   reason is that employment's). [`Flows::Employment`]: employments that started / ended
//!   within the period.
//! - **Working conditions**: part-time = FTE below 1.0, else employment status `partTime`;
//!   contract type and mean weekly hours from the stock employment.
//! - **Graduate entries**: entries whose employment started on or after graduation (the
//!   training qualification's `period.end`, else its start) and at most a year after it.
//! - **Median earnings**: the median annual gross pay of the stock's employment, per figure
//!   in one currency (mixed currencies: no value, counted in the account); of an even count
//!   the mean of the two middle values.
//! - **Org unit**: one org unit (national), or each facility's DHIS2 org unit.
//! - **Suppression**: optional; values from 1 to k-1 are withheld and reported.
//! - Every combo of every target is written, zeros included, in mapping order, so
//!   a figure that falls to zero is updated in DHIS2 too.
//!
//! Every worker is accounted for: [`Account::adds_up`].

mod account;
mod engine;
mod facts;
pub mod guard;
mod mapping;
mod overview;
mod profile;

pub use account::{Account, AccountSummary, Reason};
pub use engine::{AggregateResult, Aggregation, Options, WorkerKey};
pub use facts::{EmploymentFacts, Judge, PractitionerFacts};
pub use mapping::{
    ActivityLevel, BUILTIN, Breakdown, Category, ExitKind, Flows, IdScheme, Mapping, Measure,
    Names, OrgUnitRule, Origin, Population, Target, ownership_from_key, ownership_key,
};
pub use overview::{OverviewRow, overview};
pub use profile::{Profile, ProfileCell};

#[cfg(test)]
mod tests;
