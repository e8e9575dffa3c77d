//! From transactions to a US gains report: costs with fees, proceeds net of fees, terms, transfers, unknowns.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use offramp_core::holding::Term;
use offramp_core::lots::{book, Method, PoolId};
use offramp_core::tax::{to_events, us_rows, Flag};
use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn a(s: &str) -> Option<Amount> {
    Some(Amount::parse(s).unwrap())
}

fn tx(
    day: &str,
    kind: TxKind,
    account: &str,
    sent: Option<Amount>,
    received: Option<Amount>,
    fee: Option<Amount>,
) -> Transaction {
    Transaction {
        timestamp: Timestamp::parse_rfc3339(&format!("{day}T12:00:00Z")).unwrap(),
        account: account.into(),
        kind,
        sent,
        received,
        fee,
        fiat_value: None,
        external_id: None,
        note: String::new(),
    }
}

fn usd() -> Code {
    Code::parse("USD").unwrap()
}

fn pools() -> impl FnMut(&str) -> PoolId {
    let mut names: Vec<String> = Vec::new();
    move |name: &str| {
        let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        });
        PoolId(i as u32)
    }
}

/// Bought 1 BTC on 10 Jan 2023 for $20,000 + $100 fee and 1 BTC on 1 Jun 2024 for $30,000; sold 1.5 BTC on
/// 1 Aug 2024 for $60,000 less a $60 fee. FIFO: 1 BTC from the first lot (held more than a year: long term,
/// basis $20,100, proceeds $39,960, gain $19,860) and 0.5 BTC from the second (short term, basis $15,000,
/// proceeds $19,980, gain $4,980).
#[test]
fn us_fifo_with_fees_and_terms() {
    let txs = vec![
        (1, tx("2023-01-10", TxKind::Buy, "Coinbase", a("20000 USD"), a("1 BTC"), a("100 USD"))),
        (2, tx("2024-06-01", TxKind::Buy, "Coinbase", a("30000 USD"), a("1 BTC"), None)),
        (3, tx("2024-08-01", TxKind::Sell, "Coinbase", a("1.5 BTC"), a("60000 USD"), a("60 USD"))),
    ];
    let conv = to_events(&txs, &[], usd(), &mut pools());
    assert!(conv.flags.is_empty());
    let rows = us_rows(&book(&conv.events, Method::Fifo).unwrap(), 2024);
    let got: Vec<_> = rows.iter().map(|r| (r.lot, r.qty, r.proceeds, r.cost, r.gain, r.term)).collect();
    assert_eq!(
        got,
        [
            (1, d("1"), Some(d("39960")), Some(d("20100")), Some(d("19860")), Term::Long),
            (2, d("0.5"), Some(d("19980")), Some(d("15000")), Some(d("4980")), Term::Short),
        ]
    );
    assert!(us_rows(&book(&conv.events, Method::Fifo).unwrap(), 2023).is_empty());
}

#[test]
fn fees_in_crypto_transfers_and_unknowns() {
    let txs = vec![
        // Fee in the bought asset: the lot is 0.0998 BTC for $4,000.
        (1, tx("2024-01-04", TxKind::Buy, "Kraken", a("4000 USD"), a("0.1 BTC"), a("0.0002 BTC"))),
        // Confirmed move: 0.05 sent with a 0.0001 fee on top, 0.0499 arrived: 0.0002 BTC was spent on the move.
        (2, tx("2024-02-01", TxKind::TransferOut, "Kraken", a("0.05 BTC"), None, a("0.0001 BTC"))),
        (3, tx("2024-02-01", TxKind::TransferIn, "Nano", None, a("0.0499 BTC"), None)),
        // Crypto of unknown origin arrives; a fee paid in BNB on a buy.
        (4, tx("2024-03-01", TxKind::TransferIn, "Nano", None, a("0.01 BTC"), None)),
        (5, tx("2024-03-02", TxKind::Buy, "Binance", a("1000 EUR"), a("0.02 BTC"), a("0.001 BNB"))),
        // Sell everything held on the Nano.
        (6, tx("2024-04-01", TxKind::Sell, "Nano", a("0.0599 BTC"), a("4000 USD"), None)),
    ];
    let conv = to_events(&txs, &[(2, 3)], usd(), &mut pools());
    assert_eq!(conv.flags[&2], [Flag::TransferFee]);
    assert_eq!(conv.flags[&4], [Flag::UnknownOrigin]);
    assert!(conv.flags[&5].contains(&Flag::FeeInOtherAsset) && conv.flags[&5].contains(&Flag::ForeignCurrency));
    // The BNB fee is a disposal of BNB nobody has: booking refuses it rather than invent a lot.
    assert!(book(&conv.events, Method::Fifo).is_err());
    let conv = to_events(
        &txs[..4].iter().cloned().chain([txs[5].clone()]).collect::<Vec<_>>(),
        &[(2, 3)],
        usd(),
        &mut pools(),
    );
    let b = book(&conv.events, Method::Fifo).unwrap();
    let rows = us_rows(&b, 2024);
    // Unknown first: the network's 0.0002 BTC (no proceeds known) and the unknown-origin piece.
    assert!(rows[0].gain.is_none() && rows[1].gain.is_none());
    let known: Vec<_> = rows.iter().filter(|r| r.gain.is_some()).map(|r| (r.lot, r.qty, r.cost)).collect();
    // 0.0499 of lot 1 moved to the Nano with its share of the $4,000: 4000 × 0.0499 / 0.0998 = 2000.
    assert_eq!(known, [(1, d("0.0499"), Some(d("2000")))]);
    let kraken_left: Decimal = b.holdings.iter().filter(|h| h.pool == PoolId(0)).map(|h| h.qty).sum();
    assert_eq!(kraken_left, d("0.0497"), "0.0998 − 0.05 − 0.0001");
}

