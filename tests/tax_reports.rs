//! Tax reports people can file: Canada's ACB by the Income Tax Act's own order of events, an account that sold
//! more than it held, Germany's outputs, totals that add up on paper, and the PDF read back with `pdftotext`
//! against the CSV's totals.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use offramp_core::Decimal;

const HEADER: &str = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note\n";

/// A new ledger holding `rows` (generic CSV lines, without the header).
fn ledger(dir: &Path, rows: &str) -> std::path::PathBuf {
    let data = dir.join("data");
    let file = dir.join("history.csv");
    std::fs::write(&file, format!("{HEADER}{rows}")).unwrap();
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", file.to_str().unwrap()]));
    data
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

fn dec(v: &serde_json::Value) -> Decimal {
    d(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

/// s.47: a sale at 10:00 averages over the units owned at 10:00, not over a purchase at 18:00 the same day.
#[test]
fn canada_averages_over_what_is_owned_at_the_sale() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-01-10T12:00:00Z,buy,Wealthsimple,1000,CAD,10,BTC,,,,,b1,\n\
         2024-06-01T10:00:00Z,sell,Wealthsimple,0.5,BTC,100,CAD,,,,,s1,\n\
         2024-06-01T18:00:00Z,buy,Wealthsimple,300,CAD,1,BTC,,,,,b2,\n",
    );
    let r = json(&ok(run(&data, &["report", "ca", "--year", "2024", "--json"])));
    let row = &r["rows"][0];
    assert_eq!((dec(&row["acb"]), dec(&row["gain"]), dec(&row["denied_loss"])), (d("50"), d("50"), d("0")), "{r}");
}

/// s.53(1)(f): the loss denied on 1 Feb (1 unit bought back on 5 Feb and held) is in the ACB of the 10 Feb sale;
/// a loss year shows its net capital loss.
#[test]
fn canada_adds_a_denied_loss_once_the_substitute_is_held() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-01-01T12:00:00Z,buy,Wealthsimple,1000,CAD,10,BTC,,,,,b1,\n\
         2024-02-01T12:00:00Z,sell,Wealthsimple,5,BTC,250,CAD,,,,,s1,\n\
         2024-02-05T12:00:00Z,buy,Wealthsimple,60,CAD,1,BTC,,,,,b2,\n\
         2024-02-10T12:00:00Z,sell,Wealthsimple,5,BTC,300,CAD,,,,,s2,\n",
    );
    let r = json(&ok(run(&data, &["report", "ca", "--year", "2024", "--json"])));
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(dec(&rows[0]["denied_loss"]), d("50"), "{r}");
    // 5/6 of (500 + 60 + 50).
    assert_eq!(dec(&rows[1]["acb"]).round_dp(2), d("508.33"), "{r}");
    let t = &r["totals"];
    assert_eq!(t["taxable"]["value"], "0.00");
    let net = dec(&t["net"]["value"]);
    assert!(net < Decimal::ZERO);
    assert_eq!(dec(&t["net_capital_loss"]["value"]), (-net / Decimal::TWO).round_dp(2), "{t}");
    let text = ok(run(&data, &["report", "ca", "--year", "2024"]));
    assert!(text.contains("Net capital loss of the year"), "{text}");
}

/// exB sells 0.5 BTC in May 2024 holding nothing, then buys 1 BTC: the report of 2024 stops naming that sale and
/// its file line (it is not booked against exA's lot); 2023 still reports.
#[test]
fn an_account_that_sold_more_than_it_held_before_2025_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2023-03-01T12:00:00Z,buy,exA,20000,USD,1,BTC,,,,,a1,\n\
         2023-09-01T12:00:00Z,sell,exA,0.1,BTC,3000,USD,,,,,a2,\n\
         2024-05-01T12:00:00Z,sell,exB,0.5,BTC,30000,USD,,,,,b1,\n\
         2024-06-01T12:00:00Z,buy,exB,60000,USD,1,BTC,,,,,b2,\n",
    );
    let out = run(&data, &["report", "gains", "--year", "2024"]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.starts_with("error[INVALID_INPUT]: account exB sells or sends more BTC than it holds"), "{e}");
    assert!(e.contains("history.csv:4"), "names the transaction's file and line: {e}");
    let ok2023 = ok(run(&data, &["report", "gains", "--year", "2023"]));
    assert!(ok2023.contains(",0.1,3000.00,2000.00,1000.00,short,"), "{ok2023}");
}

