//! The beancount export read by beancount itself: `bean-check` (beancount 3, installed from PyPI by
//! `scripts/setup.sh`) on the export of generated histories with own transfers (network fees kept as a disposal or
//! carried in the basis), fees, income and crypto-for-crypto trades, for every lot method. An entry that does not
//! balance to beancount's own arithmetic, a reduction that matches no lot or two, or an account used before it
//! is opened fails the test with bean-check's message.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use offramp_core::Decimal;

/// bean-check: `$OFFRAMP_BEAN_CHECK`, else the one `scripts/setup.sh` installs, else the one on the PATH.
fn bean_check() -> PathBuf {
    if let Some(p) = std::env::var_os("OFFRAMP_BEAN_CHECK") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let installed = home.join(".cache/offramp/py/bin/bean-check");
    if installed.exists() {
        return installed;
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("bean-check"))
        .find(|p| p.exists());
    on_path.unwrap_or_else(|| {
        panic!("bean-check is not installed: run scripts/setup.sh (it installs beancount from PyPI), or set OFFRAMP_BEAN_CHECK")
    })
}

/// A small deterministic generator (a 64-bit LCG), so a failure can be reproduced from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A decimal in (0, max] with `places` decimal places.
    fn amount(&mut self, max: Decimal, places: u32) -> Decimal {
        let scale = 10u64.pow(places.min(9));
        let f = Decimal::from(self.below(scale) + 1) / Decimal::from(scale);
        let extra = if places > 9 { Decimal::new(self.below(1_000_000_000) as i64, places) } else { Decimal::ZERO };
        (max * f + extra).round_dp(places).max(Decimal::new(1, places)).min(max)
    }
}

/// A history of buys, sells, own transfers (some with a network fee recorded, some losing units on the way),
/// standalone fees, staking income and ETH-for-BTC trades, over three accounts, never selling more than an
/// account holds.
fn history(seed: u64) -> String {
    let mut r = Rng(seed);
    let accounts = ["Kraken", "Ledger Nano", "Coinbase"];
    let mut held: HashMap<(&str, &str), Decimal> = HashMap::new();
    let places = |asset: &str| if asset == "ETH" { 18 } else { 8 };
    let mut csv = String::from(
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,\
         fiat_value,fiat_currency,external_id,note\n",
    );
    let mut t = chrono::DateTime::parse_from_rfc3339("2023-01-02T10:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let price = |asset: &str, r: &mut Rng| -> Decimal {
        let base = if asset == "BTC" { 20_000 } else { 1_500 };
        Decimal::from(base + r.below(base)) + Decimal::new(r.below(100) as i64, 2)
    };
    for n in 0..160 {
        t += chrono::Duration::minutes(600 + r.below(4000) as i64);
        let ts = t.format("%Y-%m-%dT%H:%M:%SZ");
        let asset = if r.below(3) == 0 { "ETH" } else { "BTC" };
        let account = accounts[r.below(3) as usize];
        let have = held.get(&(account, asset)).copied().unwrap_or_default();
        let p = price(asset, &mut r);
        let kind = r.below(10);
        if have.is_zero() || kind < 3 {
            // A buy, its fee in USD or (sometimes) in the asset bought.
            let q = r.amount(Decimal::from(2), places(asset));
            let cost = (q * p).round_dp(2).max(Decimal::new(1, 2));
            if r.below(4) == 0 {
                let fee = (q / Decimal::from(400)).round_dp(places(asset)).max(Decimal::new(1, places(asset)));
                writeln!(csv, "{ts},buy,{account},{cost},USD,{q},{asset},{fee},{asset},,,g{n},").unwrap();
                *held.entry((account, asset)).or_default() += q - fee;
            } else {
                let fee = (cost / Decimal::from(250)).round_dp(2);
                writeln!(csv, "{ts},buy,{account},{cost},USD,{q},{asset},{fee},USD,,,g{n},").unwrap();
                *held.entry((account, asset)).or_default() += q;
            }
        } else if kind < 5 {
            // An own transfer: out-leg and in-leg a few minutes apart.
            let to = accounts[(accounts.iter().position(|a| *a == account).unwrap() + 1 + r.below(2) as usize) % 3];
            let q = (have * r.amount(Decimal::ONE, 4)).round_dp(places(asset)).min(have);
            if q.is_zero() {
                continue;
            }
            let value = (q * p).round_dp(2);
            let arrive = (t + chrono::Duration::minutes(5 + r.below(50) as i64)).format("%Y-%m-%dT%H:%M:%SZ");
            if r.below(2) == 0 && q < have {
                // The network fee recorded on the out-leg.
                let fee = ((have - q) / Decimal::from(100)).round_dp(places(asset)).max(Decimal::new(1, places(asset)));
                let fee = fee.min(have - q);
                writeln!(csv, "{ts},transfer_out,{account},{q},{asset},,,{fee},{asset},{value},USD,,").unwrap();
                writeln!(csv, "{arrive},transfer_in,{to},,,{q},{asset},,,,,,").unwrap();
                *held.entry((account, asset)).or_default() -= q + fee;
            } else {
                // Units lost on the way (no fee recorded): the in-leg is a little short.
                let lost = (q / Decimal::from(1000)).round_dp(places(asset));
                let arrived = q - lost;
                writeln!(csv, "{ts},transfer_out,{account},{q},{asset},,,,,{value},USD,,").unwrap();
                writeln!(csv, "{arrive},transfer_in,{to},,,{arrived},{asset},,,,,,").unwrap();
                *held.entry((account, asset)).or_default() -= q;
                *held.entry((to, asset)).or_default() += arrived;
                continue;
            }
            *held.entry((to, asset)).or_default() += q;
        } else if kind < 7 {
            // A sale of part of what the account holds, fee in USD.
            let q = (have * r.amount(Decimal::ONE, 3)).round_dp(places(asset)).min(have);
            if q.is_zero() {
                continue;
            }
            let proceeds = (q * p).round_dp(2).max(Decimal::new(1, 2));
            let fee = (proceeds / Decimal::from(400)).round_dp(2);
            writeln!(csv, "{ts},sell,{account},{q},{asset},{proceeds},USD,{fee},USD,,,s{n},").unwrap();
            *held.entry((account, asset)).or_default() -= q;
        } else if kind < 8 {
            // Staking income at its value.
            let q = r.amount(Decimal::new(5, 2), places(asset));
            writeln!(csv, "{ts},staking,{account},,,{q},{asset},,,{},USD,,", (q * p).round_dp(2)).unwrap();
            *held.entry((account, asset)).or_default() += q;
        } else if kind < 9 {
            // A standalone fee paid in crypto, with its value.
            let q = (have / Decimal::from(500)).round_dp(places(asset)).min(have);
            if q.is_zero() {
                continue;
            }
            writeln!(csv, "{ts},fee,{account},,,,,{q},{asset},{},USD,,", (q * p).round_dp(2).max(Decimal::new(1, 2)))
                .unwrap();
            *held.entry((account, asset)).or_default() -= q;
        } else if asset == "ETH" {
            // ETH for BTC at its value.
            let q = (have * r.amount(Decimal::ONE, 3)).round_dp(18).min(have);
            if q.is_zero() {
                continue;
            }
            let value = (q * p).round_dp(2).max(Decimal::new(1, 2));
            let btc = (value / price("BTC", &mut r)).round_dp(8).max(Decimal::new(1, 8));
            writeln!(csv, "{ts},trade,{account},{q},ETH,{btc},BTC,,,{value},USD,x{n},").unwrap();
            *held.entry((account, "ETH")).or_default() -= q;
            *held.entry((account, "BTC")).or_default() += btc;
        }
    }
    csv
}

