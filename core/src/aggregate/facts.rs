//! Compact per-worker facts: what the aggregation needs of each record, judged
//! at the reference date. This is the one place where records become figures'
//! inputs; the in-memory and the streaming paths both go through it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use hashbrown::HashTable;

use super::account::Reason;
use super::mapping::{Flows, Mapping, OrgUnitRule, Origin};
use crate::age::AgeBand;
use crate::coding::{Coding, Recorded};
use crate::country::Country;
use crate::employment::{ContractType, Employment, EmploymentStatus, ExitReason};
use crate::facility::{Facility, ProviderClass};
use crate::occupation::IscoCode;
use crate::organization::{Organization, Ownership};
use crate::period::Period;
use crate::practitioner::Practitioner;
use crate::service::HealthService;
use crate::sex::Sex;

/// What is known of a worker's own record, at the reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PractitionerFacts {
    pub(crate) active: bool,
    pub(crate) sex: Result<Sex, Reason>,
    pub(crate) age: Result<AgeBand, Reason>,
    pub(crate) training: Origin,
    pub(crate) training_country: Option<Country>,
    pub(crate) birth: Result<Origin, Reason>,
    pub(crate) licensed: bool,
    pub(crate) qualification_occupation: Option<IscoCode>,
    /// Graduation: the training qualification's `period.end`, else its start (issue date).
    pub(crate) graduated: Option<NaiveDate>,
}

/// What is known of one employment, at the reference date (48 bytes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmploymentFacts {
    pub(crate) occupation: Result<IscoCode, Reason>,
    pub(crate) specialty_bits: u32,
    /// Full-time equivalent; NaN when unknown.
    fte: f32,
    start: Option<NaiveDate>,
    /// The first 16 bytes of the id, for the "lowest id" tie-break.
    tie: [u8; 16],
    /// Org unit index; [`NO_ORG_UNIT`] when the facility has none.
    org_unit: u32,
    /// Ownership (bits 0-1), facility type (bits 2-4) and part-time (bits 5-6), by [`pack_place`].
    place: u8,
    /// Contracted weekly hours in half hours (up to 127); [`NO_HOURS`] when unknown.
    hours: u8,
    /// Contract type (bits 0-2), exit reason (bits 3-5) and [`BEFORE`], by [`pack_terms`].
    terms: u8,
    flags: u8,
    /// Currency of the salary by [`pack_currency`]: [`NO_SALARY`], [`BAD_SALARY`], else
    /// the ISO 4217 letters.
    currency: u16,
    /// The annual gross pay ([`Salary::annual`](crate::employment::Salary::annual)), to
    /// seven significant digits; meaningful only with a currency.
    pay: f32,
}

const HELD: u8 = 1;
const ENTERED: u8 = 2;
const EXITED: u8 = 4;
/// A bit of `terms`: the employment began before the period's start (or its start is unknown).
const BEFORE: u8 = 64;
const NO_ORG_UNIT: u32 = u32::MAX;
const NO_HOURS: u8 = u8::MAX;
/// `currency` of a job without a salary.
const NO_SALARY: u16 = 0;
/// `currency` of a salary whose currency is not three letters or whose amount is not a
/// positive number.
const BAD_SALARY: u16 = u16::MAX;

/// A three-letter currency code as `1 + ((a * 26) + b) * 26 + c` (1 to 17,576); `None`
/// for anything but three ASCII letters (read as upper case).
pub(crate) fn pack_currency(code: &str) -> Option<u16> {
    let bytes = code.as_bytes();
    let [a, b, c] = bytes else {
        return None;
    };
    let mut packed: u16 = 0;
    for letter in [a, b, c] {
        if !letter.is_ascii_alphabetic() {
            return None;
        }
        packed = packed * 26 + u16::from(letter.to_ascii_uppercase() - b'A');
    }
    Some(packed + 1)
}

/// The `currency` and `pay` of a job's salary.
fn pack_salary(e: &Employment) -> (u16, f32) {
    let Some(salary) = &e.salary else {
        return (NO_SALARY, f32::NAN);
    };
    let annual = salary.annual();
    match pack_currency(&salary.currency) {
        Some(currency) if annual.is_finite() && annual > 0.0 => {
            #[allow(clippy::cast_possible_truncation)] // seven significant digits are kept
            (currency, annual as f32)
        }
        _ => (BAD_SALARY, f32::NAN),
    }
}

const OWNERSHIPS: [Ownership; 3] = [
    Ownership::Public,
    Ownership::PrivateNotForProfit,
    Ownership::PrivateForProfit,
];

/// 0 for none, else 1 + the position of `value` in `all`.
fn position<T: PartialEq>(value: Option<&T>, all: &[T]) -> u8 {
    value
        .and_then(|v| all.iter().position(|a| a == v))
        .and_then(|i| u8::try_from(i + 1).ok())
        .unwrap_or(0)
}

