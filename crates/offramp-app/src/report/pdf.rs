//! Readable PDF copies of the tax reports, for filing by hand or handing to an accountant: a summary page (the
//! method, the rounding rule, the files the figures come from, and every unknown figure listed first), then the
//! form's own layout: Form 8949 with the Schedule D lines, the UK computation with its SA108 boxes, the German
//! sales with the Anlage SO lines, Canada's disposals with the Schedule 3 lines.
//!
//! Written with `pdf-writer` in the PDF base fonts (Helvetica, Courier: no font is embedded; the text is
//! WinAnsi-encoded, so `pdftotext` and screen readers read it back). Layout is in whole points.

use std::collections::BTreeSet;

use offramp_core::holding::Term;
use offramp_core::Decimal;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::ca::CaReport;
use super::de::DeReport;
use super::uk::UkReport;
use super::us::Form8949;
use super::{cents, GainsReport, ReportFile, ReportRow};

/// A piece of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Title(String),
    Heading(String),
    /// Prose, wrapped to the page.
    Text(String),
    /// A table line in a fixed-width font (columns stay aligned).
    Mono(String),
    /// Starts a new page.
    Break,
}

const PAGE_W: i16 = 595; // A4, in points
const PAGE_H: i16 = 842;
const LEFT: i16 = 40;
const TOP: i16 = 800;
const BOTTOM: i16 = 56;
/// Characters per line: Helvetica 9 pt averages under 5 pt a character; Courier 7.5 pt is 4.5 pt each.
const TEXT_CHARS: usize = 100;
const MONO_CHARS: usize = 113;

/// One placed line: font, size, x, y, text.
struct Placed {
    font: &'static [u8],
    size: f32,
    x: i16,
    y: i16,
    text: String,
}

/// Wraps `text` at spaces to lines of at most `width` characters (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays the blocks out on pages.
fn layout(blocks: &[Block]) -> Vec<Vec<Placed>> {
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = TOP;
    let place = |pages: &mut Vec<Vec<Placed>>, y: &mut i16, font, size, height: i16, x, text: String| {
        if *y - height < BOTTOM {
            pages.push(Vec::new());
            *y = TOP;
        }
        *y -= height;
        if let Some(page) = pages.last_mut() {
            page.push(Placed { font, size, x, y: *y, text });
        }
    };
    for b in blocks {
        match b {
            Block::Title(t) => place(&mut pages, &mut y, b"F2", 14.0, 22, LEFT, t.clone()),
            Block::Heading(t) => {
                y -= 6;
                place(&mut pages, &mut y, b"F2", 10.5, 15, LEFT, t.clone());
            }
            Block::Text(t) => {
                for line in wrap(t, TEXT_CHARS) {
                    place(&mut pages, &mut y, b"F1", 9.0, 12, LEFT, line);
                }
            }
            Block::Mono(t) => {
                let mut first = true;
                for line in wrap(t, MONO_CHARS) {
                    let line = if first { line } else { format!("    {line}") };
                    first = false;
                    place(&mut pages, &mut y, b"F3", 7.5, 10, LEFT, line);
                }
            }
            Block::Break => {
                if pages.last().is_some_and(|p| !p.is_empty()) {
                    pages.push(Vec::new());
                    y = TOP;
                }
            }
        }
    }
    pages
}

/// Text in the base fonts' WinAnsi encoding; a character it has no place for is written `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => u32::from(c) as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '−' => b'-',
            _ => b'?',
        })
        .collect()
}

/// A report file of the blocks, its summary saying how many pages and what they hold.
fn file(title: &str, blocks: &[Block], holds: &str) -> ReportFile {
    let (body, pages) = render(title, blocks);
    ReportFile { body, summary: vec![format!("{pages} pages: {holds}")] }
}

