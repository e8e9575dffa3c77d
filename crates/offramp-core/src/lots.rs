//! The lot engine: a pure function from acquisitions, disposals and moves to matched lot pieces, or a typed
//! error. No I/O; events come in time order with their fiat amounts already in the reporting currency.
//!
//! - Pools: every lot lives in a pool (the caller decides: one pool per account for US per-wallet basis from
//!   2025, one pool for everything under universal application). A disposal draws only from its own pool.
//! - Methods: FIFO (oldest acquisition first), LIFO (newest first), HIFO (highest fee-inclusive unit cost
//!   first; lots of unknown cost last; ties by acquisition time, then lot id), average cost (one holding per
//!   pool at its weighted average cost). A disposal that names its lots (specific identification) takes exactly
//!   those, whatever the method but average cost.
//! - Moves between pools carry lots with their acquisition date and cost, chosen in the method's order.
//! - Cost of part of a lot: `remaining cost × taken / remaining quantity`, rounded half to even at 12 decimal
//!   places; the piece that empties a lot takes all its remaining cost, so cost is conserved exactly.
//! - Unknown cost (`None`) is carried, never treated as zero: a disposal touching such a lot has no known basis
//!   and no known gain, and says so.

use std::collections::BTreeMap;

use crate::fasthash::{FastMap, FastSet};

use rust_decimal::RoundingStrategy;
use serde::Serialize;

use crate::money::Code;
use crate::time::Timestamp;
use crate::Decimal;

/// The caller's id for a lot (normally the id of the acquiring transaction).
pub type LotId = i64;

/// A pool of lots (an account, or everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PoolId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Fifo,
    Lifo,
    Hifo,
    /// Average cost (Canada's adjusted cost base): each pool is one holding at its weighted average cost; a
    /// disposal takes its share of the pool's cost. Lots lose their identity (the pool carries the first
    /// acquisition's id and date), so specific identification is refused.
    Average,
}

impl Method {
    /// The method's name as reports print it: `FIFO`, `LIFO`, `HIFO`, `AVERAGE`.
    pub fn label(self) -> &'static str {
        match self {
            Method::Fifo => "FIFO",
            Method::Lifo => "LIFO",
            Method::Hifo => "HIFO",
            Method::Average => "AVERAGE",
        }
    }
}

/// Decimal places kept when part of a lot's cost is allocated.
pub const ALLOCATION_SCALE: u32 = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Acquire {
        lot: LotId,
        pool: PoolId,
        asset: Code,
        time: Timestamp,
        qty: Decimal,
        /// Fee-inclusive cost in the reporting currency; `None` when unknown.
        cost: Option<Decimal>,
    },
    Dispose {
        id: i64,
        pool: PoolId,
        asset: Code,
        time: Timestamp,
        qty: Decimal,
        /// Proceeds net of disposal fees in the reporting currency; `None` when unknown.
        proceeds: Option<Decimal>,
        /// Specific identification: the lots and quantities to take (they must add up to `qty`).
        pick: Option<Vec<(LotId, Decimal)>>,
    },
    Move {
        id: i64,
        from: PoolId,
        to: PoolId,
        asset: Code,
        time: Timestamp,
        /// What arrives in `to`.
        qty: Decimal,
        /// What also left `from` but did not arrive (a network fee) when its cost stays with the units that
        /// arrived (transfer-fee treatment "basis"); zero otherwise.
        fee: Decimal,
    },
}

impl Event {
    fn time(&self) -> Timestamp {
        match self {
            Event::Acquire { time, .. } | Event::Dispose { time, .. } | Event::Move { time, .. } => *time,
        }
    }

    fn id(&self) -> i64 {
        match self {
            Event::Acquire { lot, .. } => *lot,
            Event::Dispose { id, .. } | Event::Move { id, .. } => *id,
        }
    }
}

/// A piece of one lot consumed by a disposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Piece {
    pub lot: LotId,
    pub acquired: Timestamp,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Disposal {
    pub id: i64,
    pub pool: PoolId,
    pub asset: Code,
    pub time: Timestamp,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub proceeds: Option<Decimal>,
    pub pieces: Vec<Piece>,
    /// The sum of the pieces' costs; `None` if any piece's cost is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    /// Proceeds minus cost; `None` if either is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain: Option<Decimal>,
}

impl Disposal {
    /// Whether some of what was sold has no known cost basis: reports list these first, loudly.
    pub fn unknown_basis(&self) -> bool {
        self.cost.is_none()
    }
}

