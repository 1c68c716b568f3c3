//! The aggregation: facts in, figures and the account out.

use std::sync::Arc;

use super::account::{Account, Reason};
use std::collections::HashMap;

use super::facts::{
    EmploymentFacts, Judge, KeyMap, Moves, PractitionerFacts, Summaries, id_key, pack_currency,
};
use super::mapping::{
    ActivityLevel, Breakdown, Category, ExitKind, Flows, Mapping, Measure, OrgUnitRule, Origin,
};
use super::profile::{CellKey, Profile, Tally};
use crate::aggregate_value::{AggregateValue, Number};
use crate::country::Country;
use crate::employment::Employment;
use crate::error::{CoreError, Result};
use crate::facility::Facility;
use crate::occupation::IscoCode;
use crate::organization::Organization;
use crate::period::Period;
use crate::population::PopulationTable;
use crate::practitioner::Practitioner;
use crate::sex::Sex;

/// Settings of one aggregation run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The reporting period; its last day is the reference date.
    pub period: Period,
    /// The home country (domestic training, national birth).
    pub home: Country,
    /// The org unit for national reporting (overrides the mapping's).
    pub org_unit: Option<String>,
    /// Withhold values from 1 to k-1 (small-cell suppression); `None` publishes all.
    pub suppress_below: Option<u64>,
}

/// The figures of one run and the account of every worker.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateResult {
    /// Every figure, in mapping order (org unit, then target, then combo); zeros included so
    /// that a figure that drops to zero is updated in DHIS2.
    pub values: Vec<AggregateValue>,
    /// Values withheld by suppression (not in `values`).
    pub withheld: Vec<AggregateValue>,
    /// Where every worker went.
    pub account: Account,
    /// The data set of the mapping.
    pub data_set: Option<String>,
    /// The stock by every category, when asked for with [`Aggregation::with_profile`].
    pub profile: Option<Profile>,
}

/// `judge` applied to every item, on `threads` threads (contiguous chunks), in item order.
fn judge_all<T: Sync, F: Send>(
    items: &[T],
    threads: usize,
    judge: impl Fn(&T) -> F + Sync,
) -> Vec<F> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let judge = &judge;
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(judge).collect::<Vec<F>>()))
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for part in parts {
            match part.join() {
                Ok(facts) => all.extend(facts),
                // A panic while judging is a bug; pass it on as it was.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        all
    })
}

/// Per target: where its combos live in the cell vector.
#[derive(Debug, Clone)]
struct Slots {
    /// Category index → (slot, combo); `None` for categories without a combo.
    by_category: Vec<Option<u32>>,
}

/// An aggregation in progress. Feed organisations and facilities first, then
/// employments, then practitioners (each after its own employments).
///
/// ```
/// use hrh_core::aggregate::{Aggregation, Mapping, Options};
/// use hrh_core::{Country, Registry};
/// let mapping = Mapping::builtin("nhwa-module1")?;
/// let options = Options { period: "2024".parse()?, home: Country::UZBEKISTAN, org_unit: Some("UZ000000001".into()), suppress_below: None };
/// let result = Aggregation::new(&mapping, &options)?.run(&Registry::default());
/// assert!(result.account.adds_up());
/// # Ok::<(), hrh_core::CoreError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Aggregation {
    mapping: Mapping,
    /// Shared with the parsing threads of a stream ([`Self::shared_judge`]); copied only
    /// if a record changes it while shared.
    judge: Arc<Judge>,
    national_org_unit: Option<String>,
    suppress_below: Option<u64>,
    summaries: Summaries,
    slots: Vec<Slots>,
    slot_combos: Vec<Option<String>>,
    /// Cells per org unit index (national: index 0).
    cells: Vec<Vec<f64>>,
    /// Workers added to each cell (the divisor of means), laid out as `cells`.
    weights: Vec<Vec<f64>>,
    /// (occupation, specialty bits), packed by [`match_key`] → index in `target_lists`.
    matches: KeyMap<u32>,
    /// Lists of the indexes of the targets that count an occupation and specialties.
    target_lists: Vec<Box<[u32]>>,
    account: Account,
    orphan_employments: u64,
    /// Denominators of density figures.
    population: Option<PopulationTable>,
    /// The workforce profile being counted, when asked for.
    profile: Option<Tally>,
    /// The pay of each earnings cell's workers, by (org unit index, slot); only
    /// [`Measure::MedianEarnings`] cells have one.
    earnings: HashMap<(usize, u32), Earnings>,
    /// The mapping's one currency, packed.
    currency: Option<u16>,
}