/// Packs ownership, facility type and part-time (0 unknown, 1 full-time, 2 part-time:
/// FTE below 1.0, else the employment status).
fn pack_place(ownership: Option<Ownership>, class: Option<ProviderClass>, e: &Employment) -> u8 {
    let part_time = match (e.fte, e.status) {
        (Some(fte), _) => {
            if fte < 1.0 {
                2
            } else {
                1
            }
        }
        (None, Some(EmploymentStatus::PartTime)) => 2,
        (None, Some(EmploymentStatus::FullTime)) => 1,
        _ => 0,
    };
    position(ownership.as_ref(), &OWNERSHIPS)
        | position(class.as_ref(), &ProviderClass::ALL) << 2
        | part_time << 5
}

/// Packs contract type and exit reason (0 is not recorded, 7 a code not recognised, else
/// 1 + the position in the type's `ALL`) and whether the job began `before` the period.
fn pack_terms(e: &Employment, before: bool) -> u8 {
    fn code<T: PartialEq + Copy>(recorded: &Recorded<T>, all: &[T]) -> u8 {
        match recorded {
            Recorded::Missing => 0,
            Recorded::Invalid(_) => 7,
            Recorded::Valid(v) => all
                .iter()
                .position(|a| a == v)
                .and_then(|i| u8::try_from(i + 1).ok())
                .unwrap_or(7),
        }
    }
    code(&e.contract, &ContractType::ALL)
        | code(&e.exit_reason, &ExitReason::ALL) << 3
        | if before { BEFORE } else { 0 }
}

fn unpack<T: Copy>(code: u8, all: &[T], missing: Reason, invalid: Reason) -> Result<T, Reason> {
    match code {
        0 => Err(missing),
        c => all.get(usize::from(c) - 1).copied().ok_or(invalid),
    }
}

impl EmploymentFacts {
    pub(crate) fn held(&self) -> bool {
        self.flags & HELD != 0
    }

    pub(crate) fn fte(&self) -> Option<f32> {
        (!self.fte.is_nan()).then_some(self.fte)
    }

    pub(crate) fn weekly_hours(&self) -> Option<f32> {
        (self.hours != NO_HOURS).then(|| f32::from(self.hours) / 2.0)
    }

    pub(crate) fn contract(&self) -> Result<ContractType, Reason> {
        unpack(
            self.terms & 7,
            &ContractType::ALL,
            Reason::NoContractType,
            Reason::UnrecognisedContractType,
        )
    }

    pub(crate) fn exit_reason(&self) -> Result<ExitReason, Reason> {
        unpack(
            (self.terms >> 3) & 7,
            &ExitReason::ALL,
            Reason::NoExitReason,
            Reason::UnrecognisedExitReason,
        )
    }

    /// Whether the job is part-time (FTE below 1.0, else the employment status).
    pub(crate) fn part_time(&self) -> Result<bool, Reason> {
        match (self.place >> 5) & 3 {
            1 => Ok(false),
            2 => Ok(true),
            _ => Err(Reason::NoWorkingTime),
        }
    }

    pub(crate) fn ownership(&self) -> Result<Ownership, Reason> {
        unpack(
            self.place & 3,
            &OWNERSHIPS,
            Reason::OwnershipUnknown,
            Reason::OwnershipUnknown,
        )
    }

    pub(crate) fn facility_type(&self) -> Result<ProviderClass, Reason> {
        unpack(
            (self.place >> 2) & 7,
            &ProviderClass::ALL,
            Reason::FacilityTypeUnknown,
            Reason::FacilityTypeUnknown,
        )
    }

    /// Whether the employment began before the period's start.
    fn before(&self) -> bool {
        self.terms & BEFORE != 0
    }

    /// The annual pay and its packed currency ([`pack_currency`]).
    pub(crate) fn salary(&self) -> Result<(f32, u16), Reason> {
        match self.currency {
            NO_SALARY => Err(Reason::NoSalary),
            BAD_SALARY => Err(Reason::InvalidSalary),
            currency => Ok((self.pay, currency)),
        }
    }

    /// The employment's start, when recorded.
    pub(crate) fn start(&self) -> Option<NaiveDate> {
        self.start
    }

    pub(crate) fn org_unit(&self) -> Result<u32, Reason> {
        if self.org_unit == NO_ORG_UNIT {
            Err(Reason::NoOrgUnit)
        } else {
            Ok(self.org_unit)
        }
    }
}

/// Entries and exits of one worker within the period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Moves {
    pub(crate) entry: Option<EmploymentFacts>,
    pub(crate) exit: Option<EmploymentFacts>,
    /// Whether any of the worker's employments began before the period's start.
    pub(crate) earlier: bool,
}

/// One stored employment and the worker it belongs to (56 bytes).
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u64,
    facts: EmploymentFacts,
}

/// Bits of a worker's slot's `flags`, above the employment's own: whether the worker's entry
/// (exit) is the stock employment itself, or in a slot of its own.
const ENTRY_IS_STOCK: u8 = 8;
const ENTRY_OWN: u8 = 16;
const EXIT_IS_STOCK: u8 = 32;
const EXIT_OWN: u8 = 64;
/// A bit of a worker's slot: one of their employments began before the period ([`BEFORE`]).
const EARLIER: u8 = 128;
/// The employment's own bits of `flags`.
const FACT_FLAGS: u8 = HELD | ENTERED | EXITED;

/// Which of a worker's moves.
#[derive(Clone, Copy)]
enum Move {
    Entry,
    Exit,
}