/// Germany: the CSV names each piece's wallet; unknown rows come first in the text; an unknown taxable row makes
/// the Freigrenze verdict uncertain.
#[test]
fn germany_lists_unknowns_first_and_says_the_verdict_is_uncertain() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-01-05T12:00:00Z,buy,Bitvavo,100,EUR,1,ETH,,,,,b1,\n\
         2024-02-01T12:00:00Z,deposit,Bitvavo,,,1,SOL,,,,,d1,from somewhere\n\
         2024-03-01T12:00:00Z,sell,Bitvavo,0.5,ETH,80,EUR,,,,,s1,\n\
         2024-04-01T12:00:00Z,sell,Bitvavo,1,SOL,150,EUR,,,,,s2,\n",
    );
    let text = ok(run(&data, &["report", "de", "--year", "2024"]));
    let unknown = text.find("Unknown value").unwrap_or_else(|| panic!("{text}"));
    let taxable = text.find("Taxable: held one year or less").unwrap();
    assert!(unknown < taxable, "{text}");
    assert!(text.contains("NOT KNOWN whether these gains stay below it"), "{text}");
    let r = json(&ok(run(&data, &["report", "de", "--year", "2024", "--json"])));
    assert_eq!(r["freigrenze"]["verdict"], "uncertain");
    let csv = ok(run(&data, &["report", "gains", "--year", "2024", "--jurisdiction", "de"]));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let w = header.iter().position(|h| *h == "wallet").unwrap_or_else(|| panic!("{csv}"));
    assert!(csv.lines().skip(1).all(|l| l.split(',').nth(w) == Some("Bitvavo")), "{csv}");
}