/// The annual pays of one median earnings cell: a median needs the values themselves.
#[derive(Debug, Clone, Default)]
struct Earnings {
    /// The packed currency of the first pay added.
    currency: u16,
    /// Whether a pay in another currency was added (no value is written then).
    mixed: bool,
    pays: Vec<f32>,
}

impl Earnings {
    /// The median in whole units (of an even count, the mean of the two middle values);
    /// `None` for no pays.
    fn median(&mut self) -> Option<f64> {
        self.pays.sort_unstable_by(f32::total_cmp);
        let n = self.pays.len();
        let upper = f64::from(*self.pays.get(n / 2)?);
        let median = if n.is_multiple_of(2) {
            let lower = f64::from(*self.pays.get(n / 2 - 1)?);
            f64::midpoint(lower, upper)
        } else {
            upper
        };
        Some(median.round())
    }
}

impl Aggregation {
    /// Prepares a run of `mapping` over `options.period`.
    pub fn new(mapping: &Mapping, options: &Options) -> Result<Self> {
        if let Some(expected) = mapping.period_type
            && expected != options.period.period_type()
        {
            return Err(CoreError::PeriodTypeMismatch {
                period: options.period.to_string(),
                actual: options.period.period_type().to_string(),
                expected: expected.to_string(),
                mapping: mapping.name.clone(),
            });
        }
        let national_org_unit = match &mapping.org_unit {
            OrgUnitRule::National { org_unit } => Some(
                options
                    .org_unit
                    .clone()
                    .or_else(|| org_unit.clone())
                    .ok_or(CoreError::MissingOrgUnit)?,
            ),
            OrgUnitRule::Facility { .. } => None,
        };
        let mut slots = Vec::with_capacity(mapping.targets.len());
        let mut slot_combos = Vec::new();
        for target in &mapping.targets {
            let mut by_category = vec![None; target.breakdown.domain()];
            if target.breakdown == Breakdown::None && target.combos.is_empty() {
                if let Some(first) = by_category.first_mut() {
                    *first = Some(u32::try_from(slot_combos.len()).unwrap_or(u32::MAX));
                }
                slot_combos.push(None);
            }
            for (category, combo) in &target.combos {
                if let Some(slot) = by_category.get_mut(category.index()) {
                    *slot = Some(u32::try_from(slot_combos.len()).unwrap_or(u32::MAX));
                    slot_combos.push(Some(combo.clone()));
                }
            }
            slots.push(Slots { by_category });
        }
        let judge = Judge::new(mapping, options.period, options.home);
        let account = Account::new(judge.reference_date);
        let cells = if national_org_unit.is_some() {
            vec![vec![0.0; slot_combos.len()]]
        } else {
            Vec::new()
        };
        Ok(Self {
            mapping: mapping.clone(),
            judge: Arc::new(judge),
            national_org_unit,
            suppress_below: options.suppress_below.filter(|k| *k > 1),
            summaries: Summaries::default(),
            slots,
            slot_combos,
            weights: cells.clone(),
            cells,
            matches: KeyMap::default(),
            target_lists: Vec::new(),
            account,
            orphan_employments: 0,
            population: None,
            profile: None,
            earnings: HashMap::new(),
            currency: mapping.currency.as_deref().and_then(pack_currency),
        })
    }

    /// Gives the population of each org unit and period, the denominator of
    /// [`Measure::Density`] figures (a density without one is not written, and counted in
    /// [`Account::densities_without_population`]).
    #[must_use]
    pub fn with_population(mut self, population: PopulationTable) -> Self {
        self.population = Some(population);
        self
    }

    /// Also counts the [`Profile`] of the stock (every category of every worker counted,
    /// by facility org unit whatever the mapping's org unit rule) in the same run; the
    /// mapping's figures are unchanged. Call it before adding records.
    #[must_use]
    pub fn with_profile(mut self) -> Self {
        Arc::make_mut(&mut self.judge).resolve_org_units();
        self.profile = Some(Tally::default());
        self
    }

    /// Aggregates a whole in-memory registry.
    pub fn run(self, registry: &crate::registry::Registry) -> AggregateResult {
        self.run_parallel(registry, 1)
    }