fn check(file: &Path) {
    let out = Command::new(bean_check()).arg(file).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(),
        "bean-check refused {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
}

#[test]
fn bean_check_accepts_the_export_of_generated_histories() {
    for seed in [1u64, 7, 2024] {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let csv = tmp.path().join(format!("history-{seed}.csv"));
        std::fs::write(&csv, history(seed)).unwrap();
        ok(run(&data, &["init"]));
        ok(run(&data, &["import", csv.to_str().unwrap()]));
        let linked = ok(run(&data, &["transfers", "confirm-all"]));
        assert!(linked.starts_with("Linked "), "seed {seed}: {linked}");
        for treatment in ["disposal", "basis"] {
            ok(run(&data, &["settings", "transfer-fee", "us", treatment]));
            for method in ["fifo", "lifo", "hifo"] {
                let file = tmp.path().join(format!("{seed}-{treatment}-{method}.beancount"));
                ok(run(
                    &data,
                    &["export", "--format", "beancount", "--method", method, "--out", file.to_str().unwrap()],
                ));
                let text = std::fs::read_to_string(&file).unwrap();
                assert!(text.contains("lot-"), "seed {seed}: no lot in the export");
                assert!(text.contains("transfer_out"), "seed {seed}: no own transfer in the export");
                check(&file);
            }
        }
    }
}

/// The checker must be able to fail: an entry unbalanced by a millionth of a dollar is refused.
#[test]
fn bean_check_refuses_an_unbalanced_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let csv = tmp.path().join("h.csv");
    std::fs::write(&csv, history(3)).unwrap();
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", csv.to_str().unwrap()]));
    ok(run(&data, &["transfers", "confirm-all"]));
    let file = tmp.path().join("a.beancount");
    ok(run(&data, &["export", "--format", "beancount", "--out", file.to_str().unwrap()]));
    let text = std::fs::read_to_string(&file).unwrap();
    // Change the first cash leg in dollars by a cent.
    let line = text
        .lines()
        .find(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            t.len() == 3 && t[0].starts_with("Assets:") && t[2] == "USD" && t[1].parse::<Decimal>().is_ok()
        })
        .unwrap();
    let t: Vec<&str> = line.split_whitespace().collect();
    let changed = format!("  {} {} USD", t[0], t[1].parse::<Decimal>().unwrap() - Decimal::new(1, 2));
    let bad = tmp.path().join("bad.beancount");
    std::fs::write(&bad, text.replacen(line, &changed, 1)).unwrap();
    let out = Command::new(bean_check()).arg(&bad).output().unwrap();
    assert!(!out.status.success(), "bean-check accepted an unbalanced entry");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not balance"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