impl Move {
    /// The bits saying the move is the stock employment, or in a slot of its own.
    fn bits(self) -> (u8, u8) {
        match self {
            Move::Entry => (ENTRY_IS_STOCK, ENTRY_OWN),
            Move::Exit => (EXIT_IS_STOCK, EXIT_OWN),
        }
    }
}

/// Every worker's employments reduced to what the figures need, by practitioner id key: the
/// one employment counted in the stock, and the entry and exit in the period.
///
/// Each worker with an employment held, or begun or ended in the period, has one slot holding
/// their key and their stock employment (or, while they have none held, no stock). An entry or exit that is the stock employment itself
/// is marked in the slot's flags; any other takes a slot of its own, found through an index of
/// its own. The indexes hold only slot indices (4 bytes a bucket), hashed from the key in the
/// slot, so a worker costs one 56-byte slot and 5 to 10 bytes of index. Slots are reused
/// once a worker is counted: a free slot holds the index of the next free one in its key,
/// so the free list takes no memory of its own.
///
/// A worker whose employments so far were neither held nor began or ended in the period
/// (a past job, say) has nothing to keep but the fact that they have employments: their key
/// alone, in `idle` when one of those began before the period (a tenth of the workers in
/// generated registries), else in `later` (jobs that begin after it).
#[derive(Debug, Clone)]
pub(crate) struct Summaries {
    workers: Index,
    idle: HashTable<u64>,
    later: HashTable<u64>,
    entries: Index,
    exits: Index,
    slots: Vec<Slot>,
    /// The first free slot, [`NO_SLOT`] when none.
    free: u32,
}

const NO_SLOT: u32 = u32::MAX;

impl Default for Summaries {
    fn default() -> Self {
        Self {
            workers: Index::default(),
            idle: HashTable::new(),
            later: HashTable::new(),
            entries: Index::default(),
            exits: Index::default(),
            slots: Vec::new(),
            free: NO_SLOT,
        }
    }
}

impl Summaries {
    /// Adds one employment of the worker `key`: the stock keeps the held employment with
    /// the highest FTE, then the earliest start, then the lowest id; entries and exits the lowest id.
    pub(crate) fn merge(&mut self, key: u64, facts: EmploymentFacts) {
        let facts = EmploymentFacts {
            flags: facts.flags & FACT_FLAGS,
            ..facts
        };
        let found = self.workers.find(&self.slots, key);
        let mut earlier = facts.before();
        if found.is_none() {
            // An employment with none of these flags changes nothing of what is kept.
            if facts.flags == 0 {
                if earlier {
                    remove_key(&mut self.later, key);
                    self.idle.entry(key, |k| *k == key, |k| *k).or_insert(key);
                } else if self.idle.find(key, |k| *k == key).is_none() {
                    self.later.entry(key, |k| *k == key, |k| *k).or_insert(key);
                }
                return;
            }
            earlier |= remove_key(&mut self.idle, key);
            remove_key(&mut self.later, key);
        }
        let Some(main) = found.or_else(|| {
            // No stock yet: the facts are kept only as a placeholder, without their flags.
            let placeholder = EmploymentFacts { flags: 0, ..facts };
            self.insert(None, key, placeholder)
        }) else {
            return;
        };
        let Some(slot) = self.slots.get(main as usize).copied() else {
            return;
        };
        let stock = (slot.facts.flags & HELD != 0).then_some(stock_of(slot.facts));
        let new_stock = facts.held() && stock.is_none_or(|current| ranks_before(&facts, &current));
        let mut state = slot.facts.flags & !FACT_FLAGS;
        if earlier {
            state |= EARLIER;
        }
        for (kind, flag) in [(Move::Entry, ENTERED), (Move::Exit, EXITED)] {
            let (is_stock, own) = kind.bits();
            let new_move = facts.flags & flag != 0
                && self
                    .current_move(kind, key, state, stock)
                    .is_none_or(|m| facts.tie < m.tie);
            if new_move && new_stock {
                if state & own != 0 {
                    self.remove(kind, key);
                }
                state = (state & !own) | is_stock;
            } else if new_move {
                if state & own != 0 {
                    self.overwrite(kind, key, facts);
                } else if self.insert(Some(kind), key, facts).is_some() {
                    state = (state & !is_stock) | own;
                }
            } else if new_stock && state & is_stock != 0 {
                // The stock changes but this move stays: it moves to a slot of its own.
                if let Some(old) = stock
                    && self.insert(Some(kind), key, old).is_some()
                {
                    state = (state & !is_stock) | own;
                }
            }
        }
        if let Some(slot) = self.slots.get_mut(main as usize) {
            let own = if new_stock {
                facts.flags
            } else {
                slot.facts.flags & FACT_FLAGS
            };
            if new_stock {
                slot.facts = facts;
            }
            slot.facts.flags = own | state;
        }
    }

