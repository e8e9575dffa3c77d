//! `report gains|8949|software|holdings|uk|de|ca|income`: each asks the application layer for the report and
//! prints it (or writes the file it gives).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use offramp_app::model::{Term, Verdict};
use offramp_app::report::HoldingsRequest;
use offramp_app::report::{ca::CaReport, cents as money, de::DeReport, income::IncomeReport, uk::UkReport};
use offramp_app::settings::parse_jurisdiction;
use offramp_app::{no_progress, AppError};

use crate::{emit, json_out, BasisArgs, Ctx};

#[derive(Subcommand, Debug)]
pub(crate) enum ReportCommand {
    /// A capital-gains CSV for US tax software: taxact or turbotax (refused while a basis is unknown).
    Software {
        #[arg(long)]
        year: i32,
        /// taxact or turbotax
        #[arg(long)]
        format: String,
        #[command(flatten)]
        basis: BasisArgs,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Lots held at the end of a date, per account, with cost and (given prices) value and unrealized gain.
    Holdings {
        /// YYYY-MM-DD (UTC).
        #[arg(long)]
        at: String,
        /// The report currency.
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Which lots remain depends on how earlier disposals were matched.
        #[command(flatten)]
        basis: BasisArgs,
        /// A price per unit in the report currency, e.g. --price BTC=65000 (repeat per asset).
        #[arg(long, value_name = "ASSET=PRICE")]
        price: Vec<String>,
        /// Write the CSV to FILE (which must not exist) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Germany: private sales of the calendar year (§ 23 EStG), FIFO per wallet in EUR; taxable (held one year
    /// or less) and tax-free pieces, the Anlage SO totals and the Freigrenze.
    De {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// IRS Form 8949 rows (part, box, columns a-h) as CSV, and the Schedule D totals.
    #[command(name = "8949")]
    F8949 {
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        basis: BasisArgs,
        /// Form 1099-DA received for these sales (2025 on): none, with-basis or without-basis.
        #[arg(long, default_value = "none")]
        reported: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A readable PDF of the year's tax report (US: Form 8949 and Schedule D; UK: the computation and SA108;
    /// Germany: the sales and Anlage SO; Canada: Schedule 3), with a summary page listing every unknown figure
    /// first. YEAR is the calendar year, or in the UK the tax year starting 6 April YEAR.
    Pdf {
        #[arg(long)]
        year: i32,
        /// us, uk, de or ca
        #[arg(long, default_value = "us")]
        jurisdiction: String,
        #[command(flatten)]
        basis: BasisArgs,
        /// US, 2025 on: the Forms 1099-DA received (none, with-basis, without-basis).
        #[arg(long, default_value = "none")]
        reported: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// UK capital gains for the tax year starting 6 April YEAR: same-day, 30-day and Section 104 matching in GBP,
    /// and the SA108 cryptoasset figures.
    Uk {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Canada: capital gains of the calendar year at the adjusted cost base (all accounts together), superficial
    /// losses denied, in CAD, with the Schedule 3 totals and the taxable half.
    Ca {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Income of the calendar year (staking, mining, airdrops, interest) at fair value on receipt.
    Income {
        #[arg(long)]
        year: i32,
        /// us (USD), uk (GBP), de (EUR) or ca (CAD)
        #[arg(long, default_value = "us")]
        jurisdiction: String,
        /// Write the receipts as CSV to FILE (which must not exist); the totals are printed.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Realized gains as CSV, one row per lot piece (US, Germany), per disposal day and rule (UK) or per disposal
    /// (Canada), in the jurisdiction's currency.
    Gains {
        /// The tax year: a calendar year for the US, Germany and Canada; for the UK the year from 6 April (2024 is
        /// 6 April 2024 - 5 April 2025). Several at once: 2022,2024 or 2021-2024 (one CSV, the years in order).
        #[arg(long)]
        year: String,
        /// US: instead of the rows, each year's totals under each of these methods (e.g. fifo,lifo,hifo), to
        /// compare them.
        #[arg(long, value_name = "METHODS", conflicts_with_all = ["method", "out"])]
        compare: Option<String>,
        /// us, uk, de or ca
        #[arg(long, default_value = "us")]
        jurisdiction: String,
        #[command(flatten)]
        basis: BasisArgs,
        /// Write the CSV to FILE (which must not exist) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub(crate) fn run(
    ctx: &Ctx,
    command: ReportCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let p = &mut no_progress();
    match command {
        ReportCommand::Gains { year, compare: Some(methods), jurisdiction, basis, .. } => {
            let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
            if j != offramp_app::model::Jurisdiction::Us {
                return Err(AppError::new(
                    offramp_app::ErrorCode::InvalidInput,
                    "compare: methods are a choice in the US only; other countries' rules fix their own matching",
                ));
            }
            let years = offramp_app::report::parse_years(&year)?;
            let methods = offramp_app::report::parse_methods(&methods)?;
            let pooling = basis.basis()?.pooling;
            let rows = ctx.session()?.compare_methods(&years, &methods, pooling, p)?;
            Ok((|| {
                writeln!(out, "year\tmethod\tshort_term_gain\tlong_term_gain\tunknown_rows")?;
                for r in &rows {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}",
                        r.year,
                        r.method.label(),
                        r.short_term_gain,
                        r.long_term_gain,
                        r.unknown_rows
                    )?;
                }
                writeln!(out, "(each total the sum of its rows as printed; unknown rows are left out)")
            })())
        }
        ReportCommand::Gains { year, jurisdiction, basis, out: file, .. } => {
            let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
            basis.only_for_us(j)?;
            let basis = basis.basis()?;
            let years = offramp_app::report::parse_years(&year)?;
            emit(ctx, file.as_deref(), &ctx.session()?.gains_file_years(j, &years, &basis, p)?, out, err)
        }
        ReportCommand::F8949 { year, basis, reported, out: file } => {
            let reported = offramp_app::report::us::parse_reported(&reported)?;
            let basis = basis.basis()?;
            emit(ctx, file.as_deref(), &ctx.session()?.form_8949(year, &basis, reported, p)?, out, err)
        }
        ReportCommand::Pdf { year, jurisdiction, basis, reported, out: file } => {
            let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
            basis.only_for_us(j)?;
            let reported = offramp_app::report::us::parse_reported(&reported)?;
            let basis = basis.basis()?;
            let today = offramp_app::clock::system_now().date_utc();
            emit(ctx, Some(&file), &ctx.session()?.report_pdf(j, year, &basis, reported, today, p)?, out, err)
        }
        ReportCommand::Software { year, format, basis, out: file } => {
            let format = offramp_app::report::us::SoftwareFormat::parse(&format)?;
            let basis = basis.basis()?;
            emit(ctx, file.as_deref(), &ctx.session()?.software_file(year, &basis, format, p)?, out, err)
        }
        ReportCommand::Holdings { at, currency, basis, price, out: file, json } => {
            let r = HoldingsRequest { at, currency: Some(currency), prices: price };
            let basis = basis.basis()?;
            let rows = ctx.session()?.holdings(&r, &basis, p)?;
            if json {
                return Ok(json_out(&rows, out));
            }
            let report = offramp_app::report::holdings::holdings_file(&rows)?;
            match file {
                // On stdout, the CSV alone (for pipes); the totals go with a file.
                None => Ok(out.write_all(&report.body)),
                Some(f) => emit(ctx, Some(&f), &report, out, err),
            }
        }
        ReportCommand::De { year, json } => Ok(print_de(&ctx.session()?.de_gains(year, p)?, json, out)),
        ReportCommand::Ca { year, json } => Ok(print_ca(&ctx.session()?.ca_gains(year, p)?, json, out)),
        ReportCommand::Uk { year, json } => Ok(print_uk(&ctx.session()?.uk_gains(year, p)?, json, out)),
        ReportCommand::Income { year, jurisdiction, out: Some(file), .. } => {
            let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
            emit(ctx, Some(&file), &ctx.session()?.income_file(year, j, p)?, out, err)
        }
        ReportCommand::Income { year, jurisdiction, json, out: None } => {
            let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
            Ok(print_income(&ctx.session()?.income(year, j, p)?, json, out))
        }
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn print_de(d: &DeReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(d, out);
    }
    let r = &d.gains;
    let eur = money;
    writeln!(out, "Germany: private Veräußerungsgeschäfte (§ 23 EStG), calendar year {}, EUR, FIFO per wallet; money rounded half away from zero to cents", r.year)?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} sale(s) have an unknown cost or price (listed first); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    type Keep<'a> = &'a dyn Fn(&offramp_app::report::ReportRow) -> bool;
    // (title, which rows, shown when it has none)
    let sections: [(&str, Keep, bool); 3] = [
        (
            "Unknown value (listed first, left out of the totals: give the missing price or cost)",
            &|x| x.row.gain.is_none(),
            false,
        ),
        ("Taxable: held one year or less", &|x| x.row.gain.is_some() && x.row.term == Term::Short, true),
        ("Tax-free: held more than one year", &|x| x.row.gain.is_some() && x.row.term == Term::Long, true),
    ];
    for (title, keep, show_empty) in sections {
        if !show_empty && !r.rows.iter().any(keep) {
            continue;
        }
        writeln!(out, "{title}:")?;
        for row in r.rows.iter().filter(|x| keep(x)) {
            let x = &row.row;
            let class = if x.gain.is_some() {
                ""
            } else if x.term == Term::Short {
                " (taxable class)"
            } else {
                " (tax-free class)"
            };
            writeln!(
                out,
                "  {} {} {}{class} (wallet {}): Veräußerungspreis {}, Anschaffungskosten {}, Gewinn/Verlust {}, acquired {}, held {} days  [{}]",
                x.sold,
                x.qty,
                x.asset,
                row.account,
                eur(x.proceeds),
                eur(x.cost),
                eur(x.gain),
                x.acquired,
                (x.sold - x.acquired).num_days(),
                row.disposal_source
            )?;
        }
    }
    let a = &d.anlage_so;
    writeln!(
        out,
        "Anlage SO (Kryptowährungen; the sums of the taxable rows as printed): Veräußerungspreis {}; Anschaffungskosten {}; Gewinn/Verlust {}",
        eur(Some(a.proceeds)),
        eur(Some(a.cost)),
        eur(Some(a.gain))
    )?;
    let limit = eur(Some(d.freigrenze.limit));
    match d.freigrenze.verdict {
        Verdict::Below => writeln!(
            out,
            "Freigrenze {}: {limit} EUR. These gains are below it: tax-free if the year's total from ALL private sales stays below it.",
            r.year
        ),
        Verdict::Reached => writeln!(
            out,
            "Freigrenze {}: {limit} EUR. These gains reach it: the whole amount is taxable (the Freigrenze is a cliff).",
            r.year
        ),
        Verdict::Uncertain => writeln!(
            out,
            "Freigrenze {}: {limit} EUR. NOT KNOWN whether these gains stay below it: sales held one year or less have an unknown value (listed first); resolve them first.",
            r.year
        ),
    }
}

fn print_ca(r: &CaReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(out, "Canada: capital gains, calendar year {}, CAD, adjusted cost base over all accounts; money rounded half away from zero to cents", r.year)?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} disposal(s) have unknown proceeds or ACB (listed first); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    for row in &r.rows {
        let d = &row.disposal;
        let denied = if d.denied_loss.is_zero() {
            String::new()
        } else {
            format!("; superficial loss denied {} (added to the ACB of the units kept)", money(Some(d.denied_loss)))
        };
        writeln!(
            out,
            "{} {} {}: proceeds {}, ACB {}, gain {}{denied}  [{}]",
            d.date,
            d.qty,
            row.asset,
            money(d.proceeds),
            money(d.acb),
            money(d.gain),
            row.source
        )?;
    }
    let t = &r.totals;
    writeln!(
        out,
        "Schedule 3: proceeds {}, adjusted cost base {}, gains {}, losses {}, net {}",
        t.proceeds, t.acb, t.gains, t.losses, t.net
    )?;
    writeln!(out, "Taxable capital gain (50 % inclusion): {}; superficial losses denied: {}", t.taxable, t.denied)?;
    if !t.net_capital_loss.value().is_zero() {
        writeln!(
            out,
            "Net capital loss of the year (50 % of the net loss): {}; it can be applied against taxable capital gains \
             of the three years before or any year after (ITA s.111, form T1A to carry it back)",
            t.net_capital_loss
        )?;
    }
    Ok(())
}

fn print_income(r: &IncomeReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(
        out,
        "Income received in {}, at fair value on receipt in {}; money rounded half away from zero to cents",
        r.year, r.currency
    )?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} receipt(s) have no known value (listed first, UNKNOWN); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    writeln!(out, "date,account,kind,asset,quantity,value_{},source,exchange_rate", r.currency)?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            row.date,
            csv_cell(&row.account),
            row.kind.as_str(),
            row.asset,
            row.qty,
            money(row.value),
            csv_cell(&row.source),
            csv_cell(&row.exchange_rate)
        )?;
    }
    for (kind, a) in &r.by_kind {
        writeln!(out, "{}: {a}", kind.as_str())?;
    }
    writeln!(out, "Total: {}", r.total)?;
    if let Some(f) = &r.freigrenze {
        let verdict = match f.verdict {
            Verdict::Below => "below: tax-free",
            Verdict::Reached => "reached: all of it is taxable (a cliff)",
            Verdict::Uncertain => {
                "not known: some income has no value yet, and with it the total could reach the limit"
            }
        };
        writeln!(out, "Leistungen (§ 22 Nr. 3 EStG, staking and lending): Freigrenze {} EUR {verdict}", f.limit)?;
    }
    Ok(())
}

fn print_uk(r: &UkReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(
        out,
        "UK capital gains, tax year {}/{:02} (6 April {} to 5 April {}), GBP; money rounded half away from zero to pence",
        r.tax_year_start,
        (r.tax_year_start + 1) % 100,
        r.tax_year_start,
        r.tax_year_start + 1
    )?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} disposal(s) have unknown proceeds or costs (listed first); the SA108 figures leave them out.",
            r.unknown_rows
        )?;
        if !r.foreign_fiat.is_empty() {
            let codes: Vec<String> = r.foreign_fiat.iter().map(|c| c.to_string()).collect();
            writeln!(
                out,
                "  Their trades are in {}, for months with no HMRC monthly exchange rate known (`offramp rates` lists \
                 them; `offramp rates refresh` fetches them), so their GBP figures are unknown (never zero).",
                codes.join(", ")
            )?;
        }
    }
    for row in &r.rows {
        let d = &row.disposal;
        // Each rule's share of the proceeds (by quantity) and its gain, beside its cost.
        let parts: Vec<String> = d.matches.iter().map(|m| offramp_app::report::uk::match_text(d, m)).collect();
        writeln!(
            out,
            "{} {}: disposed of {} for {}; allowable cost {} ({}); gain {}  [{}]",
            d.date,
            row.asset,
            d.qty,
            money(d.proceeds),
            money(d.cost),
            parts.join("; "),
            money(d.gain),
            row.sources.join(", ")
        )?;
        for r in &row.exchange_rates {
            writeln!(out, "    converted at {r}")?;
        }
    }
    if r.rows.iter().any(|row| !row.exchange_rates.is_empty()) {
        writeln!(
            out,
            "Amounts in other currencies are converted at HMRC's monthly exchange rate for the month of each \
             transaction, acquisitions in the pool included (`offramp rates` lists what is known)."
        )?;
    }
    let s = &r.sa108;
    writeln!(
        out,
        "SA108 cryptoassets: disposals {}; proceeds {}; allowable costs {} (of which {} incidental costs of \
         disposal); gains {}; losses {}",
        s.disposals, s.proceeds, s.allowable_costs, s.incidental_costs, s.gains, s.losses
    )?;
    writeln!(
        out,
        "(SA108 proceeds are the total received, before selling fees; allowable costs include those fees. The rows \
         above show proceeds net of them: the gains are the same.)"
    )
}