/// The totals a report prints are the sums of its rows as printed (three sales whose exact sum rounds differently
/// from the sum of their rounded rows).
#[test]
fn totals_are_the_sums_of_the_printed_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-01-01T12:00:00Z,buy,Kraken,100,USD,3,BTC,,,,,b1,\n\
         2024-02-01T12:00:00Z,sell,Kraken,1,BTC,100.005,USD,,,,,s1,\n\
         2024-02-02T12:00:00Z,sell,Kraken,1,BTC,100.005,USD,,,,,s2,\n\
         2024-02-03T12:00:00Z,sell,Kraken,1,BTC,100.005,USD,,,,,s3,\n",
    );
    let out = run(&data, &["report", "gains", "--year", "2024"]);
    let csv = ok(Output { stderr: Vec::new(), ..out.clone() });
    let rows: Decimal = csv.lines().skip(1).map(|l| d(l.split(',').nth(6).unwrap())).sum();
    let summary = stderr(&out);
    assert!(summary.contains(&format!("short-term gain {rows} USD")), "rows add to {rows}: {summary}");
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils, installed by scripts/setup.sh) could not run: {e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The last number on the PDF line that starts with `label`.
fn figure(text: &str, label: &str) -> Decimal {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"));
    d(line.split_whitespace().last().unwrap())
}

/// Each jurisdiction's PDF, read back as text, carries the totals of its CSV and lists the unknown rows first.
#[test]
fn the_pdf_reads_back_with_the_csv_totals() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2023-01-05T12:00:00Z,buy,Kraken,20000,USD,1,BTC,,,,,b1,\n\
         2024-01-05T12:00:00Z,buy,Kraken,40000,USD,1,BTC,10,USD,,,b2,\n\
         2024-02-01T12:00:00Z,deposit,Kraken,,,0.3,BTC,,,,,d1,unknown origin\n\
         2024-03-01T12:00:00Z,sell,Kraken,1.2,BTC,60000,USD,30,USD,,,s1,\n\
         2024-06-01T12:00:00Z,sell,Kraken,0.9,BTC,50000,USD,25,USD,,,s2,\n",
    );
    // US: Form 8949 rows and Schedule D lines, as the 8949 CSV's summary prints them.
    let f8949 =
        ok(run(&data, &["report", "8949", "--year", "2024", "--out", tmp.path().join("f.csv").to_str().unwrap()]));
    let pdf = tmp.path().join("us.pdf");
    ok(run(&data, &["report", "pdf", "--year", "2024", "--out", pdf.to_str().unwrap()]));
    let text = pdftotext(&pdf);
    for line in f8949.lines().filter(|l| l.starts_with("Schedule D line")) {
        // "Schedule D line 3 (Form 8949 box C): proceeds P, cost C, adjustments 0.00, gain or (loss) G"
        let n = line.split_whitespace().nth(3).unwrap();
        let gain = d(line.rsplit(' ').next().unwrap());
        assert_eq!(figure(&text, &format!("Line {n} (Form 8949")), gain, "{line}\n{text}");
    }
    let resolve = text.find("Figures to resolve before filing: 1").unwrap_or_else(|| panic!("{text}"));
    assert!(resolve < text.find("Schedule D (Form 1040)").unwrap());
    assert!(text.contains("Form 8949 (2024), Part I - Short-Term, box C checked"), "{text}");
    assert!(text.contains("Form 8949 (2024), Part II - Long-Term, box F checked"), "{text}");
    assert!(text.contains("history.csv"), "the sources are listed: {text}");
    let gains_out = run(&data, &["report", "gains", "--year", "2024"]);
    let rows: Decimal = stdout(&gains_out)
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(6).and_then(|v| v.parse::<Decimal>().ok()))
        .sum();
    assert_eq!(figure(&text, "Line 16"), rows, "{text}");

    // UK: the SA108 boxes.
    let uk = json(&ok(run(&data, &["report", "uk", "--year", "2023", "--json"])));
    let pdf = tmp.path().join("uk.pdf");
    ok(run(&data, &["report", "pdf", "--jurisdiction", "uk", "--year", "2023", "--out", pdf.to_str().unwrap()]));
    let text = pdftotext(&pdf);
    assert_eq!(figure(&text, "Number of disposals"), Decimal::from(uk["sa108"]["disposals"].as_u64().unwrap()));
    assert_eq!(figure(&text, "Disposal proceeds"), dec(&uk["sa108"]["proceeds"]["value"]));
    assert!(text.contains("converted at HMRC's monthly exchange rate"), "{text}");
    // The proceeds of 1.2 BTC sold for 60,000 USD less 30 USD on 1 March 2024, at HMRC's March 2024 rate of 1.2614
    // USD per GBP: 59,970 / 1.2614 = 47,542.41.
    assert!(text.contains("2024-03-01 1.2 BTC: proceeds 47542.41, allowable cost UNKNOWN"), "{text}");

    // Germany converts at the ECB's rates: the PDF's Anlage SO line is the text report's; the unknown row is the
    // sale of the coins of unknown origin.
    let de = ok(run(&data, &["report", "de", "--year", "2024"]));
    let anlage = de.lines().find(|l| l.starts_with("Anlage SO")).unwrap_or_else(|| panic!("{de}"));
    let de_gain = d(anlage.rsplit(' ').next().unwrap());
    let pdf = tmp.path().join("de.pdf");
    ok(run(&data, &["report", "pdf", "--jurisdiction", "de", "--year", "2024", "--out", pdf.to_str().unwrap()]));
    let text = pdftotext(&pdf);
    assert!(text.contains("Figures to resolve before filing: 1"), "{text}");
    assert_eq!(figure(&text, "Gewinn/Verlust"), de_gain, "{text}");
    // Canada (per disposal) needs the Bank of Canada's rates, which are not bundled: every row unknown, totals
    // zero, said first.
    let pdf = tmp.path().join("ca.pdf");
    ok(run(&data, &["report", "pdf", "--jurisdiction", "ca", "--year", "2024", "--out", pdf.to_str().unwrap()]));
    let text = pdftotext(&pdf);
    assert!(text.contains("Figures to resolve before filing: 2"), "{text}");
    assert_eq!(figure(&text, "Net gain or (loss)"), Decimal::ZERO, "{text}");
    // A method for Germany is refused, not ignored.
    let e = stderr(&run(
        &data,
        &["report", "pdf", "--jurisdiction", "de", "--year", "2024", "--method", "hifo", "--out", "x.pdf"],
    ));
    assert!(e.starts_with("error[INVALID_INPUT]"), "{e}");
}