/// Renders the blocks to a PDF document titled `title`, each page numbered "page i of n"; returns it and its
/// number of pages.
pub(crate) fn render(title: &str, blocks: &[Block]) -> (Vec<u8>, usize) {
    let pages = layout(blocks);
    let n = pages.len();
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let fonts =
        [(Ref::new(4), b"F1", "Helvetica"), (Ref::new(5), b"F2", "Helvetica-Bold"), (Ref::new(6), b"F3", "Courier")];
    let mut next = 7;
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push((Ref::new(next), Ref::new(next + 1)));
        next += 2;
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(ids.iter().map(|(page, _)| *page)).count(i32::try_from(n).unwrap_or(i32::MAX));
    pdf.document_info(info).title(TextStr(title)).creator(TextStr("Offramp"));
    for (id, _, base) in fonts {
        pdf.type1_font(id).base_font(Name(base.as_bytes())).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (i, (placed, (page_id, content_id))) in pages.iter().zip(&ids).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, f32::from(PAGE_W), f32::from(PAGE_H)));
        page.parent(tree);
        page.contents(*content_id);
        let mut resources = page.resources();
        let mut f = resources.fonts();
        for (id, name, _) in fonts {
            f.pair(Name(name), id);
        }
        f.finish();
        resources.finish();
        page.finish();
        let mut content = Content::new();
        let footer = format!("Offramp - {title} - page {} of {n}", i + 1);
        for p in placed.iter().chain(std::iter::once(&Placed { font: b"F1", size: 7.5, x: LEFT, y: 30, text: footer }))
        {
            content.begin_text();
            content.set_font(Name(p.font), p.size);
            content.next_line(f32::from(p.x), f32::from(p.y));
            content.show(Str(&win_ansi(&p.text)));
            content.end_text();
        }
        pdf.stream(*content_id, &content.finish());
    }
    (pdf.finish(), n)
}

/// The files the rows' figures come from (`file:line` → file), sorted.
fn source_files<'a>(sources: impl Iterator<Item = &'a str>) -> Vec<String> {
    let set: BTreeSet<String> = sources
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit_once(':').map(|(f, _)| f).unwrap_or(s).to_string())
        .collect();
    set.into_iter().collect()
}

fn sources_block(blocks: &mut Vec<Block>, files: Vec<String>) {
    blocks.push(Block::Heading("Sources".into()));
    if files.is_empty() {
        blocks.push(Block::Text("No rows in this year.".into()));
    }
    for f in files {
        blocks.push(Block::Mono(f));
    }
}

fn pad(s: &str, w: usize) -> String {
    format!("{s:<w$}")
}

fn rpad(s: &str, w: usize) -> String {
    format!("{s:>w$}")
}

fn prepared(today: chrono::NaiveDate) -> Block {
    Block::Text(format!(
        "Prepared by Offramp on {today} from your ledger. Not tax advice: check it against your records. Money is \
         rounded half away from zero to cents; every total is the sum of its rows as printed. Rows with an UNKNOWN \
         figure are left out of the totals and must be resolved before filing."
    ))
}

/// Unknown rows of a lot-piece report, listed first with what to do.
fn unknown_gains_rows(blocks: &mut Vec<Block>, rows: &[&ReportRow]) {
    blocks.push(Block::Heading(format!("Figures to resolve before filing: {}", rows.len())));
    if rows.is_empty() {
        blocks.push(Block::Text("None: every disposal of the year has a known cost basis and proceeds.".into()));
        return;
    }
    blocks.push(Block::Text(
        "Each of these disposals has an unknown cost basis or proceeds (a missing price, crypto of unknown origin, \
         an own transfer not confirmed). Give the price or import the account the coins came from, then report again."
            .into(),
    ));
    for r in rows {
        let flags: Vec<&str> = r.flags.iter().map(offramp_core::tax::Flag::as_str).collect();
        blocks.push(Block::Mono(format!(
            "{} {} {} sold {}: proceeds {}, basis {}  [{}; lot {}] {}",
            r.row.qty.normalize(),
            r.row.asset,
            r.account,
            r.row.sold,
            cents(r.row.proceeds),
            cents(r.row.cost),
            r.disposal_source,
            r.lot_source,
            flags.join(" ")
        )));
    }
}