    /// [`run`](Self::run) with employments and practitioners judged on `threads` threads
    /// (at least one); the facts are then added in registry order, so the result is the same.
    pub fn run_parallel(
        mut self,
        registry: &crate::registry::Registry,
        threads: usize,
    ) -> AggregateResult {
        for org in &registry.organizations {
            self.add_organization(org);
        }
        for facility in &registry.facilities {
            self.add_facility(facility);
        }
        for service in &registry.services {
            self.add_service(service);
        }
        if threads <= 1 {
            for e in &registry.employments {
                self.add_employment(e);
            }
            for p in &registry.practitioners {
                self.add_practitioner(p);
            }
            return self.finish();
        }
        let facts = judge_all(&registry.employments, threads, |e| self.judge.employment(e));
        for (e, facts) in registry.employments.iter().zip(facts) {
            self.add_employment_facts(&e.practitioner, facts);
        }
        let facts = judge_all(&registry.practitioners, threads, |p| {
            self.judge.practitioner(p)
        });
        for (p, facts) in registry.practitioners.iter().zip(&facts) {
            self.add_practitioner_facts(&p.id, facts);
        }
        self.finish()
    }

    /// The rules that turn records into facts (usable from several threads at once).
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// The rules that turn records into facts, shared rather than copied: records added
    /// afterwards change this aggregation's rules, not the shared ones.
    pub fn shared_judge(&self) -> Arc<Judge> {
        Arc::clone(&self.judge)
    }

    /// Adds an organisation (employer or training institution).
    pub fn add_organization(&mut self, org: &Organization) {
        Arc::make_mut(&mut self.judge).add_organization(org);
    }

    /// Adds a facility.
    pub fn add_facility(&mut self, facility: &Facility) {
        Arc::make_mut(&mut self.judge).add_facility(facility);
    }

    /// Adds a health service (before the employments that point to it).
    pub fn add_service(&mut self, service: &crate::service::HealthService) {
        Arc::make_mut(&mut self.judge).add_service(service);
    }

    /// Adds an employment (before its practitioner).
    pub fn add_employment(&mut self, e: &Employment) {
        let facts = self.judge.employment(e);
        self.add_employment_facts(&e.practitioner, facts);
    }

    /// Adds the facts of an employment of the practitioner with id `practitioner`.
    pub fn add_employment_facts(&mut self, practitioner: &str, facts: EmploymentFacts) {
        self.add_keyed_employment_facts(WorkerKey::of(practitioner), facts);
    }

    /// [`add_employment_facts`](Self::add_employment_facts) with the worker's key already
    /// made (on whichever thread read the record).
    pub fn add_keyed_employment_facts(&mut self, practitioner: WorkerKey, facts: EmploymentFacts) {
        self.summaries.merge(practitioner.0, facts);
    }

    /// Adds a practitioner (after its employments): counts them, or accounts for why not.
    pub fn add_practitioner(&mut self, p: &Practitioner) {
        let facts = self.judge.practitioner(p);
        self.add_practitioner_facts(&p.id, &facts);
    }

    /// Adds the facts of the practitioner with id `id`.
    pub fn add_practitioner_facts(&mut self, id: &str, facts: &PractitionerFacts) {
        self.add_keyed_practitioner_facts(WorkerKey::of(id), facts);
    }

    /// [`add_practitioner_facts`](Self::add_practitioner_facts) with the worker's key
    /// already made.
    pub fn add_keyed_practitioner_facts(&mut self, id: WorkerKey, facts: &PractitionerFacts) {
        let (stock, moves) = self.summaries.take(id.0);
        self.count(facts, stock, &moves);
    }