/// A German history in EUR: the PDF's Anlage SO lines equal the text report's.
#[test]
fn the_german_pdf_carries_the_anlage_so_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let file = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/de_history.csv");
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", file.to_str().unwrap()]));
    let r = json(&ok(run(&data, &["report", "de", "--year", "2024", "--json"])));
    let pdf = tmp.path().join("de.pdf");
    ok(run(&data, &["report", "pdf", "--jurisdiction", "de", "--year", "2024", "--out", pdf.to_str().unwrap()]));
    let text = pdftotext(&pdf);
    assert_eq!(figure(&text, "Veräußerungspreis"), dec(&r["anlage_so"]["proceeds"]).round_dp(2), "{text}");
    assert_eq!(figure(&text, "Anschaffungskosten"), dec(&r["anlage_so"]["cost"]).round_dp(2));
    assert_eq!(figure(&text, "Gewinn/Verlust"), dec(&r["anlage_so"]["gain"]).round_dp(2));
    assert!(text.contains("Bitvavo"), "wallets are shown: {text}");
}

/// Several years in one call (one CSV, the years in order), and the methods compared side by side.
#[test]
fn several_years_and_methods_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2022-01-05T12:00:00Z,buy,Kraken,10000,USD,1,BTC,,,,,b1,\n\
         2023-01-05T12:00:00Z,buy,Kraken,30000,USD,1,BTC,,,,,b2,\n\
         2023-06-01T12:00:00Z,sell,Kraken,0.5,BTC,15000,USD,,,,,s1,\n\
         2024-06-01T12:00:00Z,sell,Kraken,0.5,BTC,20000,USD,,,,,s2,\n",
    );
    let both = ok(run(&data, &["report", "gains", "--year", "2023-2024"]));
    let one = |y: &str| ok(run(&data, &["report", "gains", "--year", y]));
    let (a, b) = (one("2023"), one("2024"));
    let expected = format!("{a}{}", b.split_once('\n').unwrap().1);
    assert_eq!(both, expected);
    assert_eq!(ok(run(&data, &["report", "gains", "--year", "2024,2023"])), expected, "in order, each once");
    let e = stderr(&run(&data, &["report", "gains", "--year", "2024-2023"]));
    assert!(e.starts_with("error[INVALID_INPUT]: year:"), "{e}");

    let cmp = ok(run(&data, &["report", "gains", "--year", "2023,2024", "--compare", "fifo,hifo"]));
    let lines: Vec<&str> = cmp.lines().collect();
    // 2023: FIFO sells half the 2022 coin (long term, +10000... held over a year: 5000 - 5000 basis? 0.5 of 10000).
    assert_eq!(lines[0], "year\tmethod\tshort_term_gain\tlong_term_gain\tunknown_rows");
    assert_eq!(lines[1], "2023\tFIFO\t0.00 USD\t10000.00 USD\t0", "{cmp}");
    assert_eq!(lines[2], "2023\tHIFO\t0.00 USD\t0.00 USD\t0", "{cmp}");
    assert_eq!(lines.len(), 6, "{cmp}");
    let e = stderr(&run(&data, &["report", "gains", "--year", "2023", "--compare", "fifo", "--jurisdiction", "uk"]));
    assert!(e.starts_with("error[INVALID_INPUT]: compare:"), "{e}");
}