/// US: the summary page, Form 8949 (Part I and Part II, box by box) and the Schedule D lines.
pub(crate) fn us(report: &GainsReport, form: &Form8949, today: chrono::NaiveDate) -> ReportFile {
    let title = format!("US capital gains, tax year {}", report.year);
    let mut b = vec![Block::Title(title.clone()), prepared(today)];
    b.push(Block::Text(format!(
        "Method: {} ({}); pooling: {}; figures in {}. Dates are UTC dates.",
        report.method.label(),
        if report.year >= 2025 { "standing order of specific identification, per account" } else { "lot order" },
        match report.pooling {
            super::Pooling::Transition => "all accounts together up to 2024, per account from 2025",
            super::Pooling::PerAccount => "per account",
        },
        report.currency
    )));
    let unknown: Vec<&ReportRow> = report.rows.iter().filter(|r| r.row.gain.is_none()).collect();
    unknown_gains_rows(&mut b, &unknown);
    b.push(Block::Heading("Schedule D (Form 1040), from Form 8949".into()));
    schedule_d_lines(&mut b, form);
    sources_block(
        &mut b,
        source_files(report.rows.iter().flat_map(|r| [r.disposal_source.as_str(), r.lot_source.as_str()])),
    );
    let header = format!(
        "{} {} {} {} {} {} {} {}",
        pad("(a) Description", 26),
        pad("(b) Acquired", 12),
        pad("(c) Sold", 10),
        rpad("(d) Proceeds", 14),
        rpad("(e) Cost", 14),
        pad("(f)", 3),
        rpad("(g)", 5),
        rpad("(h) Gain/(loss)", 15)
    );
    for (part, part_title) in [("I", "Part I - Short-Term"), ("II", "Part II - Long-Term")] {
        let boxes: BTreeSet<char> = form.rows.iter().filter(|r| r.part == part).map(|r| r.box_).collect();
        for bx in boxes {
            b.push(Block::Break);
            b.push(Block::Title(format!("Form 8949 ({}), {part_title}, box {bx} checked", report.year)));
            b.push(Block::Mono(header.clone()));
            for r in form.rows.iter().filter(|r| r.part == part && r.box_ == bx) {
                b.push(Block::Mono(format!(
                    "{} {} {} {} {} {} {} {}",
                    pad(&r.description, 26),
                    pad(&r.acquired, 12),
                    pad(&r.sold, 10),
                    rpad(&r.proceeds, 14),
                    rpad(&r.cost, 14),
                    pad("", 3),
                    rpad("", 5),
                    rpad(&r.gain, 15)
                )));
            }
            if let Some(t) = form.totals.iter().find(|t| t.box_ == bx) {
                b.push(Block::Mono(format!(
                    "{} {} {} {} {}",
                    pad(&format!("Line 2 totals (box {bx})"), 50),
                    rpad(&t.proceeds.to_string(), 14),
                    rpad(&t.cost.to_string(), 14),
                    rpad("0.00", 9),
                    rpad(&t.gain.to_string(), 15)
                )));
            }
        }
    }
    file(&title, &b, "the summary, Form 8949 and the Schedule D lines")
}

fn schedule_d_lines(b: &mut Vec<Block>, form: &Form8949) {
    b.push(Block::Mono(format!(
        "{} {} {} {} {}",
        pad("Line", 36),
        rpad("(d) Proceeds", 14),
        rpad("(e) Cost", 14),
        rpad("(g) Adj.", 9),
        rpad("(h) Gain/(loss)", 15)
    )));
    let mut short = Decimal::ZERO;
    let mut long = Decimal::ZERO;
    for t in &form.totals {
        b.push(Block::Mono(format!(
            "{} {} {} {} {}",
            pad(&format!("Line {} (Form 8949 box {})", t.line, t.box_), 36),
            rpad(&t.proceeds.to_string(), 14),
            rpad(&t.cost.to_string(), 14),
            rpad("0.00", 9),
            rpad(&t.gain.to_string(), 15)
        )));
        if t.part == "I" {
            short += t.gain;
        } else {
            long += t.gain;
        }
    }
    b.push(Block::Mono(format!(
        "{} {}",
        pad("Line 7: net short-term capital gain or (loss)", 74),
        rpad(&format!("{short:.2}"), 15)
    )));
    b.push(Block::Mono(format!(
        "{} {}",
        pad("Line 15: net long-term capital gain or (loss)", 74),
        rpad(&format!("{long:.2}"), 15)
    )));
    b.push(Block::Mono(format!(
        "{} {}",
        pad("Line 16: lines 7 and 15 combined", 74),
        rpad(&format!("{:.2}", short + long), 15)
    )));
}