/// What is left of a lot after all events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Holding {
    pub lot: LotId,
    pub pool: PoolId,
    pub asset: Code,
    pub acquired: Timestamp,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
}

/// A move between pools: the pieces that left and the pieces that arrived (the same lots and costs; fewer units
/// when a fee's cost is carried).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MoveRecord {
    pub id: i64,
    pub from: PoolId,
    pub to: PoolId,
    pub asset: Code,
    pub time: Timestamp,
    pub left: Vec<Piece>,
    pub arrived: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Booking {
    pub disposals: Vec<Disposal>,
    pub holdings: Vec<Holding>,
    pub moves: Vec<MoveRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotError {
    #[error("event {event}: sells or moves {wanted} {asset} but only {available} {asset} is held in that account at that time")]
    Oversold { event: i64, asset: Code, pool: PoolId, wanted: Decimal, available: Decimal },
    #[error("event {event}: quantity must be positive (got {qty})")]
    NonPositive { event: i64, qty: Decimal },
    #[error("event {event}: a cost or proceeds figure must not be negative")]
    Negative { event: i64 },
    #[error("event {event} comes before the event preceding it: events must be in time order")]
    OutOfOrder { event: i64 },
    #[error("event {event}: lot {lot} is not held in that account")]
    UnknownLot { event: i64, lot: LotId },
    #[error("event {event}: lot {lot} has {available} left, not {wanted}")]
    LotTooSmall { event: i64, lot: LotId, wanted: Decimal, available: Decimal },
    #[error("event {event}: the named lots add up to {picked}, not the {qty} sold")]
    PickMismatch { event: i64, picked: Decimal, qty: Decimal },
    #[error("event {event}: lot {lot} is acquired twice")]
    DuplicateLot { event: i64, lot: LotId },
    #[error("event {event}: lots cannot be named under average cost")]
    PickNotAllowed { event: i64 },
    #[error("event {event}: average cost cannot be mixed with other methods across years")]
    MethodMix { event: i64 },
}

impl LotError {
    /// The event (transaction id) the error is about.
    pub fn event(&self) -> i64 {
        use LotError as L;
        match self {
            L::Oversold { event, .. }
            | L::NonPositive { event, .. }
            | L::Negative { event }
            | L::OutOfOrder { event }
            | L::UnknownLot { event, .. }
            | L::LotTooSmall { event, .. }
            | L::PickMismatch { event, .. }
            | L::DuplicateLot { event, .. }
            | L::PickNotAllowed { event }
            | L::MethodMix { event } => *event,
        }
    }
}

/// The order in which a method takes lots: the first key is taken first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// FIFO: oldest first. (LIFO uses the same key, taken from the end.)
    Time(Timestamp, LotId, u64),
    /// HIFO: known costs before unknown ones, highest unit cost first, then oldest.
    Cost(bool, std::cmp::Reverse<Decimal>, Timestamp, LotId, u64),
}

#[derive(Debug, Clone)]
struct LotState {
    lot: LotId,
    acquired: Timestamp,
    qty: Decimal,
    cost: Option<Decimal>,
}

#[derive(Default)]
struct Pool {
    order: BTreeMap<Key, LotState>,
    by_lot: FastMap<LotId, Key>,
    held: Decimal,
}

struct Engine {
    method: Method,
    /// Whether lots must be found by id (some disposal names its lots): only then is `Pool::by_lot` kept.
    index_lots: bool,
    pools: FastMap<(PoolId, Code), Pool>,
    seq: u64,
}

/// Takes `q` (at most `*qty`) out of a holding of `*qty` costing `*cost`, and returns the cost of what was taken:
/// `cost × q / qty` rounded half to even at [`ALLOCATION_SCALE`] places, or all the remaining cost when `q` is
/// everything, so that what is taken and what is left always add up to the original cost exactly.
pub(crate) fn take_share(qty: &mut Decimal, cost: &mut Option<Decimal>, q: Decimal) -> Option<Decimal> {
    let piece = if q == *qty {
        *cost
    } else {
        cost.map(|c| (c * (q / *qty)).round_dp_with_strategy(ALLOCATION_SCALE, RoundingStrategy::MidpointNearestEven))
    };
    *qty -= q;
    if let (Some(rem), Some(p)) = (cost.as_mut(), piece) {
        *rem -= p;
    }
    piece
}

/// Takes `q` (≤ remaining) from a lot; returns the piece.
fn take(state: &mut LotState, q: Decimal) -> Piece {
    let cost = take_share(&mut state.qty, &mut state.cost, q);
    Piece { lot: state.lot, acquired: state.acquired, qty: q, cost }
}