#[test]
fn trades_income_and_unmatched_withdrawals() {
    let mut staking = tx("2024-01-02", TxKind::Staking, "Kraken", None, a("1 ETH"), None);
    staking.fiat_value = a("2300 USD");
    let mut trade = tx("2024-02-02", TxKind::Trade, "Kraken", a("1 ETH"), a("0.05 BTC"), None);
    trade.fiat_value = a("2500 USD");
    let txs =
        vec![(1, staking), (2, trade), (3, tx("2024-03-01", TxKind::TransferOut, "Kraken", a("0.05 BTC"), None, None))];
    let conv = to_events(&txs, &[], usd(), &mut pools());
    assert_eq!(conv.income, [(1, Code::parse("ETH").unwrap(), d("1"), Some(d("2300")))]);
    assert_eq!(conv.flags[&3], [Flag::UnknownDestination]);
    let b = book(&conv.events, Method::Fifo).unwrap();
    let rows = us_rows(&b, 2024);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].proceeds, rows[0].cost, rows[0].gain), (Some(d("2500")), Some(d("2300")), Some(d("200"))));
    // The BTC left to an unknown place: not sold, not held in any account.
    assert!(b.holdings.iter().all(|h| h.pool == offramp_core::tax::OUTSIDE));
}

/// US universal application up to 2024, per-account basis from 2025 (Rev. Proc. 2024-28 transition).
/// A buys 1 BTC for 10,000 (2023-01-05); B buys 1 for 30,000 (2023-06-05); B sells 1 for 50,000 (2024-03-05).
/// Universal FIFO: that sale takes the oldest lot anywhere (A's, basis 10,000): gain 40,000. At 2025-01-01 the
/// remaining lot (30,000, acquired 2023-06-05) goes to the account that holds the unit, A. A sells 1 for 60,000
/// (2025-02-05): basis 30,000, long term. Per account throughout: 20,000 then 50,000.
#[test]
fn universal_until_2024_then_per_account() {
    use offramp_core::tax::{universal_before, UNIVERSAL};
    let buy = |day: &str, acct: &str, usd_paid: &str| tx(day, TxKind::Buy, acct, a(usd_paid), a("1 BTC"), None);
    let sell = |day: &str, acct: &str, usd_got: &str| tx(day, TxKind::Sell, acct, a("1 BTC"), a(usd_got), None);
    let txs: Vec<(i64, Transaction)> = vec![
        buy("2023-01-05", "A", "10000 USD"),
        buy("2023-06-05", "B", "30000 USD"),
        sell("2024-03-05", "B", "50000 USD"),
        sell("2025-02-05", "A", "60000 USD"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, t)| (i as i64 + 1, t))
    .collect();
    let per_account = to_events(&txs, &[], usd(), &mut pools()).events;
    let cutoff = Timestamp::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let transition = universal_before(per_account.clone(), cutoff).unwrap();
    let b = book(&transition, Method::Fifo).unwrap();
    let gains: Vec<(i64, Option<Decimal>)> = b.disposals.iter().map(|d| (d.id, d.gain)).collect();
    assert_eq!(gains, [(3, Some(d("40000"))), (4, Some(d("30000")))]);
    assert_eq!(b.disposals[0].pool, UNIVERSAL);
    assert_eq!(b.disposals[1].pieces[0].lot, 2, "the 2023-06-05 lot was allocated to A");
    let rows = us_rows(&b, 2025);
    assert_eq!(rows[0].term, Term::Long);
    // All 40,000 of cost is used exactly once, nothing is left.
    let used: Decimal = b.disposals.iter().filter_map(|d| d.cost).sum();
    assert_eq!((used, b.holdings.len()), (d("40000"), 0));
    // Per account for every year: B's own lot, then A's own lot.
    let b = book(&per_account, Method::Fifo).unwrap();
    let gains: Vec<(i64, Option<Decimal>)> = b.disposals.iter().map(|d| (d.id, d.gain)).collect();
    assert_eq!(gains, [(3, Some(d("20000"))), (4, Some(d("50000")))]);
    // An account that sold more than it held before 2025 cannot receive lots at the transition.
    let bad: Vec<(i64, Transaction)> = vec![
        (1, buy("2023-01-05", "A", "10000 USD")),
        (2, buy("2023-02-05", "A", "10000 USD")),
        (3, sell("2024-03-05", "B", "50000 USD")),
    ];
    let e = universal_before(to_events(&bad, &[], usd(), &mut pools()).events, cutoff).unwrap_err();
    assert_eq!(e.qty, d("-1"));
    assert_eq!(e.event, 3, "names the sale that took B below zero");
}