    /// Removes and returns the worker's stock employment and moves (empty when they had no employment).
    pub(crate) fn take(&mut self, key: u64) -> (Option<EmploymentFacts>, Moves) {
        let Some(main) = self.workers.remove(&self.slots, key) else {
            let earlier = remove_key(&mut self.idle, key);
            remove_key(&mut self.later, key);
            return (
                None,
                Moves {
                    earlier,
                    ..Moves::default()
                },
            );
        };
        let Some(slot) = self.slots.get(main as usize).copied() else {
            return (None, Moves::default());
        };
        self.release(main);
        let state = slot.facts.flags;
        let stock = (state & HELD != 0).then_some(stock_of(slot.facts));
        let mut take_move = |kind: Move| {
            let (is_stock, own) = kind.bits();
            if state & is_stock != 0 {
                stock
            } else if state & own != 0 {
                self.remove(kind, key)
            } else {
                None
            }
        };
        let entry = take_move(Move::Entry);
        let exit = take_move(Move::Exit);
        let earlier = state & EARLIER != 0;
        (
            stock,
            Moves {
                entry,
                exit,
                earlier,
            },
        )
    }

    /// Workers with employments not yet taken.
    pub(crate) fn len(&self) -> usize {
        self.workers.len() + self.idle.len() + self.later.len()
    }

    /// The worker's current entry or exit, if any.
    fn current_move(
        &self,
        kind: Move,
        key: u64,
        state: u8,
        stock: Option<EmploymentFacts>,
    ) -> Option<EmploymentFacts> {
        let (is_stock, own) = kind.bits();
        if state & is_stock != 0 {
            stock
        } else if state & own != 0 {
            self.moves(kind)
                .find(&self.slots, key)
                .and_then(|i| self.slots.get(i as usize))
                .map(|s| s.facts)
        } else {
            None
        }
    }

    fn moves(&self, kind: Move) -> &Index {
        match kind {
            Move::Entry => &self.entries,
            Move::Exit => &self.exits,
        }
    }

    /// Stores `facts` in a free slot and indexes it by `key`, as the worker's (`None`) or as
    /// their move; the slot's index, or `None` beyond `u32::MAX` slots.
    fn insert(&mut self, kind: Option<Move>, key: u64, facts: EmploymentFacts) -> Option<u32> {
        let slot = Slot { key, facts };
        let index = if let Some(free) = self.slots.get_mut(self.free as usize) {
            let index = self.free;
            self.free = u32::try_from(free.key).unwrap_or(NO_SLOT);
            *free = slot;
            index
        } else {
            let index = u32::try_from(self.slots.len())
                .ok()
                .filter(|i| *i != NO_SLOT)?;
            self.slots.push(slot);
            index
        };
        let table = match kind {
            None => &mut self.workers,
            Some(Move::Entry) => &mut self.entries,
            Some(Move::Exit) => &mut self.exits,
        };
        table.insert(&self.slots, key, index);
        Some(index)
    }

    /// Replaces the facts in the worker's own slot for `kind`.
    fn overwrite(&mut self, kind: Move, key: u64, facts: EmploymentFacts) {
        if let Some(index) = self.moves(kind).find(&self.slots, key)
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.facts = facts;
        }
    }

    /// Removes the worker's own slot for `kind`, freeing it; the facts it held.
    fn remove(&mut self, kind: Move, key: u64) -> Option<EmploymentFacts> {
        let table = match kind {
            Move::Entry => &mut self.entries,
            Move::Exit => &mut self.exits,
        };
        let index = table.remove(&self.slots, key)?;
        let facts = self.slots.get(index as usize).map(|s| s.facts);
        self.release(index);
        facts
    }

    /// Puts the slot at `index` at the head of the free list.
    fn release(&mut self, index: u32) {
        if let Some(slot) = self.slots.get_mut(index as usize) {
            slot.key = u64::from(self.free);
            self.free = index;
        }
    }
}

/// Tables of slot indices by key, in [`SHARDS`] parts chosen by bits 32 to 37 of the key
/// (bits the tables' own hashing does not use).
///
/// A table that grows holds its old and its new buckets at once; split in parts, that
/// moment costs a part's buckets instead of the whole table's (5 MB at 1,000,000 workers).
/// As the parts fill evenly, they also double one by one rather than all at once.
#[derive(Debug, Clone)]
struct Index(Vec<HashTable<u32>>);

const SHARDS: u64 = 64;

impl Default for Index {
    fn default() -> Self {
        Self((0..SHARDS).map(|_| HashTable::new()).collect())
    }
}

impl Index {
    fn shard(key: u64) -> usize {
        usize::try_from((key >> 32) % SHARDS).unwrap_or(0)
    }

    /// The slot of `key`.
    fn find(&self, slots: &[Slot], key: u64) -> Option<u32> {
        self.0
            .get(Self::shard(key))?
            .find(key, |&i| has_key(slots, i, key))
            .copied()
    }

    /// Adds the slot `index` of `key` (not yet in the index).
    fn insert(&mut self, slots: &[Slot], key: u64, index: u32) {
        if let Some(table) = self.0.get_mut(Self::shard(key)) {
            table.insert_unique(key, index, |&i| key_of(slots, i));
        }
    }

    /// Removes `key`; its slot.
    fn remove(&mut self, slots: &[Slot], key: u64) -> Option<u32> {
        let table = self.0.get_mut(Self::shard(key))?;
        let (index, _) = table
            .find_entry(key, |&i| has_key(slots, i, key))
            .ok()?
            .remove();
        Some(index)
    }