/// UK: the summary with the SA108 boxes, then the computation (each disposal day and token, its matches).
pub(crate) fn uk(r: &UkReport, today: chrono::NaiveDate) -> ReportFile {
    let label = offramp_core::Jurisdiction::Uk.tax_year_label(r.tax_year_start);
    let title = format!("UK capital gains on cryptoassets, tax year {label}");
    let mut b = vec![Block::Title(title.clone()), prepared(today)];
    b.push(Block::Text(format!(
        "6 April {} to 5 April {}, in GBP, all accounts together: each disposal matched with same-day acquisitions, \
         then acquisitions in the next 30 days, then the Section 104 pool at its average cost. Dates are UK dates.",
        r.tax_year_start,
        r.tax_year_start + 1
    )));
    let unknown: Vec<_> = r.rows.iter().filter(|x| x.disposal.gain.is_none()).collect();
    b.push(Block::Heading(format!("Figures to resolve before filing: {}", unknown.len())));
    if unknown.is_empty() {
        b.push(Block::Text("None: every disposal of the year has known proceeds and allowable costs.".into()));
    } else if !r.foreign_fiat.is_empty() {
        let codes: Vec<String> = r.foreign_fiat.iter().map(ToString::to_string).collect();
        b.push(Block::Text(format!(
            "Their trades are in {}, in months with no HMRC exchange rate known: their pound figures are unknown \
             (never taken as zero). `offramp rates refresh` fetches the newest rates.",
            codes.join(", ")
        )));
    }
    if r.rows.iter().any(|x| !x.exchange_rates.is_empty()) {
        b.push(Block::Text(
            "Amounts in other currencies are converted at HMRC's monthly exchange rate for the month of each \
             transaction, acquisitions in the pool included; the CSV names each disposal's rate."
                .into(),
        ));
    }
    for x in &unknown {
        b.push(Block::Mono(format!(
            "{} {} {}: proceeds {}, allowable cost {}  [{}]",
            x.disposal.date,
            x.disposal.qty.normalize(),
            x.asset,
            cents(x.disposal.proceeds),
            cents(x.disposal.cost),
            x.sources.join(", ")
        )));
    }
    let s = &r.sa108;
    b.push(Block::Heading("SA108 Capital Gains Summary: cryptoassets".into()));
    for (k, v) in [
        ("Number of disposals", s.disposals.to_string()),
        ("Disposal proceeds", s.proceeds.value().to_string()),
        ("Allowable costs (including incidental costs of disposal)", s.allowable_costs.value().to_string()),
        ("  of which incidental costs of disposal", s.incidental_costs.value().to_string()),
        ("Gains in the year, before losses", s.gains.value().to_string()),
        ("Losses in the year", s.losses.value().to_string()),
    ] {
        b.push(Block::Mono(format!("{} {}", pad(k, 64), rpad(&v, 16))));
    }
    sources_block(&mut b, source_files(r.rows.iter().flat_map(|x| x.sources.iter().map(String::as_str))));
    b.push(Block::Break);
    b.push(Block::Title(format!("Computation, tax year {label}")));
    b.push(Block::Mono(format!(
        "{} {} {} {} {} {}",
        pad("Date", 10),
        pad("Token", 6),
        rpad("Quantity", 18),
        rpad("Proceeds", 14),
        rpad("Allowable cost", 14),
        rpad("Gain/(loss)", 14)
    )));
    for x in r.rows.iter().filter(|x| x.disposal.gain.is_some()).chain(unknown.iter().copied()) {
        let d = &x.disposal;
        b.push(Block::Mono(format!(
            "{} {} {} {} {} {}",
            pad(&d.date.to_string(), 10),
            pad(x.asset.as_str(), 6),
            rpad(&d.qty.normalize().to_string(), 18),
            rpad(&cents(d.proceeds), 14),
            rpad(&cents(d.cost), 14),
            rpad(&cents(d.gain), 14)
        )));
        for m in &d.matches {
            b.push(Block::Mono(format!("      {}", super::uk::match_text(d, m))));
        }
    }
    file(&title, &b, "the summary with the SA108 boxes and the computation")
}