    fn count(&mut self, p: &PractitionerFacts, stock: Option<EmploymentFacts>, moves: &Moves) {
        self.account.workers += 1;
        let mut tally = WorkerTally::default();
        let held_now = stock.is_some();
        let stock = stock.filter(|_| p.active);
        if !p.active {
            tally.reason(Reason::PractitionerInactive, None);
        }
        match stock {
            Some(job) => match job.occupation {
                Ok(occupation) => {
                    let targets = self.targets_for(occupation, job.specialty_bits);
                    if self.target_at(targets, 0).is_none() {
                        tally.reason(Reason::OccupationNotInMapping, Some(occupation));
                    }
                    if let Some(profile) = &mut self.profile {
                        let key = CellKey {
                            occupation,
                            targets,
                            sex: p.sex.ok(),
                            age: p.age.ok(),
                            training: p.training,
                            training_country: p.training_country,
                            birth: p.birth.ok(),
                            ownership: job.ownership().ok(),
                            facility_type: job.facility_type().ok(),
                            org_unit: job.org_unit().ok(),
                        };
                        *profile.0.entry(key).or_default() += 1;
                    }
                    self.add_all(targets, p, Some(&job), Role::Stock, &mut tally);
                }
                Err(reason) => tally.reason(reason, None),
            },
            None if p.active => tally.reason(Reason::NotEmployed, None),
            None => {}
        }
        if p.licensed {
            let bits = stock.map_or(0, |j| j.specialty_bits);
            match stock
                .and_then(|j| j.occupation.ok())
                .or(p.qualification_occupation)
            {
                Some(occupation) => {
                    let targets = self.targets_for(occupation, bits);
                    self.add_all(targets, p, stock.as_ref(), Role::Licensed, &mut tally);
                }
                None => tally.reason(Reason::NoOccupationForLicence, None),
            }
        }
        let (entry, exit) = match self.mapping.flows {
            Flows::Employment => (moves.entry, moves.exit),
            // Entered: in the stock now, in no employment before the period. Exited: held a
            // job the day before the period, none now.
            Flows::Workforce => (
                stock.filter(|_| !moves.earlier),
                moves.exit.filter(|_| !held_now),
            ),
        };
        for (job, role) in [(entry, Role::Entry), (exit, Role::Exit)] {
            if let Some(job) = job
                && let Ok(occupation) = job.occupation
            {
                let targets = self.targets_for(occupation, job.specialty_bits);
                self.add_all(targets, p, Some(&job), role, &mut tally);
            }
        }
        if tally.counted {
            self.account.counted += 1;
        } else {
            let fallback = if stock.is_some() {
                Reason::InNoFigure
            } else {
                Reason::NotEmployed
            };
            let key = tally.first_reason.unwrap_or((fallback, None));
            *self.account.not_counted.entry(key).or_default() += 1;
        }
        for (breakdown, reason) in tally.left_out {
            *self
                .account
                .left_out
                .entry((breakdown, reason))
                .or_default() += 1;
        }
    }