    fn len(&self) -> usize {
        self.0.iter().map(HashTable::len).sum()
    }
}

/// Removes `key` from a set of keys; whether it was there.
fn remove_key(set: &mut HashTable<u64>, key: u64) -> bool {
    set.find_entry(key, |k| *k == key)
        .map(hashbrown::hash_table::OccupiedEntry::remove)
        .is_ok()
}

fn has_key(slots: &[Slot], index: u32, key: u64) -> bool {
    slots.get(index as usize).is_some_and(|s| s.key == key)
}

/// The hash of the slot at `index`: its key, which is already a hash.
fn key_of(slots: &[Slot], index: u32) -> u64 {
    slots.get(index as usize).map_or(0, |s| s.key)
}

/// A stock employment as stored, without the worker's bits.
fn stock_of(facts: EmploymentFacts) -> EmploymentFacts {
    EmploymentFacts {
        flags: facts.flags & FACT_FLAGS,
        ..facts
    }
}

fn ranks_before(a: &EmploymentFacts, b: &EmploymentFacts) -> bool {
    let fte = |f: &EmploymentFacts| f.fte().unwrap_or(0.0);
    match fte(a).total_cmp(&fte(b)) {
        std::cmp::Ordering::Greater => return true,
        std::cmp::Ordering::Less => return false,
        std::cmp::Ordering::Equal => {}
    }
    // Earliest start first; an unknown start counts as earliest (it began before records).
    match (a.start, b.start) {
        (x, y) if x != y => return x < y,
        _ => {}
    }
    a.tie < b.tie
}

/// The first 16 bytes of an id: compares like the id itself for ids up to 16 bytes.
pub(crate) fn tie_key(id: &str) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    for (slot, b) in bytes.iter_mut().zip(id.bytes()) {
        *slot = b;
    }
    bytes
}