/// Methods can differ per tax year: FIFO in 2023, HIFO from 2024.
#[test]
fn methods_per_tax_year() {
    use offramp_core::lots::book_with;
    let buy = |day: &str, usd_paid: &str| tx(day, TxKind::Buy, "A", a(usd_paid), a("1 BTC"), None);
    let sell = |day: &str| tx(day, TxKind::Sell, "A", a("1 BTC"), a("50000 USD"), None);
    let txs: Vec<(i64, Transaction)> = vec![
        buy("2022-01-05", "10000 USD"),
        buy("2022-02-05", "40000 USD"),
        buy("2022-03-05", "20000 USD"),
        sell("2023-05-05"),
        sell("2024-05-05"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, t)| (i as i64 + 1, t))
    .collect();
    let events = to_events(&txs, &[], usd(), &mut pools()).events;
    let method = |t: Timestamp| {
        if t.date_utc() < chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() {
            Method::Fifo
        } else {
            Method::Hifo
        }
    };
    let b = book_with(&events, &method).unwrap();
    // 2023 FIFO: the 10,000 lot; 2024 HIFO: the 40,000 lot (not the 20,000 one FIFO would take).
    let lots: Vec<i64> = b.disposals.iter().map(|d| d.pieces[0].lot).collect();
    assert_eq!(lots, [1, 2]);
    assert!(book_with(&events, &|t| if t.date_utc() < chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() {
        Method::Fifo
    } else {
        Method::Average
    })
    .is_err());
}

/// The network fee of an own transfer, both treatments. A buys 1.001 BTC for 30,030 USD; sends 1 BTC plus a
/// 0.001 BTC fee to B (the out-leg's value: 60,000 USD for the 1 BTC sent); B sells 1 BTC for 70,000.
/// - disposal (default): the 0.001 BTC is sold for its value, 60,000 × 0.001 = 60, against its cost 30.
/// - basis: no disposal; B's 1 BTC carries the whole 30,030 and its sale gains 39,970.
#[test]
fn transfer_fee_treatments() {
    use offramp_core::tax::{to_events_with, Options, TransferFee};
    let mut out = tx("2024-02-01", TxKind::TransferOut, "A", a("1 BTC"), None, a("0.001 BTC"));
    out.fiat_value = a("60000 USD");
    let txs: Vec<(i64, Transaction)> = vec![
        (1, tx("2024-01-01", TxKind::Buy, "A", a("30030 USD"), a("1.001 BTC"), None)),
        (2, out),
        (3, tx("2024-02-01", TxKind::TransferIn, "B", None, a("1 BTC"), None)),
        (4, tx("2024-03-01", TxKind::Sell, "B", a("1 BTC"), a("70000 USD"), None)),
    ];
    let run = |treatment| {
        let conv = to_events_with(&txs, &[(2, 3)], usd(), &mut pools(), Options { transfer_fee: treatment });
        (book(&conv.events, Method::Fifo).unwrap(), conv.flags)
    };
    let (b, flags) = run(TransferFee::Disposal);
    let gains: Vec<(i64, Option<Decimal>, Option<Decimal>)> =
        b.disposals.iter().map(|d| (d.id, d.proceeds, d.gain)).collect();
    assert_eq!(gains, [(2, Some(d("60")), Some(d("30"))), (4, Some(d("70000")), Some(d("40000")))]);
    assert!(!flags.get(&2).is_some_and(|f| f.contains(&Flag::TransferFee)), "a known value is not flagged");
    let (b, _) = run(TransferFee::Basis);
    let gains: Vec<(i64, Option<Decimal>)> = b.disposals.iter().map(|d| (d.id, d.gain)).collect();
    assert_eq!(gains, [(4, Some(d("39970")))]);
    assert!(b.holdings.is_empty());
    // Without a value on the out-leg, the default disposal's proceeds are unknown and flagged.
    let mut txs2 = txs.clone();
    txs2[1].1.fiat_value = None;
    let conv = to_events_with(&txs2, &[(2, 3)], usd(), &mut pools(), Options::default());
    assert!(conv.flags[&2].contains(&Flag::TransferFee));
    let b = book(&conv.events, Method::Fifo).unwrap();
    assert_eq!(b.disposals[0].proceeds, None);
}