/// Germany: the summary with the Anlage SO lines and the Freigrenze, then every sold piece (Rz. 102 details).
pub(crate) fn de(d: &DeReport, today: chrono::NaiveDate) -> ReportFile {
    let r = &d.gains;
    let title = format!("Germany: private sales of cryptoassets (§ 23 EStG), {}", r.year);
    let mut b = vec![Block::Title(title.clone()), prepared(today)];
    b.push(Block::Text(
        "Calendar year, in EUR, FIFO per wallet (BMF-Schreiben of 6 March 2025, Rz. 61-62); pieces held one year or \
         less are taxable, the others tax-free. Dates are Berlin dates."
            .into(),
    ));
    let unknown: Vec<&ReportRow> = r.rows.iter().filter(|x| x.row.gain.is_none()).collect();
    unknown_gains_rows(&mut b, &unknown);
    let a = &d.anlage_so;
    b.push(Block::Heading("Anlage SO (Kryptowährungen), the taxable pieces".into()));
    for (k, v) in [("Veräußerungspreis", a.proceeds), ("Anschaffungskosten", a.cost), ("Gewinn/Verlust", a.gain)] {
        b.push(Block::Mono(format!("{} {}", pad(k, 40), rpad(&cents(Some(v)), 16))));
    }
    b.push(Block::Text(match d.freigrenze.verdict {
        offramp_core::de::Verdict::Below => format!(
            "Freigrenze {} EUR: these gains are below it; tax-free if the year's total from all private sales stays below it.",
            cents(Some(d.freigrenze.limit))
        ),
        offramp_core::de::Verdict::Reached => format!(
            "Freigrenze {} EUR: these gains reach it; the whole amount is taxable (the Freigrenze is a cliff).",
            cents(Some(d.freigrenze.limit))
        ),
        offramp_core::de::Verdict::Uncertain => format!(
            "Freigrenze {} EUR: NOT KNOWN whether these gains stay below it; sales held one year or less have an unknown value (listed above).",
            cents(Some(d.freigrenze.limit))
        ),
    }));
    sources_block(
        &mut b,
        source_files(r.rows.iter().flat_map(|x| [x.disposal_source.as_str(), x.lot_source.as_str()])),
    );
    for (title_part, term) in
        [("Taxable: held one year or less", Term::Short), ("Tax-free: held more than one year", Term::Long)]
    {
        b.push(Block::Break);
        b.push(Block::Title(title_part.into()));
        b.push(Block::Mono(format!(
            "{} {} {} {} {} {} {} {}",
            pad("Sold", 10),
            pad("Acquired", 10),
            pad("Token", 5),
            rpad("Units", 16),
            rpad("Veräußerungspreis", 17),
            rpad("Anschaffungsk.", 14),
            rpad("Gewinn/Verlust", 14),
            pad(" Wallet", 12)
        )));
        for x in r.rows.iter().filter(|x| x.row.term == term && x.row.gain.is_some()) {
            b.push(Block::Mono(format!(
                "{} {} {} {} {} {} {}  {}",
                pad(&x.row.sold.to_string(), 10),
                pad(&x.row.acquired.to_string(), 10),
                pad(x.row.asset.as_str(), 5),
                rpad(&x.row.qty.normalize().to_string(), 16),
                rpad(&cents(x.row.proceeds), 17),
                rpad(&cents(x.row.cost), 14),
                rpad(&cents(x.row.gain), 14),
                x.account
            )));
        }
    }
    file(&title, &b, "the summary with the Anlage SO lines and every sold piece")
}