    /// The list (in `target_lists`) of the targets whose population counts this occupation
    /// and specialties.
    fn targets_for(&mut self, occupation: IscoCode, bits: u32) -> u32 {
        let key = match_key(occupation, bits);
        if let Some(list) = self.matches.get(&key) {
            return *list;
        }
        let found: Box<[u32]> = self
            .mapping
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                let wanted = self.judge.specialty_bit(&t.population.specialties);
                let unwanted = self.judge.specialty_bit(&t.population.not_specialties);
                t.population.covers(occupation)
                    && (t.population.specialties.is_empty() || bits & wanted != 0)
                    && (t.population.not_specialties.is_empty() || bits & unwanted == 0)
            })
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let list = u32::try_from(self.target_lists.len()).unwrap_or(u32::MAX);
        self.target_lists.push(found);
        self.matches.insert(key, list);
        list
    }

    /// The `i`-th target of a list from [`targets_for`](Self::targets_for).
    fn target_at(&self, list: u32, i: usize) -> Option<u32> {
        self.target_lists
            .get(list as usize)
            .and_then(|targets| targets.get(i))
            .copied()
    }

    /// [`add`](Self::add) for every target of a list.
    fn add_all(
        &mut self,
        list: u32,
        p: &PractitionerFacts,
        job: Option<&EmploymentFacts>,
        role: Role,
        tally: &mut WorkerTally,
    ) {
        let mut i = 0;
        while let Some(target) = self.target_at(list, i) {
            self.add(target, p, job, role, tally);
            i += 1;
        }
    }

    fn add(
        &mut self,
        target: u32,
        p: &PractitionerFacts,
        job: Option<&EmploymentFacts>,
        role: Role,
        tally: &mut WorkerTally,
    ) {
        let Some(t) = self.mapping.targets.get(target as usize) else {
            return;
        };
        let applies = match (t.measure, role) {
            (
                Measure::Headcount
                | Measure::Fte
                | Measure::PartTime
                | Measure::WeeklyHours
                | Measure::Density
                | Measure::MedianEarnings,
                Role::Stock,
            )
            | (Measure::Entries | Measure::GraduateEntries, Role::Entry)
            | (Measure::Exits, Role::Exit) => true,
            (Measure::Headcount, Role::Licensed) => t.breakdown == Breakdown::ActivityLevel,
            _ => false,
        };
        if !applies {
            return;
        }
        // Out of the figure when in another category of any `only` breakdown; left out of
        // it (with the reason) when one of them is not known.
        let mut unknown = None;
        for wanted in &t.only {
            let by = wanted.breakdown();
            match category_of(by, p, job, role, self.judge.home) {
                Ok(Some(c)) if c == *wanted => {}
                Ok(_) => return,
                Err(reason) => {
                    unknown.get_or_insert((by, reason));
                }
            }
        }
        if let Some((by, reason)) = unknown {
            tally.counted = true;
            return tally.left_out(by, reason);
        }
        tally.counted = true;
        let breakdown = t.breakdown;
        let category = match category_of(breakdown, p, job, role, self.judge.home) {
            Ok(Some(c)) => c,
            Ok(None) => return,
            Err(reason) => return tally.left_out(breakdown, reason),
        };
        let slot = self
            .slots
            .get(target as usize)
            .and_then(|s| s.by_category.get(category.index()).copied().flatten());
        let slot = match (slot, category) {
            (Some(slot), _) => slot,
            (None, Category::Country(_)) => {
                match self.slots.get(target as usize).and_then(|s| {
                    s.by_category
                        .get(Category::OtherCountry.index())
                        .copied()
                        .flatten()
                }) {
                    Some(slot) => slot,
                    None => return tally.left_out(breakdown, Reason::NoCombo),
                }
            }
            (None, Category::Sex(Sex::Other | Sex::Unknown)) => {
                return tally.left_out(breakdown, Reason::SexOtherOrUnknown);
            }
            (None, _) => return tally.left_out(breakdown, Reason::NoCombo),
        };
        let amount = match amount_of(t.measure, p, job) {
            Ok(Some(amount)) => amount,
            Ok(None) => return,
            Err(reason) => return tally.left_out(breakdown, reason),
        };
        let org_unit = if self.national_org_unit.is_some() {
            0
        } else {
            match job.map(EmploymentFacts::org_unit) {
                Some(Ok(ou)) => ou as usize,
                Some(Err(reason)) => return tally.left_out(breakdown, reason),
                None => return tally.left_out(breakdown, Reason::NoOrgUnit),
            }
        };
        if t.measure == Measure::MedianEarnings
            && let Err(reason) = self.add_pay(org_unit, slot, job)
        {
            return tally.left_out(breakdown, reason);
        }
        let width = self.slot_combos.len();
        for table in [&mut self.cells, &mut self.weights] {
            if table.len() <= org_unit {
                table.resize_with(org_unit + 1, || vec![0.0; width]);
            }
        }
        for (table, add) in [(&mut self.cells, amount), (&mut self.weights, 1.0)] {
            if let Some(cell) = table
                .get_mut(org_unit)
                .and_then(|c| c.get_mut(slot as usize))
            {
                *cell += add;
            }
        }
    }

    /// Keeps the annual pay of the job for the earnings cell (org unit index, slot), or
    /// says why it cannot count there.
    fn add_pay(
        &mut self,
        org_unit: usize,
        slot: u32,
        job: Option<&EmploymentFacts>,
    ) -> Result<(), Reason> {
        let (pay, currency) = job.ok_or(Reason::NoSalary)?.salary()?;
        if self.currency.is_some_and(|c| c != currency) {
            return Err(Reason::OtherCurrency);
        }
        let cell = self.earnings.entry((org_unit, slot)).or_default();
        if cell.pays.is_empty() {
            cell.currency = currency;
        } else if cell.currency != currency {
            cell.mixed = true;
        }
        cell.pays.push(pay);
        Ok(())
    }

    /// The median of an earnings cell; `None` (no value) for nobody paid, or for pays in
    /// several currencies (counted in the account).
    fn median(
        earnings: &mut HashMap<(usize, u32), Earnings>,
        account: &mut Account,
        cell: (usize, u32),
    ) -> Option<f64> {
        let cell = earnings.get_mut(&cell)?;
        if cell.mixed {
            account.medians_mixed_currencies += 1;
            return None;
        }
        cell.median()
    }

    /// The profile counted in the run, when asked for ([`Self::with_profile`]).
    fn take_profile(&mut self) -> Option<Profile> {
        self.profile.take().map(|tally| {
            Profile::from_tally(
                tally,
                self.judge.reference_date,
                &self.target_lists,
                &self.judge.org_units,
            )
        })
    }

    /// Ends the run: the figures in deterministic order and the account.
    pub fn finish(mut self) -> AggregateResult {
        self.orphan_employments = self.summaries.len() as u64;
        let org_units: Vec<String> = match &self.national_org_unit {
            Some(ou) => vec![ou.clone()],
            None => self.judge.org_units.clone(),
        };
        let width = self.slot_combos.len();
        for table in [&mut self.cells, &mut self.weights] {
            if table.len() < org_units.len() {
                table.resize_with(org_units.len(), || vec![0.0; width]);
            }
        }
        let mut order: Vec<usize> = (0..org_units.len()).collect();
        order.sort_by(|a, b| org_units.get(*a).cmp(&org_units.get(*b)));
        let mut values = Vec::new();
        let mut withheld = Vec::new();
        for ou in order {
            let (Some(org_unit), Some(cells), Some(weights)) =
                (org_units.get(ou), self.cells.get(ou), self.weights.get(ou))
            else {
                continue;
            };
            for (t, slots) in self.mapping.targets.iter().zip(&self.slots) {
                let mut used: Vec<u32> = slots.by_category.iter().flatten().copied().collect();
                used.sort_unstable();
                for slot in used {
                    let amount = cells.get(slot as usize).copied().unwrap_or(0.0);
                    let weight = weights.get(slot as usize).copied().unwrap_or(0.0);
                    let value = match t.measure {
                        Measure::Fte => Number::Decimal((amount * 100.0).round() / 100.0),
                        // A mean of nobody is no figure (not a zero).
                        Measure::WeeklyHours if weight == 0.0 => continue,
                        Measure::WeeklyHours => {
                            Number::Decimal((amount / weight * 10.0).round() / 10.0)
                        }
                        Measure::MedianEarnings => {
                            match Self::median(&mut self.earnings, &mut self.account, (ou, slot)) {
                                Some(median) => Number::Decimal(median),
                                None => continue,
                            }
                        }
                        Measure::Density => {
                            let population = self.population.as_ref().and_then(|table| {
                                table.get(org_unit, &self.judge.period.to_string())
                            });
                            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                            // whole, non-negative counts
                            let density = population
                                .and_then(|n| PopulationTable::density_per_10k(amount as u64, n));
                            let Some(density) = density else {
                                self.account.densities_without_population += 1;
                                continue;
                            };
                            Number::Decimal((density * 100.0).round() / 100.0)
                        }
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        // whole, non-negative counts
                        _ => Number::Count(amount as u64),
                    };
                    // A mean's or a median's small cells are its workers, not its value.
                    let amount =
                        if matches!(t.measure, Measure::WeeklyHours | Measure::MedianEarnings) {
                            weight
                        } else {
                            amount
                        };
                    let aggregate = AggregateValue {
                        data_element: t.data_element.clone(),
                        category_option_combo: self
                            .slot_combos
                            .get(slot as usize)
                            .cloned()
                            .flatten(),
                        attribute_option_combo: self.mapping.attribute_option_combo.clone(),
                        org_unit: org_unit.clone(),
                        period: self.judge.period,
                        value,
                        comment: None,
                    };
                    #[allow(clippy::cast_precision_loss)] // k is a small cell size
                    let small = self
                        .suppress_below
                        .is_some_and(|k| amount > 0.0 && amount < k as f64);
                    if small {
                        withheld.push(aggregate);
                    } else {
                        values.push(aggregate);
                    }
                }
            }
        }
        self.account.withheld_values = withheld.len() as u64;
        self.account.orphan_employments = self.orphan_employments;
        let profile = self.take_profile();
        AggregateResult {
            values,
            withheld,
            account: self.account,
            data_set: self.mapping.data_set.clone(),
            profile,
        }
    }
}