/// In one session (as in the desktop), a report switched between methods and years, and back, re-uses the
/// bookings the session keeps and gives exactly what a fresh session gives; a change to the ledger by another
/// process (an import from the CLI) is seen by the next report of the same session.
#[test]
fn a_session_reuses_its_bookings_and_sees_changes() {
    use offramp_app::report::{Basis, Pooling};
    use offramp_app::{no_progress, Config, Flavor, Key, Session};
    use offramp_core::lots::Method;

    let tmp = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    for i in 0..600u32 {
        let (month, day, hour) = (i / 50 % 12 + 1, i % 28 + 1, i % 24);
        let year = 2023 + i / 300;
        let account = ["kraken", "coinbase"][(i % 2) as usize];
        let ts = format!("{year}-{month:02}-{day:02}T{hour:02}:{:02}:00Z", i % 60);
        if i % 3 == 2 {
            rows.push_str(&format!(
                "{ts},sell,{account},0.0{},BTC,{}.{:02},USD,1.00,USD,,,s{i},\n",
                1 + i % 7,
                200 + i * 3,
                i % 100
            ));
        } else {
            rows.push_str(&format!(
                "{ts},buy,{account},{}.50,USD,0.0{},BTC,1.00,USD,,,b{i},\n",
                150 + (i * 37) % 400,
                3 + i % 5
            ));
        }
    }
    let data = ledger(tmp.path(), &rows);
    let config = Config::resolve(Flavor::of_this_build(), Some(data.clone()), None);
    let key = Key::Passphrase(PASS.into());
    let basis = |m| Basis { default: m, by_year: Default::default(), pooling: Pooling::Transition };
    let report =
        |s: &Session, year, m| serde_json::to_value(s.us_gains(year, &basis(m), &mut no_progress()).unwrap()).unwrap();
    let session = Session::open(&config, &key).unwrap();
    let switches = [
        (2024, Method::Fifo),
        (2024, Method::Hifo),
        (2023, Method::Hifo),
        (2024, Method::Fifo),
        (2024, Method::Lifo),
        (2023, Method::Fifo),
        (2024, Method::Hifo),
    ];
    for (year, m) in switches {
        let fresh = report(&Session::open(&config, &key).unwrap(), year, m);
        assert_eq!(report(&session, year, m), fresh, "{year} {m:?}");
        assert!(fresh["rows"].as_array().unwrap().len() > 10, "{year} {m:?}");
    }
    let before = report(&session, 2024, Method::Fifo);
    // Another process imports a sale in 2024: the same session's next report has it.
    let more = tmp.path().join("more.csv");
    std::fs::write(&more, format!("{HEADER}2024-12-30T10:00:00Z,sell,kraken,0.05,BTC,5000.00,USD,1.00,USD,,,late,\n"))
        .unwrap();
    ok(run(&data, &["import", more.to_str().unwrap()]));
    let after = report(&session, 2024, Method::Fifo);
    assert_ne!(after, before);
    assert_eq!(after, report(&Session::open(&config, &key).unwrap(), 2024, Method::Fifo));
    let late = |r: &serde_json::Value| {
        r["rows"].as_array().unwrap().iter().filter(|x| x.to_string().contains("2024-12-30")).count()
    };
    assert_eq!(late(&before), 0);
    assert!(late(&after) >= 1, "the late sale (one piece per lot it takes)");
}

/// `offramp check` reads and verifies every page: a whole ledger passes; a changed byte inside the file is
/// LEDGER_CORRUPT (never WRONG_KEY), and so is any command that reads the changed page.
#[test]
fn check_finds_a_changed_byte_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    for i in 0..3000u32 {
        rows.push_str(&format!(
            "2024-{:02}-{:02}T{:02}:00:00Z,buy,acct,{}.25,USD,0.001,BTC,,,,,id{i},a note to fill pages {i}\n",
            i / 280 + 1,
            i % 28 + 1,
            i % 24,
            100 + i
        ));
    }
    let data = ledger(tmp.path(), &rows);
    let out = ok(run(&data, &["check"]));
    assert!(out.contains("whole") && out.contains("3000 transactions"), "{out}");
    let file = data.join("ledger.offramp");
    let original = std::fs::read(&file).unwrap();
    let pages = original.len() / 16384;
    assert!(pages > 8, "{pages} pages");
    for page in [2, pages / 2, pages - 1] {
        let mut bytes = original.clone();
        bytes[page * 16384 + 500] ^= 0x10;
        std::fs::write(&file, &bytes).unwrap();
        let out = run(&data, &["check"]);
        assert_ne!(out.status.code(), Some(0), "page {page}");
        let err = stderr(&out);
        assert!(err.contains("LEDGER_CORRUPT") && !err.contains("WRONG_KEY"), "page {page}: {err}");
        // Reading every row either fails the same way or gives the rows: never a wrong-key message.
        let list = run(&data, &["export"]);
        if list.status.code() != Some(0) {
            assert!(stderr(&list).contains("LEDGER_CORRUPT"), "page {page}: {}", stderr(&list));
        }
    }
    std::fs::write(&file, &original).unwrap();
    ok(run(&data, &["check"]));
}