impl Engine {
    fn key(&mut self, lot: LotId, acquired: Timestamp, qty: Decimal, cost: Option<Decimal>) -> Key {
        self.seq += 1;
        match self.method {
            Method::Fifo | Method::Lifo | Method::Average => Key::Time(acquired, lot, self.seq),
            Method::Hifo => {
                // A unit cost too large to hold (a huge cost for a tiny quantity) is the highest there is.
                let unit = cost.map(|c| c.checked_div(qty).unwrap_or(Decimal::MAX)).unwrap_or_default();
                Key::Cost(cost.is_none(), std::cmp::Reverse(unit), acquired, lot, self.seq)
            }
        }
    }

    /// Changes the method from here on: every pool's lots are put in the new method's order.
    fn switch(&mut self, method: Method, event: i64) -> Result<(), LotError> {
        if method == self.method {
            return Ok(());
        }
        if method == Method::Average || self.method == Method::Average {
            return Err(LotError::MethodMix { event });
        }
        self.method = method;
        let pools = std::mem::take(&mut self.pools);
        for ((pool, asset), p) in pools {
            self.pools.insert((pool, asset), Pool::default());
            for s in p.order.into_values() {
                self.add(pool, asset, s.lot, s.acquired, s.qty, s.cost);
            }
        }
        Ok(())
    }

    fn add(&mut self, pool: PoolId, asset: Code, lot: LotId, acquired: Timestamp, qty: Decimal, cost: Option<Decimal>) {
        if self.method == Method::Average {
            let p = self.pools.entry((pool, asset)).or_default();
            if let Some(mut entry) = p.order.first_entry() {
                let state = entry.get_mut();
                state.qty += qty;
                state.cost = state.cost.zip(cost).map(|(a, b)| a + b);
                p.held += qty;
                return;
            }
        }
        let key = self.key(lot, acquired, qty, cost);
        let p = self.pools.entry((pool, asset)).or_default();
        p.held += qty;
        if self.index_lots {
            p.by_lot.insert(lot, key.clone());
        }
        p.order.insert(key, LotState { lot, acquired, qty, cost });
    }

    /// Removes `qty` from a pool, in the method's order or as picked.
    fn remove(
        &mut self,
        event: i64,
        pool: PoolId,
        asset: Code,
        qty: Decimal,
        pick: Option<&[(LotId, Decimal)]>,
    ) -> Result<Vec<Piece>, LotError> {
        let lifo = self.method == Method::Lifo;
        let p = self.pools.entry((pool, asset)).or_default();
        if p.held < qty {
            return Err(LotError::Oversold { event, asset, pool, wanted: qty, available: p.held });
        }
        let mut pieces = Vec::new();
        match pick {
            Some(_) if self.method == Method::Average => return Err(LotError::PickNotAllowed { event }),
            Some(pick) => {
                let picked: Decimal = pick.iter().map(|(_, q)| *q).sum();
                if picked != qty {
                    return Err(LotError::PickMismatch { event, picked, qty });
                }
                for (lot, q) in pick {
                    if *q <= Decimal::ZERO {
                        return Err(LotError::NonPositive { event, qty: *q });
                    }
                    let key = p.by_lot.get(lot).cloned().ok_or(LotError::UnknownLot { event, lot: *lot })?;
                    let state = p.order.get_mut(&key).ok_or(LotError::UnknownLot { event, lot: *lot })?;
                    if state.qty < *q {
                        return Err(LotError::LotTooSmall { event, lot: *lot, wanted: *q, available: state.qty });
                    }
                    pieces.push(take(state, *q));
                    if state.qty.is_zero() {
                        p.order.remove(&key);
                        p.by_lot.remove(lot);
                    }
                }
            }
            None => {
                let mut left = qty;
                while !left.is_zero() {
                    let mut entry = if lifo { p.order.last_entry() } else { p.order.first_entry() }
                        .expect("held >= qty guarantees a lot");
                    let state = entry.get_mut();
                    let q = left.min(state.qty);
                    pieces.push(take(state, q));
                    left -= q;
                    if state.qty.is_zero() {
                        let lot = state.lot;
                        entry.remove();
                        if self.index_lots {
                            p.by_lot.remove(&lot);
                        }
                    }
                }
            }
        }
        p.held -= qty;
        Ok(pieces)
    }
}

/// Books events (in time order) with a method. Returns every disposal with the lot pieces it consumed, and what
/// is still held, or the first error.
pub fn book(events: &[Event], method: Method) -> Result<Booking, LotError> {
    book_with(events, &|_| method)
}