/// What a worker adds to a figure of `measure`: `Ok(None)` nothing (a full-time worker in
/// a part-time figure), `Err` the reason they are left out.
fn amount_of(
    measure: Measure,
    p: &PractitionerFacts,
    job: Option<&EmploymentFacts>,
) -> Result<Option<f64>, Reason> {
    Ok(Some(match measure {
        Measure::GraduateEntries => {
            let graduated = p.graduated.ok_or(Reason::NoGraduationDate)?;
            let start = job
                .and_then(EmploymentFacts::start)
                .ok_or(Reason::NoStartDate)?;
            let within = graduated
                .checked_add_months(chrono::Months::new(12))
                .is_some_and(|limit| graduated <= start && start <= limit);
            if !within {
                return Ok(None);
            }
            1.0
        }
        Measure::Fte => f64::from(job.and_then(EmploymentFacts::fte).ok_or(Reason::NoFte)?),
        Measure::PartTime => {
            if !job.ok_or(Reason::NoWorkingTime)?.part_time()? {
                return Ok(None);
            }
            1.0
        }
        Measure::WeeklyHours => f64::from(
            job.and_then(EmploymentFacts::weekly_hours)
                .ok_or(Reason::NoWeeklyHours)?,
        ),
        Measure::MedianEarnings => f64::from(job.ok_or(Reason::NoSalary)?.salary()?.0),
        Measure::Headcount | Measure::Entries | Measure::Exits | Measure::Density => 1.0,
    }))
}

