// What is held today, lot by lot: cost, value at a price the user gives (or the last live price), unrealized gain,
// and the lots that turn long-term (US) or tax-free (Germany) soon. Every figure comes from the backend as a
// decimal string; the totals per asset are summed exactly (addDecimals).
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { backend, newJob, toBackendError, type BackendError, type HoldingRow, type LivePrice } from "../backend";
import { ErrorPanel } from "../common";
import { ROW_HEIGHT, VirtualTable } from "../virtualTable";
import { useDraft } from "../drafts";
import { formatCount, formatDate, formatInstant, formatNumber, formatQty } from "../format";
import { addDecimals } from "../money";
import { queries } from "../queries";

/** How far ahead "soon" looks, in days. */
export const SOON_DAYS = 90;

const PRICE = /^\d+(\.\d+)?$/;

/** Today in the user's calendar, `YYYY-MM-DD` (the backend takes the date as an input). */
export function localToday(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  const utc = (d: string) => {
    const [y, m, day] = d.split("-").map(Number);
    return Date.UTC(y ?? 0, (m ?? 1) - 1, day ?? 1);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

type Jurisdiction = "us" | "uk" | "de" | "ca";

/** What "held more than one year" means where the user is taxed, or null where it means nothing. */
function milestoneWord(j: Jurisdiction): { column: string; soon: string; done: string } | null {
  if (j === "us") return { column: "Long-term from", soon: "Turning long-term soon", done: "long-term" };
  if (j === "de") return { column: "Tax-free from", soon: "Tax-free soon (§ 23 EStG)", done: "tax-free" };
  return null;
}

type Totals = { asset: string; qty: string; cost: string | null; value: string | null; unrealized: string | null; unknownCost: number; lots: number };

export function totalsByAsset(rows: HoldingRow[]): Totals[] {
  const by = new Map<string, Totals>();
  const add = (a: string | null, b: string | null) => (a === null || b === null ? null : addDecimals(a, b));
  for (const r of rows) {
    const t = by.get(r.asset) ?? { asset: r.asset, qty: "0", cost: "0", value: "0", unrealized: "0", unknownCost: 0, lots: 0 };
    t.qty = addDecimals(t.qty, r.qty);
    t.cost = add(t.cost, r.cost);
    t.value = add(t.value, r.value);
    t.unrealized = add(t.unrealized, r.unrealized);
    if (r.cost === null) t.unknownCost += 1;
    t.lots += 1;
    by.set(r.asset, t);
  }
  return [...by.values()].sort((a, b) => a.asset.localeCompare(b.asset));
}

export function Holdings() {
  const prefs = useQuery(queries.preferences);
  const balances = useQuery(queries.balances);
  if (prefs.isPending || balances.isPending) return <p data-testid="loading">Loading…</p>;
  const error = prefs.error ?? balances.error;
  if (error) return <ErrorPanel error={toBackendError(error)} />;
  const assets = [...new Set((balances.data ?? []).filter((b) => !b.qty.startsWith("-") && b.qty !== "0").map((b) => b.asset))].sort();
  return <HoldingsScreen jurisdiction={(prefs.data?.jurisdiction ?? "us") as Jurisdiction} currency={prefs.data?.currency ?? "USD"} method={prefs.data?.method ?? "fifo"} pooling={prefs.data?.pooling ?? "transition"} assets={assets} />;
}

function HoldingsScreen({ jurisdiction, currency, method, pooling, assets }: { jurisdiction: Jurisdiction; currency: string; method: string; pooling: string; assets: string[] }) {
  const today = localToday();
  const [typed, setTyped] = useDraft<Record<string, string>>("holdings-prices", {});
  const [applied, setApplied] = useDraft<Record<string, string>>("holdings-applied", {});
  const [live, setLive] = useState<Record<string, LivePrice | BackendError>>({});
  const [fetching, setFetching] = useState<string | null>(null);
  // Germany taxes per wallet, first in first out; the US as the user's preferences say.
  const basis = jurisdiction === "de" ? { method: "fifo", pooling: "per-account" } : { method, pooling };
  const prices = Object.entries(applied)
    .filter(([, v]) => PRICE.test(v))
    .map(([a, v]) => `${a}=${v}`)
    .sort();
  const holdings = useQuery({
    queryKey: ["holdings", today, currency, prices, basis],
    queryFn: () =>
      backend.holdings({ at: today, currency, prices }, basis, newJob("holdings")).catch((e: unknown) => {
        throw toBackendError(e);
      }),
  });
  const fetchLive = async (asset: string) => {
    setFetching(asset);
    try {
      const p = await backend.livePrice(asset, currency);
      setLive((l) => ({ ...l, [asset]: p }));
      if (p.price !== null) setTyped((t) => ({ ...t, [asset]: p.price as string }));
    } catch (e) {
      setLive((l) => ({ ...l, [asset]: toBackendError(e) }));
    } finally {
      setFetching(null);
    }
  };
  const badPrice = Object.entries(typed).find(([, v]) => v.trim() !== "" && !PRICE.test(v.trim()));
  const rows = useMemo(() => holdings.data ?? [], [holdings.data]);
  const totals = useMemo(() => totalsByAsset(rows), [rows]);
  const words = milestoneWord(jurisdiction);
  const soon = useMemo(
    () =>
      words
        ? rows
            .filter((r) => r.more_than_one_year_on !== null && r.more_than_one_year_on > today && daysBetween(today, r.more_than_one_year_on) <= SOON_DAYS)
            .sort((a, b) => (a.more_than_one_year_on ?? "").localeCompare(b.more_than_one_year_on ?? ""))
        : [],
    [rows, today, words],
  );
  const money = (v: string | null) => (v === null ? "" : `${formatNumber(v)} ${currency}`);
  return (
    <>
      <section className="card" aria-labelledby="prices-heading">
        <h3 id="prices-heading">Prices to value your holdings</h3>
        {assets.length === 0 ? (
          <p className="empty" data-testid="holdings-none">
            Nothing held: <Link to="/ledger/import">import</Link> your exchanges' files first.
          </p>
        ) : (
          <form
            className="price-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!badPrice) setApplied(Object.fromEntries(Object.entries(typed).map(([a, v]) => [a, v.trim()])));
            }}
          >
            {assets.map((asset) => {
              const l = live[asset];
              return (
                <div key={asset} className="price-row">
                  <label>
                    <span>
                      1 {asset} in {currency}
                    </span>
                    <input value={typed[asset] ?? ""} onChange={(e) => setTyped((t) => ({ ...t, [asset]: e.target.value }))} inputMode="decimal" size={14} aria-invalid={typed[asset] !== undefined && typed[asset].trim() !== "" && !PRICE.test(typed[asset].trim())} data-testid={`price-${asset}`} />
                  </label>
                  <button type="button" onClick={() => void fetchLive(asset)} disabled={fetching !== null} data-testid={`live-price-${asset}`}>
                    {fetching === asset ? "Asking the exchanges…" : "Last live price"}
                  </button>
                  {l && "code" in l && <span className="flag" data-testid={`live-error-${asset}`}>{l.message}</span>}
                  {l && !("code" in l) && (
                    <span className="note" data-testid={`live-source-${asset}`}>
                      {l.price === null
                        ? `No exchange answered with a ${asset}/${currency} book; type a price.`
                        : `Median mid of ${l.books} order book${l.books === 1 ? "" : "s"}, ${formatInstant(l.at)}.`}
                    </span>
                  )}
                </div>
              );
            })}
            {badPrice && (
              <p className="error" role="alert" data-testid="price-error">
                The price of {badPrice[0]} should be a number like 65000 or 65000.50.
              </p>
            )}
            <button type="submit" className="primary" disabled={!!badPrice || holdings.isFetching} data-testid="holdings-apply">
              Value my holdings
            </button>
          </form>
        )}
      </section>
      <section className="card" aria-labelledby="holdings-heading">
        <h3 id="holdings-heading">Held on {formatDate(today)}</h3>
        {holdings.isPending && <p data-testid="holdings-loading">Booking your history lot by lot…</p>}
        {holdings.error && <ErrorPanel error={toBackendError(holdings.error)} />}
        {holdings.data && rows.length === 0 && (
          <p className="empty" data-testid="holdings-empty">
            No lots held today.
          </p>
        )}
        {rows.length > 0 && (
          <>
            <table className="data-table" data-testid="holdings-totals">
              <thead>
                <tr>
                  <th>Asset</th>
                  <th className="num">Quantity</th>
                  <th className="num">Lots</th>
                  <th className="num">Cost</th>
                  <th className="num">Value</th>
                  <th className="num">Unrealized gain</th>
                </tr>
              </thead>
              <tbody>
                {totals.map((t) => (
                  <tr key={t.asset} data-testid={`holding-total-${t.asset}`}>
                    <td>{t.asset}</td>
                    <td className="num">{formatQty(t.qty)}</td>
                    <td className="num">{formatCount(t.lots)}</td>
                    <td className="num" data-testid={`holding-cost-${t.asset}`}>
                      {t.cost === null ? <span className="flag">unknown for {formatCount(t.unknownCost)} lot{t.unknownCost === 1 ? "" : "s"}</span> : money(t.cost)}
                    </td>
                    <td className="num" data-testid={`holding-value-${t.asset}`}>
                      {t.value === null ? <span className="note">give a price</span> : money(t.value)}
                    </td>
                    <td className={`num ${t.unrealized?.startsWith("-") ? "negative" : ""}`} data-testid={`holding-unrealized-${t.asset}`}>
                      {t.unrealized === null ? (t.value === null ? "" : <span className="flag">unknown: a cost is unknown</span>) : money(t.unrealized)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {words && (
              <div data-testid="holdings-soon">
                <h4>
                  {words.soon} (next {SOON_DAYS} days)
                </h4>
                {soon.length === 0 ? (
                  <p className="note" data-testid="holdings-soon-none">
                    No lot turns {words.done} in the next {SOON_DAYS} days.
                  </p>
                ) : (
                  <ul className="soon">
                    {soon.map((r) => (
                      <li key={`${r.account}-${r.lot}`} data-testid="holding-soon">
                        {formatQty(r.qty)} {r.asset} in {r.account}, acquired {formatDate(r.acquired)}: {words.done} from{" "}
                        <strong>{formatDate(r.more_than_one_year_on ?? "")}</strong> (in {daysBetween(today, r.more_than_one_year_on ?? today)} days)
                        {r.unrealized !== null && <> · unrealized {money(r.unrealized)}</>}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            {!words && (
              <p className="note">
                {jurisdiction === "uk"
                  ? "In the UK every lot joins the Section 104 pool: no holding period changes the tax. The lots are shown for reference."
                  : "In Canada gains are taxed on the adjusted cost base whatever the holding period. The lots are shown for reference."}
              </p>
            )}
            <LotsTable rows={rows} money={money} column={words?.column ?? null} today={today} />
          </>
        )}
        <p className="hint">
          Lots as booked with {jurisdiction === "de" ? "first in, first out per wallet" : `your method (${method}, ${pooling === "per-account" ? "per account" : "across accounts until 2024"})`}; change it in <Link to="/settings">Settings</Link>.
        </p>
      </section>
    </>
  );
}

function LotsTable({ rows, money, column, today }: { rows: HoldingRow[]; money: (v: string | null) => string; column: string | null; today: string }) {
  return (
    <VirtualTable
      count={rows.length}
      label="Lots held"
      testId="holdings-scroll"
      tableTestId="holdings-lots"
      head={<tr>
        <th style={{ width: 120 }}>Account</th>
        <th style={{ width: 56 }}>Asset</th>
        <th style={{ width: 100 }}>Acquired</th>
        <th style={{ width: 90 }} className="num">Quantity</th>
        <th style={{ width: 110 }} className="num">Cost</th>
        <th style={{ width: 110 }} className="num">Value</th>
        <th style={{ width: 110 }} className="num">Unrealized</th>
        {column && <th style={{ width: 110 }}>{column}</th>}
        <th style={{ width: 140 }}>Source</th>
      </tr>}
      row={(index) => {
        const r = rows[index];
        if (!r) return null;
        const on = r.more_than_one_year_on;
        return (
          <tr key={`${r.account}-${r.lot}`} style={{ height: ROW_HEIGHT }} data-testid="holding-lot" className={r.cost === null ? "unknown" : ""}>
            <td title={r.account}>{r.account}</td>
            <td>{r.asset}</td>
            <td>{formatDate(r.acquired)}</td>
            <td className="num">{formatQty(r.qty)}</td>
            <td className="num">{r.cost === null ? <span className="flag">unknown</span> : money(r.cost)}</td>
            <td className="num">{money(r.value)}</td>
            <td className={`num ${r.unrealized?.startsWith("-") ? "negative" : ""}`}>{money(r.unrealized)}</td>
            {column && <td>{on === null ? "" : on <= today ? "since " + formatDate(on) : formatDate(on)}</td>}
            <td title={r.lot_source}>{r.lot_source}</td>
          </tr>
        );
      }}
    />
  );
}