/// A 64-bit key for a record id: foldhash's quality hash with a fixed seed (the same in
/// every run; several times faster than `SipHash` on short ids, and a record has two to four).
pub(crate) fn id_key(id: &str) -> u64 {
    const STATE: foldhash::quality::FixedState =
        foldhash::quality::FixedState::with_seed(0x6872_685f_6b65_7973);
    std::hash::BuildHasher::hash_one(&STATE, id)
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by [`id_key`].
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

#[derive(Debug, Clone, Copy)]
struct OrgFacts {
    ownership: Option<Ownership>,
    country: Option<Country>,
}

#[derive(Debug, Clone, Copy)]
struct ServiceFacts {
    class: Option<ProviderClass>,
    provided_by: Option<u64>,
    location: Option<u64>,
}

#[derive(Debug, Clone)]
struct FacilityFacts {
    class: Option<ProviderClass>,
    org_unit: Option<u32>,
    managing_organization: Option<u64>,
}

/// Organisations and facilities reduced to what employments need, and the
/// rules that turn records into facts.
#[derive(Debug, Clone)]
pub struct Judge {
    pub(crate) reference_date: NaiveDate,
    pub(crate) period: Period,
    flows: Flows,
    pub(crate) home: Country,
    specialty_sets: Vec<Vec<Coding>>,
    ownership_table: Vec<(Coding, Ownership)>,
    facility_table: Vec<(Coding, ProviderClass)>,
    facility_rule: Option<std::collections::BTreeMap<String, String>>,
    organizations: KeyMap<OrgFacts>,
    facilities: KeyMap<FacilityFacts>,
    services: KeyMap<ServiceFacts>,
    pub(crate) org_units: Vec<String>,
    org_unit_index: HashMap<String, u32>,
}

impl Judge {
    pub(crate) fn new(mapping: &Mapping, period: Period, home: Country) -> Self {
        let mut specialty_sets: Vec<Vec<Coding>> = Vec::new();
        for target in &mapping.targets {
            for set in [
                &target.population.specialties,
                &target.population.not_specialties,
            ] {
                if !set.is_empty() && !specialty_sets.contains(set) {
                    specialty_sets.push(set.clone());
                }
            }
        }
        Self {
            reference_date: period.end(),
            period,
            flows: mapping.flows,
            home,
            specialty_sets,
            ownership_table: mapping.ownership.clone(),
            facility_table: mapping.facility_types.clone(),
            facility_rule: match &mapping.org_unit {
                OrgUnitRule::Facility { lookup } => Some(lookup.clone()),
                OrgUnitRule::National { .. } => None,
            },
            organizations: KeyMap::default(),
            facilities: KeyMap::default(),
            services: KeyMap::default(),
            org_units: Vec::new(),
            org_unit_index: HashMap::new(),
        }
    }

    /// The bit of a specialty set in [`EmploymentFacts::specialty_bits`] (sets beyond 32 never match).
    pub(crate) fn specialty_bit(&self, set: &[Coding]) -> u32 {
        self.specialty_sets
            .iter()
            .position(|s| s == set)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(|i| 1u32.checked_shl(i))
            .unwrap_or(0)
    }

    pub(crate) fn add_organization(&mut self, org: &Organization) {
        let ownership = org
            .ownership
            .or_else(|| lookup(&self.ownership_table, &org.types));
        self.organizations.insert(
            id_key(&org.id),
            OrgFacts {
                ownership,
                country: org.country,
            },
        );
    }

    pub(crate) fn add_facility(&mut self, facility: &Facility) {
        let class = facility
            .provider_class
            .or_else(|| lookup(&self.facility_table, &facility.types));
        let org_unit = self.facility_rule.as_ref().and_then(|table| {
            facility
                .dhis2_org_unit()
                .map(str::to_owned)
                .or_else(|| table.get(&facility.id).cloned())
        });
        let org_unit = org_unit.map(|ou| self.intern_org_unit(ou));
        let managing_organization = facility.managing_organization.as_deref().map(id_key);
        self.facilities.insert(
            id_key(&facility.id),
            FacilityFacts {
                class,
                org_unit,
                managing_organization,
            },
        );
    }

    pub(crate) fn add_service(&mut self, service: &HealthService) {
        let facts = ServiceFacts {
            class: lookup(&self.facility_table, &service.types),
            provided_by: service.provided_by.as_deref().map(id_key),
            location: service.locations.first().map(|l| id_key(l)),
        };
        self.services.insert(id_key(&service.id), facts);
    }

    /// Resolves every facility's own org unit (its DHIS2 identifier) even when the mapping
    /// reports nationally; national figures still go to the one org unit.
    pub(crate) fn resolve_org_units(&mut self) {
        self.facility_rule.get_or_insert_with(Default::default);
    }

    fn intern_org_unit(&mut self, org_unit: String) -> u32 {
        if let Some(i) = self.org_unit_index.get(&org_unit) {
            return *i;
        }
        let i = u32::try_from(self.org_units.len()).unwrap_or(u32::MAX);
        self.org_unit_index.insert(org_unit.clone(), i);
        self.org_units.push(org_unit);
        i
    }

    /// The facts of a worker's own record.
    pub fn practitioner(&self, p: &Practitioner) -> PractitionerFacts {
        let on = self.reference_date;
        let sex = match &p.sex {
            Recorded::Valid(sex) => Ok(*sex),
            Recorded::Missing => Err(Reason::NoSex),
            Recorded::Invalid(_) => Err(Reason::InvalidSex),
        };
        let age = match &p.birth_date {
            Recorded::Missing => Err(Reason::NoBirthDate),
            Recorded::Invalid(_) => Err(Reason::InvalidBirthDate),
            Recorded::Valid(born) if born.earliest().is_none_or(|d| d > on) => {
                Err(Reason::BornAfterReferenceDate)
            }
            Recorded::Valid(born) => born
                .age_on(on)
                .map(AgeBand::of_age)
                .ok_or(Reason::ImpreciseBirthDate),
        };
        let training = p.training_qualification();
        let training_country = training.and_then(|q| {
            q.country.or_else(|| {
                q.issuer
                    .as_deref()
                    .and_then(|id| self.organizations.get(&id_key(id)))
                    .and_then(|o| o.country)
            })
        });
        let origin = |country: Country| {
            if country == self.home {
                Origin::Domestic
            } else {
                Origin::Foreign
            }
        };
        let licensed = p.is_active() && p.holds_licence_on(on);
        // Only a licensed worker needs an occupation from their qualifications.
        let qualification_occupation = if licensed {
            p.qualifications
                .iter()
                .filter_map(|q| q.code.as_ref())
                .filter(|c| c.system.as_deref().is_some_and(|s| s.contains("isco")))
                .find_map(|c| IscoCode::parse(&c.code).ok())
        } else {
            None
        };
        PractitionerFacts {
            active: p.is_active(),
            sex,
            age,
            training: training_country.map_or(Origin::Unknown, origin),
            training_country,
            birth: match &p.country_of_birth {
                Recorded::Valid(country) => Ok(origin(*country)),
                Recorded::Missing => Err(Reason::NoCountryOfBirth),
                Recorded::Invalid(_) => Err(Reason::InvalidCountryOfBirth),
            },
            licensed,
            qualification_occupation,
            graduated: training.and_then(|q| q.period.end.or(q.period.start)),
        }
    }

    /// The facts of one employment.
    pub fn employment(&self, e: &Employment) -> EmploymentFacts {
        let on = self.reference_date;
        let service = e
            .service
            .as_deref()
            .and_then(|id| self.services.get(&id_key(id)));
        let facility = e
            .facility
            .as_deref()
            .map(id_key)
            .or_else(|| service.and_then(|s| s.location))
            .and_then(|key| self.facilities.get(&key));
        let employer = e
            .employer
            .as_deref()
            .map(id_key)
            .or_else(|| service.and_then(|s| s.provided_by))
            .or_else(|| facility.and_then(|f| f.managing_organization))
            .and_then(|key| self.organizations.get(&key));
        let within = |d: Option<NaiveDate>| d.is_some_and(|d| self.period.contains(d));
        let mut specialty_bits = 0;
        for (i, set) in self.specialty_sets.iter().enumerate().take(32) {
            if e.specialties.iter().any(|s| {
                set.iter()
                    .any(|c| c.code == s.code && (c.system.is_none() || c.system == s.system))
            }) {
                specialty_bits |= 1u32 << i;
            }
        }
        let salary = pack_salary(e);
        let mut flags = 0;
        if e.is_held_on(on) {
            flags |= HELD;
        }
        let start = self.period.start();
        let before = e.period.start.is_none_or(|s| s < start);
        match self.flows {
            Flows::Employment => {
                if within(e.period.start) {
                    flags |= ENTERED;
                }
                if within(e.period.end) {
                    flags |= EXITED;
                }
            }
            // Entries are judged from the stock and `BEFORE`; the exit is the job held
            // the day before the period.
            Flows::Workforce => {
                if start.pred_opt().is_some_and(|eve| e.is_held_on(eve)) {
                    flags |= EXITED;
                }
            }
        }
        EmploymentFacts {
            occupation: match &e.occupation {
                Recorded::Valid(code) => Ok(*code),
                Recorded::Missing => Err(Reason::NoOccupation),
                Recorded::Invalid(_) => Err(Reason::UnrecognisedOccupation),
            },
            specialty_bits,
            #[allow(clippy::cast_possible_truncation)] // FTEs are small numbers
            fte: e.fte.map_or(f32::NAN, |f| f as f32),
            start: e.period.start,
            tie: tie_key(&e.id),
            place: pack_place(
                employer.and_then(|o| o.ownership),
                facility
                    .and_then(|f| f.class)
                    .or_else(|| service.and_then(|s| s.class)),
                e,
            ),
            org_unit: facility.and_then(|f| f.org_unit).unwrap_or(NO_ORG_UNIT),
            // Whole half hours; 127 hours or more are kept as 127 (a week has 168).
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            hours: e
                .weekly_hours
                .map_or(NO_HOURS, |h| (h * 2.0).round().clamp(0.0, 254.0) as u8),
            terms: pack_terms(e, before),
            flags,
            currency: salary.0,
            pay: salary.1,
        }
    }
}

/// The first table entry whose coding matches one of `codings` (system and code; a table entry without system matches any system).
fn lookup<T: Copy>(table: &[(Coding, T)], codings: &[Coding]) -> Option<T> {
    codings.iter().find_map(|c| {
        table
            .iter()
            .find(|(key, _)| key.code == c.code && (key.system.is_none() || key.system == c.system))
            .map(|(_, v)| *v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_worker_facts_stay_compact() {
        // The streaming path keeps one slot per worker until the worker is counted.
        assert!(
            std::mem::size_of::<EmploymentFacts>() <= 48,
            "{}",
            std::mem::size_of::<EmploymentFacts>()
        );
        assert!(
            std::mem::size_of::<Slot>() <= 56,
            "{}",
            std::mem::size_of::<Slot>()
        );
        assert!(
            std::mem::size_of::<PractitionerFacts>() <= 24,
            "{}",
            std::mem::size_of::<PractitionerFacts>()
        );
    }

    /// The rules of [`Summaries::merge`], kept plainly: a stock and two moves per worker.
    #[derive(Default)]
    struct Plain(HashMap<u64, (Option<EmploymentFacts>, Moves)>);

    impl Plain {
        fn merge(&mut self, key: u64, facts: EmploymentFacts) {
            let (stock, moves) = self.0.entry(key).or_default();
            moves.earlier |= facts.before();
            if facts.held() && stock.is_none_or(|current| ranks_before(&facts, &current)) {
                *stock = Some(facts);
            }
            if facts.flags & ENTERED != 0 && moves.entry.is_none_or(|m| facts.tie < m.tie) {
                moves.entry = Some(facts);
            }
            if facts.flags & EXITED != 0 && moves.exit.is_none_or(|m| facts.tie < m.tie) {
                moves.exit = Some(facts);
            }
        }

        fn take(&mut self, key: u64) -> (Option<EmploymentFacts>, Moves) {
            self.0.remove(&key).unwrap_or_default()
        }
    }

    /// A small deterministic generator (xorshift).
    struct Dice(u64);

    impl Dice {
        fn roll(&mut self, sides: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % sides
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            let i = self.roll(items.len() as u64);
            items[usize::try_from(i).unwrap_or(0)]
        }
    }

    fn facts(dice: &mut Dice) -> EmploymentFacts {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(dice.roll(4) * 300)));
        EmploymentFacts {
            occupation: if dice.roll(5) == 0 {
                Err(Reason::NoOccupation)
            } else {
                IscoCode::parse(dice.pick(&["2211", "2221", "3221"]))
                    .map_err(|_| Reason::UnrecognisedOccupation)
            },
            specialty_bits: u32::try_from(dice.roll(4)).unwrap_or(0),
            fte: dice.pick(&[f32::NAN, 0.5, 1.0]),
            start: if dice.roll(6) == 0 { None } else { start },
            tie: tie_key(&format!("role-{}", dice.roll(8))),
            org_unit: u32::try_from(dice.roll(3)).unwrap_or(0),
            place: u8::try_from(dice.roll(128)).unwrap_or(0),
            hours: dice.pick(&[NO_HOURS, 40, 80]),
            terms: u8::try_from(dice.roll(128)).unwrap_or(0),
            flags: u8::try_from(dice.roll(8)).unwrap_or(0),
            currency: dice.pick(&[NO_SALARY, 1, 2]),
            pay: 1000.0,
        }
    }

    /// Bit-for-bit equality (NaN FTEs compare equal to themselves).
    fn same(a: Option<EmploymentFacts>, b: Option<EmploymentFacts>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.fte.to_bits() == b.fte.to_bits()
                    && EmploymentFacts { fte: 0.0, ..a } == EmploymentFacts { fte: 0.0, ..b }
            }
            _ => false,
        }
    }

    #[test]
    fn summaries_keep_what_the_plain_rules_keep() {
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        let mut store = Summaries::default();
        let mut plain = Plain::default();
        let mut taken = 0;
        for round in 0..20_000 {
            // Spread over the index's parts, as id keys are.
            let key = dice.roll(300).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            if dice.roll(4) == 0 {
                let (stock, moves) = store.take(key);
                let (want_stock, want_moves) = plain.take(key);
                assert!(
                    same(stock, want_stock),
                    "round {round}: {stock:?} {want_stock:?}"
                );
                assert!(same(moves.entry, want_moves.entry), "round {round}: entry");
                assert!(same(moves.exit, want_moves.exit), "round {round}: exit");
                assert_eq!(moves.earlier, want_moves.earlier, "round {round}: earlier");
                taken += usize::from(want_stock.is_some() || want_moves.entry.is_some());
            } else {
                let f = facts(&mut dice);
                store.merge(key, f);
                plain.merge(key, f);
            }
            assert_eq!(store.len(), plain.0.len(), "round {round}");
        }
        assert!(taken > 1000, "{taken}");
        // Every slot in use belongs to a worker, an entry or an exit still held.
        let mut free = 0;
        let mut next = store.free;
        while let Some(slot) = store.slots.get(next as usize) {
            free += 1;
            next = u32::try_from(slot.key).unwrap_or(NO_SLOT);
            assert!(free <= store.slots.len(), "the free list loops");
        }
        assert!(free > 0);
        let in_use = store.slots.len() - free;
        assert_eq!(
            in_use,
            store.workers.len() + store.entries.len() + store.exits.len()
        );
        assert!(store.slots.len() < 3 * 300, "{}", store.slots.len());
    }

    #[test]
    fn a_replaced_stock_keeps_its_entry_and_slots_are_reused() {
        let on = |flags, fte, id: &str| EmploymentFacts {
            occupation: Err(Reason::NoOccupation),
            specialty_bits: 0,
            fte,
            start: None,
            tie: tie_key(id),
            org_unit: NO_ORG_UNIT,
            place: 0,
            hours: 80,
            terms: 0,
            flags,
            currency: NO_SALARY,
            pay: 0.0,
        };
        let first = on(HELD | ENTERED, 0.5, "a");
        let better = on(HELD, 1.0, "b");
        let mut store = Summaries::default();
        store.merge(7, first);
        // The entry is the stock itself: one slot.
        assert_eq!(store.slots.len(), 1);
        store.merge(7, better);
        // The stock moved on; the entry took a slot of its own.
        assert_eq!(store.slots.len(), 2);
        let (stock, moves) = store.take(7);
        assert_eq!(stock, Some(better));
        assert_eq!(moves.entry, Some(first));
        assert_eq!(moves.exit, None);
        assert_eq!(store.take(7), (None, Moves::default()));
        assert_eq!(store.len(), 0);
        // Both slots are free again and serve the next worker (one for the worker, one for
        // an exit that is not their stock); the one after needs a new slot.
        store.merge(8, on(EXITED, 1.0, "c"));
        assert_eq!(store.slots.len(), 2);
        store.merge(9, on(HELD | EXITED, 1.0, "d"));
        assert_eq!(store.slots.len(), 3);
        assert_eq!(store.take(8).1.exit, Some(on(EXITED, 1.0, "c")));
        assert_eq!(store.take(9).0, Some(on(HELD | EXITED, 1.0, "d")));
    }

    #[test]
    fn a_worker_with_only_past_jobs_is_kept_as_a_key() {
        let past = |id: &str| EmploymentFacts {
            occupation: Err(Reason::NoOccupation),
            specialty_bits: 0,
            fte: 1.0,
            start: None,
            tie: tie_key(id),
            org_unit: NO_ORG_UNIT,
            place: 0,
            hours: 80,
            terms: 0,
            flags: 0,
            currency: NO_SALARY,
            pay: 0.0,
        };
        let mut store = Summaries::default();
        store.merge(1, past("a"));
        store.merge(1, past("b"));
        store.merge(2, past("c"));
        assert_eq!((store.slots.len(), store.len()), (0, 2));
        // A held job later makes the worker an ordinary one.
        let held = EmploymentFacts {
            flags: HELD,
            ..past("d")
        };
        store.merge(2, held);
        store.merge(2, past("e"));
        assert_eq!((store.slots.len(), store.len()), (1, 2));
        assert_eq!(store.take(1), (None, Moves::default()));
        assert_eq!(store.len(), 1);
        assert_eq!(store.take(2).0, Some(held));
        assert_eq!(store.len(), 0);
    }
}