/// Every report a jurisdiction has, as JSON, from one session.
fn all_reports(s: &offramp_app::Session) -> Vec<serde_json::Value> {
    use offramp_app::model::Jurisdiction;
    use offramp_app::no_progress;
    use offramp_app::report::{Basis, Pooling};
    use offramp_core::lots::Method;
    let basis = Basis { default: Method::Hifo, by_year: Default::default(), pooling: Pooling::Transition };
    let v = |x: Result<serde_json::Value, offramp_app::AppError>| {
        x.unwrap_or_else(|e| serde_json::json!({"error": e.to_string()}))
    };
    macro_rules! j {
        () => {
            |x| serde_json::to_value(x).unwrap()
        };
    }
    let mut out = Vec::new();
    for year in [2023, 2024] {
        out.push(v(s.us_gains(year, &basis, &mut no_progress()).map(j!())));
        out.push(v(s.uk_gains(year, &mut no_progress()).map(j!())));
        out.push(v(s.de_gains(year, &mut no_progress()).map(j!())));
        out.push(v(s.ca_gains(year, &mut no_progress()).map(j!())));
        out.push(v(s.income(year, Jurisdiction::Us, &mut no_progress()).map(j!())));
    }
    out.push(v(s.balances().map(j!())));
    out
}

/// Property (over random histories and random edits): applying an edit and then undoing it leaves every report
/// (US, UK, Germany, Canada, income, balances) exactly as before; while it stands, a void takes the row out of
/// every report, and an added or corrected row is read with its source `edit:N`.
#[test]
fn applying_then_undoing_an_edit_leaves_every_report_as_before() {
    use offramp_app::edits::{EditNote, TxChanges, TxInput};
    use offramp_app::{Config, Flavor, Key, Session};
    use offramp_core::Timestamp;

    let now = Timestamp::parse_rfc3339("2026-12-07T12:00:00Z").unwrap();
    let note = EditNote { reason: "test".into(), document: "doc-1".into() };
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for case in 0..7 {
        let tmp = tempfile::tempdir().unwrap();
        // Each account starts with enough to sell (reports then run: no account sells more than it holds).
        let mut rows = String::from(
            "2023-01-01T00:00:00Z,buy,kraken,40000.00,USD,2,BTC,,,,,k0,\n\
             2023-01-01T00:00:01Z,buy,kraken,20000.00,USD,10,ETH,,,,,k1,\n\
             2023-01-01T00:00:00Z,buy,coinbase,40000.00,USD,2,BTC,,,,,c0,\n\
             2023-01-01T00:00:01Z,buy,coinbase,20000.00,USD,10,ETH,,,,,c1,\n",
        );
        let n = 40 + next(40);
        for i in 0..n {
            let (month, day) = (2 + next(11), 1 + next(28));
            let year = 2023 + next(2);
            let account = ["kraken", "coinbase"][next(2) as usize];
            let ts = format!("{year}-{month:02}-{day:02}T{:02}:{:02}:00Z", next(24), next(60));
            match next(5) {
                0 => rows.push_str(&format!(
                    "{ts},sell,{account},0.0{},BTC,{}.00,USD,1.00,USD,,,s{i},\n",
                    1 + next(5),
                    100 + next(900)
                )),
                1 => rows.push_str(&format!(
                    "{ts},staking,{account},,,0.00{},ETH,,,{},EUR,,\n",
                    1 + next(9),
                    1 + next(50)
                )),
                2 => rows.push_str(&format!(
                    "{ts},sell,{account},0.0{},ETH,{}.00,EUR,,,,,e{i},\n",
                    1 + next(3),
                    10 + next(90)
                )),
                _ => rows.push_str(&format!(
                    "{ts},buy,{account},{}.50,USD,0.0{},BTC,1.00,USD,,,b{i},\n",
                    150 + next(400),
                    3 + next(5)
                )),
            }
        }
        let data = ledger(tmp.path(), &rows);
        let config = Config::resolve(Flavor::of_this_build(), Some(data.clone()), None);
        let key = Key::Passphrase(PASS.into());
        let mut s = Session::open(&config, &key).unwrap();
        let before = all_reports(&s);
        assert!(before.iter().all(|r| r.get("error").is_none()), "case {case}: every report runs\n{before:?}");
        let page = s.transactions(&offramp_app::ledger::TxQuery { limit: Some(500), ..Default::default() }).unwrap();
        let target = &page.rows[next(page.rows.len() as u64) as usize];
        let edit = match (case + next(3)) % 3 {
            0 => s.void_transaction(target.id, &note, now).unwrap(),
            1 => {
                let changes = TxChanges {
                    note: Some("corrected".into()),
                    account: Some("ledger wallet".into()),
                    ..Default::default()
                };
                s.edit_transaction(target.id, &changes, &note, now).unwrap()
            }
            _ => {
                let input = TxInput {
                    at: "2023-03-03".into(),
                    account: "ledger wallet".into(),
                    kind: "buy".into(),
                    sent: Some("500 USD".into()),
                    received: Some("0.02 BTC".into()),
                    ..Default::default()
                };
                s.add_transaction(&input, &note, now).unwrap()
            }
        };
        let during = all_reports(&s);
        assert_ne!(during, before, "case {case}: the edit {:?} changed no report", edit.action);
        if let Some(r) = edit.replacement {
            let listed =
                s.transactions(&offramp_app::ledger::TxQuery { limit: Some(1000), ..Default::default() }).unwrap();
            let row = listed.rows.iter().find(|x| x.id == r).unwrap();
            assert_eq!((row.source_file.as_str(), row.source_line), ("edit", edit.id as u64));
        }
        if let Some(t) = edit.target {
            let listed =
                s.transactions(&offramp_app::ledger::TxQuery { limit: Some(1000), ..Default::default() }).unwrap();
            assert!(
                listed.rows.iter().any(|x| x.id == t && x.retired),
                "the voided or replaced row is still listed, marked"
            );
        }
        // Take it back: undo the edit, or (an added transaction) void what it added.
        match (edit.action, next(2)) {
            (offramp_app::edits::Action::Add, 0) => {
                s.void_transaction(edit.replacement.unwrap(), &note, now).unwrap();
            }
            _ => {
                s.undo_edit(edit.id, &note, now).unwrap();
            }
        }
        assert_eq!(all_reports(&s), before, "case {case}: taking back edit {:?} left a report changed", edit.action);
        // And from a fresh session (nothing cached).
        assert_eq!(all_reports(&Session::open(&config, &key).unwrap()), before, "case {case}");
    }
}