/// As [`book`], with the method that applies at each event's time (methods can differ per tax year): a disposal
/// or move takes lots in the order of the method in force at its time. Average cost cannot be mixed with the
/// others.
pub fn book_with(events: &[Event], method_at: &dyn Fn(Timestamp) -> Method) -> Result<Booking, LotError> {
    let first = events.first().map(|e| method_at(e.time())).unwrap_or(Method::Fifo);
    let index_lots = events.iter().any(|e| matches!(e, Event::Dispose { pick: Some(_), .. }));
    let mut engine = Engine { method: first, index_lots, pools: FastMap::default(), seq: 0 };
    let mut booking = Booking::default();
    let mut last: Option<Timestamp> = None;
    let mut seen_lots: FastSet<LotId> = FastSet::default();
    for e in events {
        if last.is_some_and(|t| e.time() < t) {
            return Err(LotError::OutOfOrder { event: e.id() });
        }
        last = Some(e.time());
        match e {
            Event::Acquire { lot, pool, asset, time, qty, cost } => {
                if *qty <= Decimal::ZERO {
                    return Err(LotError::NonPositive { event: *lot, qty: *qty });
                }
                if cost.is_some_and(|c| c < Decimal::ZERO) {
                    return Err(LotError::Negative { event: *lot });
                }
                if !seen_lots.insert(*lot) {
                    return Err(LotError::DuplicateLot { event: *lot, lot: *lot });
                }
                engine.add(*pool, *asset, *lot, *time, *qty, *cost);
            }
            Event::Dispose { id, pool, asset, time, qty, proceeds, pick } => {
                engine.switch(method_at(*time), *id)?;
                if *qty <= Decimal::ZERO {
                    return Err(LotError::NonPositive { event: *id, qty: *qty });
                }
                if proceeds.is_some_and(|p| p < Decimal::ZERO) {
                    return Err(LotError::Negative { event: *id });
                }
                let pieces = engine.remove(*id, *pool, *asset, *qty, pick.as_deref())?;
                let cost = pieces.iter().map(|p| p.cost).sum::<Option<Decimal>>();
                let gain = proceeds.zip(cost).map(|(p, c)| p - c);
                booking.disposals.push(Disposal {
                    id: *id,
                    pool: *pool,
                    asset: *asset,
                    time: *time,
                    qty: *qty,
                    proceeds: *proceeds,
                    pieces,
                    cost,
                    gain,
                });
            }
            Event::Move { id, from, to, asset, time, qty, fee } => {
                engine.switch(method_at(*time), *id)?;
                if *qty <= Decimal::ZERO || *fee < Decimal::ZERO {
                    return Err(LotError::NonPositive { event: *id, qty: *qty });
                }
                let pieces = engine.remove(*id, *from, *asset, *qty + *fee, None)?;
                // With a carried fee, each piece arrives smaller by the same share, keeping all its cost; the
                // last piece takes what is left so the quantities add up to `qty` exactly.
                let (mut left_in, mut left_out) = (*qty, *qty + *fee);
                let n = pieces.len();
                let mut record = MoveRecord {
                    id: *id,
                    from: *from,
                    to: *to,
                    asset: *asset,
                    time: *time,
                    left: pieces.clone(),
                    arrived: Vec::with_capacity(n),
                };
                for (i, piece) in pieces.into_iter().enumerate() {
                    let arrived = if fee.is_zero() {
                        piece.qty
                    } else if i + 1 == n {
                        left_in
                    } else {
                        crate::tax::share(piece.qty, left_in, left_out)
                            .round_dp_with_strategy(ALLOCATION_SCALE, RoundingStrategy::MidpointNearestEven)
                    };
                    left_in -= arrived;
                    left_out -= piece.qty;
                    if arrived > Decimal::ZERO {
                        engine.add(*to, *asset, piece.lot, piece.acquired, arrived, piece.cost);
                        record.arrived.push(Piece { qty: arrived, ..piece });
                    }
                }
                booking.moves.push(record);
            }
        }
    }
    let mut holdings: Vec<Holding> = engine
        .pools
        .into_iter()
        .flat_map(|((pool, asset), p)| {
            p.order.into_values().map(move |s| Holding {
                lot: s.lot,
                pool,
                asset,
                acquired: s.acquired,
                qty: s.qty,
                cost: s.cost,
            })
        })
        .collect();
    holdings.sort_by_key(|h| (h.pool, h.asset, h.acquired, h.lot));
    booking.holdings = holdings;
    Ok(booking)
}