/// An occupation and a set of specialty bits as one distinct key (the multiplier is odd,
/// so no two pairs share a key), spread for a [`KeyMap`].
fn match_key(occupation: IscoCode, bits: u32) -> u64 {
    (u64::from(occupation.packed()) | u64::from(bits) << 32).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// What the aggregation knows a worker by: a 64-bit hash of the practitioner's record id
/// (a collision among a million ids has a chance of about 1 in 37 million). Making it is the
/// costly part, so a reader on several threads makes it where it reads the record.
///
/// ```
/// use hrh_core::aggregate::WorkerKey;
/// assert_eq!(WorkerKey::of("hw-1"), WorkerKey::of("hw-1"));
/// assert_ne!(WorkerKey::of("hw-1"), WorkerKey::of("hw-2"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerKey(u64);

impl WorkerKey {
    /// The key of the worker with this practitioner record id.
    pub fn of(id: &str) -> Self {
        Self(id_key(id))
    }
}

/// Why a worker is being added to a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Stock,
    Licensed,
    Entry,
    Exit,
}

/// What happened to one worker while counting.
#[derive(Default)]
struct WorkerTally {
    counted: bool,
    first_reason: Option<(Reason, Option<IscoCode>)>,
    left_out: Vec<(Breakdown, Reason)>,
}

impl WorkerTally {
    fn reason(&mut self, reason: Reason, occupation: Option<IscoCode>) {
        self.first_reason.get_or_insert((reason, occupation));
    }

    fn left_out(&mut self, breakdown: Breakdown, reason: Reason) {
        if !self.left_out.contains(&(breakdown, reason)) {
            self.left_out.push((breakdown, reason));
        }
    }
}

/// The category a worker falls in for a breakdown; `Ok(None)` when the breakdown does not apply
/// (a domestic-trained worker in a by-country-of-training figure).
fn category_of(
    breakdown: Breakdown,
    p: &PractitionerFacts,
    job: Option<&EmploymentFacts>,
    role: Role,
    home: Country,
) -> Result<Option<Category>, Reason> {
    let category = match breakdown {
        Breakdown::None => Category::Total,
        Breakdown::Sex => Category::Sex(p.sex?),
        Breakdown::AgeGroup => Category::Age(p.age?),
        Breakdown::PlaceOfTraining => Category::Training(p.training),
        Breakdown::PlaceOfBirth => Category::Birth(p.birth?),
        Breakdown::FacilityOwnership => {
            Category::Ownership(job.ok_or(Reason::OwnershipUnknown)?.ownership()?)
        }
        Breakdown::FacilityType => {
            Category::FacilityType(job.ok_or(Reason::FacilityTypeUnknown)?.facility_type()?)
        }
        Breakdown::ActivityLevel => match role {
            Role::Licensed => Category::Activity(ActivityLevel::Licensed),
            _ => Category::Activity(ActivityLevel::Practising),
        },
        Breakdown::ContractType => {
            Category::Contract(job.ok_or(Reason::NoContractType)?.contract()?)
        }
        Breakdown::ExitReason => Category::Exit(ExitKind::of(
            job.ok_or(Reason::NoExitReason)?.exit_reason()?,
        )),
        Breakdown::CountryOfTraining => match (p.training, p.training_country) {
            (Origin::Domestic, _) => return Ok(None),
            (_, Some(country)) if country != home => Category::Country(country),
            _ => return Err(Reason::NoCountryOfTraining),
        },
    };
    Ok(Some(category))
}