/// Edits survive a re-import: a voided row stays out of every report (and listed as voided), a corrected row keeps
/// its correction, and the report names the edit as the source of the figures it changed.
#[test]
fn edits_survive_reimport_and_reports_name_them() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-01-05T10:00:00Z,buy,kraken,30000.00,USD,1,BTC,,,,,b1,\n\
         2024-02-05T10:00:00Z,transfer_in,kraken,,,0.5,BTC,,,,,t1,\n\
         2024-03-05T10:00:00Z,sell,kraken,0.5,BTC,30000.00,USD,,,,,s1,\n\
         2024-04-05T10:00:00Z,sell,kraken,0.5,BTC,35000.00,USD,,,,,s2,\n",
    );
    let file = tmp.path().join("history.csv");
    // The transfer in had no known cost: add the purchase that explains it, as a correction of it.
    let edit = ok(run(
        &data,
        &[
            "tx",
            "edit",
            "2",
            "--kind",
            "buy",
            "--sent",
            "20000 USD",
            "--reason",
            "bought OTC",
            "--document",
            "invoice 17",
        ],
    ));
    assert!(edit.contains("edit 1 (you, ") && edit.contains("replaced transaction 2 with transaction 5"), "{edit}");
    ok(run(&data, &["tx", "void", "4", "--reason", "a duplicate of s1"]));
    // Re-importing the file adds nothing and brings nothing back.
    let again = ok(run(&data, &["import", file.to_str().unwrap()]));
    assert!(again.contains("Added 0 transactions; 4 were already in the ledger."), "{again}");
    let csv = ok(run(&data, &["report", "gains", "--year", "2024"]));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "the voided sale is out of the report\n{csv}");
    // FIFO: the 0.5 sold on 5 March comes from the 5 January buy; HIFO takes the corrected lot (40,000 a coin).
    assert!(rows[0].starts_with("2024-01-05,2024-03-05,BTC,0.5,30000.00,15000.00,15000.00"), "{csv}");
    let hifo = ok(run(&data, &["report", "gains", "--year", "2024", "--method", "hifo"]));
    assert!(hifo.contains(",edit:1,"), "the corrected lot is sourced from edit 1\n{hifo}");
    let list = ok(run(&data, &["tx", "list"]));
    assert_eq!(list.matches("[VOIDED or replaced").count(), 2, "{list}");
    assert!(list.contains("[edit 1]"), "{list}");
    let history = ok(run(&data, &["tx", "history", "2"]));
    assert!(history.contains("reason: bought OTC; document: invoice 17"), "{history}");
    // An edit of a row already replaced is refused, naming what to do; nothing changes.
    let refused = run(&data, &["tx", "void", "2"]);
    assert!(
        stderr(&refused).contains(
            "error[INVALID_INPUT]: transaction: transaction 2 is voided or replaced already: edit transaction 5, which \
             replaced it"
        ),
        "{}",
        stderr(&refused)
    );
    // Undo the void: the sale is back in the report.
    ok(run(&data, &["tx", "undo", "2"]));
    let csv = ok(run(&data, &["report", "gains", "--year", "2024"]));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let twice = run(&data, &["tx", "undo", "2"]);
    assert!(stderr(&twice).contains("edit 2 was undone already"), "{}", stderr(&twice));
}