/// Canada: the summary with the Schedule 3 lines, then every disposal at its adjusted cost base.
pub(crate) fn ca(r: &CaReport, today: chrono::NaiveDate) -> ReportFile {
    let title = format!("Canada: capital gains on cryptoassets, {}", r.year);
    let mut b = vec![Block::Title(title.clone()), prepared(today)];
    b.push(Block::Text(
        "In CAD, all accounts together: the adjusted cost base is the average over the units owned at each \
         disposal; superficial losses (ITA s.54) are denied and added to the ACB of the substituted property."
            .into(),
    ));
    let unknown: Vec<_> = r.rows.iter().filter(|x| x.disposal.gain.is_none()).collect();
    b.push(Block::Heading(format!("Figures to resolve before filing: {}", unknown.len())));
    if unknown.is_empty() {
        b.push(Block::Text("None: every disposal of the year has known proceeds and adjusted cost base.".into()));
    }
    for x in &unknown {
        let d = &x.disposal;
        b.push(Block::Mono(format!(
            "{} {} {}: proceeds {}, ACB {}  [{}]",
            d.date,
            d.qty.normalize(),
            x.asset,
            cents(d.proceeds),
            cents(d.acb),
            x.source
        )));
    }
    let t = &r.totals;
    b.push(Block::Heading("Schedule 3: capital gains (or losses)".into()));
    for (k, v) in [
        ("Proceeds of disposition", t.proceeds.value()),
        ("Adjusted cost base (with outlays and expenses)", t.acb.value()),
        ("Gains", t.gains.value()),
        ("Losses", t.losses.value()),
        ("Net gain or (loss)", t.net.value()),
        ("Taxable capital gain (50 %)", t.taxable.value()),
        ("Net capital loss of the year (50 %; s.111 carry-over)", t.net_capital_loss.value()),
        ("Superficial losses denied", t.denied.value()),
    ] {
        b.push(Block::Mono(format!("{} {}", pad(k, 60), rpad(&v.to_string(), 16))));
    }
    sources_block(&mut b, source_files(r.rows.iter().map(|x| x.source.as_str())));
    b.push(Block::Break);
    b.push(Block::Title(format!("Disposals, {}", r.year)));
    b.push(Block::Mono(format!(
        "{} {} {} {} {} {} {}",
        pad("Date", 10),
        pad("Token", 6),
        rpad("Units", 18),
        rpad("Proceeds", 14),
        rpad("ACB", 14),
        rpad("Gain/(loss)", 14),
        rpad("Denied", 12)
    )));
    for x in r.rows.iter().filter(|x| x.disposal.gain.is_some()) {
        let d = &x.disposal;
        b.push(Block::Mono(format!(
            "{} {} {} {} {} {} {}",
            pad(&d.date.to_string(), 10),
            pad(x.asset.as_str(), 6),
            rpad(&d.qty.normalize().to_string(), 18),
            rpad(&cents(d.proceeds), 14),
            rpad(&cents(d.acb), 14),
            rpad(&cents(d.gain), 14),
            rpad(&cents(Some(d.denied_loss)), 12)
        )));
    }
    file(&title, &b, "the summary with the Schedule 3 lines and every disposal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character_and_the_width() {
        let text = "a bb ccc dddddddddddddddddddddddd e";
        let lines = wrap(text, 10);
        assert!(lines.iter().all(|l| l.chars().count() <= 10), "{lines:?}");
        assert_eq!(lines.join("").replace(' ', ""), text.replace(' ', ""));
        assert_eq!(wrap("", 10), vec![String::new()]);
    }

    #[test]
    fn win_ansi_places_the_report_characters() {
        assert_eq!(win_ansi("Veräußerungspreis €£"), b"Ver\xe4u\xdferungspreis \x80\xa3".to_vec());
        assert_eq!(win_ansi("≥"), b"?".to_vec());
    }

    #[test]
    fn long_documents_break_into_numbered_pages() {
        let blocks: Vec<Block> = (0..300).map(|i| Block::Mono(format!("row {i}"))).collect();
        let pages = layout(&blocks);
        assert!(pages.len() > 3);
        assert!(pages.iter().flatten().all(|p| p.y >= BOTTOM && p.y <= TOP));
        let (pdf, n) = render("t", &blocks);
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(n, pages.len());
    }
}