/// A German report of a USD history converts at the ECB euro reference rate of the day (figures from the ECB's
/// published table: 5 March 2024 1.0849 USD per EUR; Friday 8 March 2024 1.0932, used for Saturday 9 March, a day
/// without a publication), and each row names its rate.
#[test]
fn a_german_report_converts_at_the_ecb_rate_of_the_day() {
    let tmp = tempfile::tempdir().unwrap();
    let data = ledger(
        tmp.path(),
        "2024-03-05T10:00:00Z,buy,kraken,10849.00,USD,1,BTC,,,,,b1,\n\
         2024-03-09T10:00:00Z,sell,kraken,0.5,BTC,10932.00,USD,,,,,s1,\n",
    );
    let csv = ok(run(&data, &["report", "gains", "--year", "2024", "--jurisdiction", "de"]));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    // Cost 0.5 × 10849 / 1.0849 = 5000.00 EUR; proceeds 10932 / 1.0932 = 10000.00 EUR.
    assert!(rows[0].starts_with("2024-03-05,2024-03-09,BTC,0.5,10000.00,5000.00,5000.00,taxable,FIFO"), "{csv}");
    assert!(
        rows[0].ends_with(
            "disposal: ECB reference rate 2024-03-08: 1.0932 USD per EUR; lot: ECB reference rate 2024-03-05: 1.0849 \
             USD per EUR"
        ),
        "{csv}"
    );
}
