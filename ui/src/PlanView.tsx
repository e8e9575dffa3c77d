import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { backend, toBackendError, type BackendError, type Plan, type QuoteRequest, type Schedule, type VenuePlan } from "./backend";
import type { Candidate } from "./bindings/Candidate";
import { formatNumber } from "./format";
import { queries } from "./queries";

type State = { kind: "idle" } | { kind: "loading" } | { kind: "ok"; plan: Plan } | { kind: "error"; error: BackendError };

const money = (v: string | null) => (v === null ? "unknown" : formatNumber(v, 2));

/** Plans the sale the user just compared: schedules over days at each exchange, the cost-versus-risk frontier. */
export function PlanView({ request }: { request: QuoteRequest }) {
  const [maxDays, setMaxDays] = useState("30");
  const [risk, setRisk] = useState("medium");
  const [cashBy, setCashBy] = useState("");
  const [cashNeeded, setCashNeeded] = useState("");
  const [heldAt, setHeldAt] = useState("");
  const [levels, setLevels] = useState<Record<string, string>>({});
  const [state, setState] = useState<State>({ kind: "idle" });
  const fiat = request.fiat.toUpperCase();
  // The exchanges that publish verification levels: the seller picks theirs (default: a new verified account's).
  const venues = useQuery(queries.venues);
  const exchanges = (venues.data ?? []).filter((v) => v.kind === "exchange" && v.status !== "closed");
  const leveled = exchanges.filter((v) => v.withdrawal_limits.some((l) => l.currency !== null) && v.withdrawal_limits.length > 1);

  const run = () => {
    const days = Number.parseInt(maxDays, 10);
    setState({ kind: "loading" });
    const full: QuoteRequest = {
      ...request,
      risk,
      levels: Object.entries(levels)
        .filter(([, level]) => level !== "")
        .map(([venue, level]) => ({ venue, level })),
      ...(cashBy ? { cash_by: cashBy } : {}),
      ...(cashNeeded ? { cash_needed: cashNeeded } : {}),
      ...(heldAt ? { held_at: heldAt } : {}),
    };
    backend.plan(full, Number.isFinite(days) ? days : 0).then(
      (plan) => setState({ kind: "ok", plan }),
      (err: unknown) => setState({ kind: "error", error: toBackendError(err) }),
    );
  };

  return (
    <section className="plan" aria-labelledby="plan-heading">
      <h3 id="plan-heading">Plan the sale over days</h3>
      <p className="hint">
        Each exchange's schedules that never exceed a withdrawal limit, from selling everything today to spreading the
        sale out. Spreading cuts market impact but leaves the rest exposed to the price for longer: the table shows
        both, so you choose.
      </p>
      <div className="plan-controls">
        <label>
          <span>At most (days)</span>
          <input data-testid="plan-max-days" value={maxDays} onChange={(e) => setMaxDays(e.target.value)} />
        </label>
        <label>
          <span>Price risk you accept</span>
          <select data-testid="plan-risk" value={risk} onChange={(e) => setRisk(e.target.value)}>
            <option value="low">low (one SD of risk weighs twice its amount)</option>
            <option value="medium">medium (weighs its amount)</option>
            <option value="high">high (only the expected net counts)</option>
          </select>
        </label>
        <label>
          <span>Cash needed by (optional)</span>
          <input data-testid="plan-cash-by" type="date" value={cashBy} onChange={(e) => setCashBy(e.target.value)} />
        </label>
        <label>
          <span>How much by then ({fiat}; empty: all)</span>
          <input data-testid="plan-cash-needed" value={cashNeeded} onChange={(e) => setCashNeeded(e.target.value)} />
        </label>
        <label>
          <span>Your coins are now</span>
          <select data-testid="plan-held-at" value={heldAt} onChange={(e) => setHeldAt(e.target.value)}>
            <option value="">in your own wallet</option>
            {exchanges.map((v) => (
              <option key={v.id} value={v.id}>
                at {v.name}
              </option>
            ))}
          </select>
        </label>
        {leveled.map((v) => (
          <label key={v.id}>
            <span>Your level at {v.name}</span>
            <select
              data-testid={`plan-level-${v.id}`}
              value={levels[v.id] ?? ""}
              onChange={(e) => setLevels({ ...levels, [v.id]: e.target.value })}
            >
              <option value="">a new verified account's (assumed)</option>
              {v.withdrawal_limits.map((l) => (
                <option key={l.level} value={l.level}>
                  {l.level}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="button" data-testid="plan-submit" onClick={run} disabled={state.kind === "loading"}>
          Plan
        </button>
      </div>
      {state.kind === "error" && (
        <div className="error" role="alert">
          <p data-testid="plan-error-message">{state.error.message}</p>
          <p className="error-code">
            Error code: <code data-testid="plan-error-code">{state.error.code}</code>
          </p>
        </div>
      )}
      {state.kind === "ok" && <PlanTables plan={state.plan} fiat={fiat} asset={request.asset.toUpperCase()} />}
    </section>
  );
}

function limitsText(v: VenuePlan, fiat: string): string {
  if (v.limits_level === null) return "withdrawal limits unknown";
  const parts = v.limits.map((l) => `${l.cap === null ? "unknown" : formatNumber(l.cap, 2)} ${fiat} ${l.days === 1 ? "a day" : `in ${l.days} days`}`);
  return `withdrawal limits (${v.limits_level}): ${parts.join(", ")}${v.limits_basis ? ` (${v.limits_basis})` : ""}`;
}

const days = (d: number | null) => (d === null ? "unknown" : String(d));

/** The recommendation in full: its figures, why it is first, what to do on day 1, where each figure comes from. */
export function Recommendation({ plan, fiat, asset }: { plan: Plan; fiat: string; asset: string }) {
  const [first, ...rest] = plan.recommended;
  if (first === undefined) {
    return (
      <p className="note" data-testid="plan-no-recommendation">
        No complete plan: see why at each venue below.
      </p>
    );
  }
  return (
    <div className="plan-recommended" data-testid="plan-recommended">
      <h4>Recommended: {first.title}</h4>
      <p data-testid="recommended-figures">
        Net <strong>{money(first.net)}</strong> {fiat}; cost {money(first.cost)}; price risk (1 SD) {money(first.price_risk)}; cash in{" "}
        {days(first.days_to_cash)} day(s)
        {first.tax !== null && (
          <>
            ; estimated tax {money(first.tax)}, after tax {money(first.after_tax)}
          </>
        )}
      </p>
      <p className="hint" data-testid="recommended-reason">
        {first.reason}
      </p>
      <h5>What to do</h5>
      <ol data-testid="recommended-steps">
        {first.steps.map((s) => (
          <li key={s.text}>
            {s.day !== null && <strong>{s.day}: </strong>}
            {s.text}
          </li>
        ))}
      </ol>
      {first.tranches.length > 1 && <Tranches c={first} fiat={fiat} asset={asset} />}
      {[...first.warnings, ...first.unknown_costs].map((w) => (
        <div key={w} className="note">
          ⚠ {w}
        </div>
      ))}
      <details data-testid="recommended-sources">
        <summary>Where each figure comes from</summary>
        <ul>
          {first.sources.map((s) => (
            <li key={s.figure}>
              {s.figure}: {s.source}, as of {s.as_of}
            </li>
          ))}
        </ul>
      </details>
      {rest.length > 0 && (
        <>
          <h5>Alternatives</h5>
          <ol start={2} data-testid="plan-alternatives">
            {rest.map((c) => (
              <li key={`${c.kind}-${c.venues.join("+")}`}>
                <strong>{c.title}</strong>: net {money(c.net)} {fiat}, price risk {money(c.price_risk)}, {days(c.days_to_cash)} day(s) to cash.{" "}
                <span className="hint">{c.reason}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      <p className="hint">{plan.ranking}</p>
    </div>
  );
}

function Tranches({ c, fiat, asset }: { c: Candidate; fiat: string; asset: string }) {
  return (
    <table data-testid="recommended-tranches">
      <thead>
        <tr>
          <th>Day</th>
          <th>Venue</th>
          <th className="num">Sell {asset}</th>
          <th className="num">Withdraw {fiat}</th>
          <th className="num">Withdrawal fee</th>
          {c.tranches.some((t) => t.lots.length > 0) && <th>Lots sold</th>}
        </tr>
      </thead>
      <tbody>
        {c.tranches.slice(0, 60).map((t) => (
          <tr key={`${t.day}-${t.venue}`}>
            <td>{t.day}</td>
            <td>{t.venue}</td>
            <td className="num">{t.sell}</td>
            <td className="num">{money(t.withdraw)}</td>
            <td className="num">{money(t.withdrawal_fee)}</td>
            {c.tranches.some((x) => x.lots.length > 0) && (
              <td data-testid="tranche-lots">{t.lots.map((l) => `${l.account} lot ${l.lot} (${l.acquired}): ${l.qty}`).join("; ")}</td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function shown(v: VenuePlan): Schedule[] {
  const frontier = v.schedules.filter((s) => s.efficient);
  return frontier.length > 0 ? frontier : v.schedules.slice(0, 3);
}

function PlanTables({ plan, fiat, asset }: { plan: Plan; fiat: string; asset: string }) {
  const suitable = plan.exchanges.filter((v) => v.unsuitable.length === 0);
  const unsuitable = plan.exchanges.filter((v) => v.unsuitable.length > 0);
  return (
    <div className="plan-results">
      <Recommendation plan={plan} fiat={fiat} asset={asset} />
      <h4>Each exchange in detail</h4>
      {suitable.map((v) => (
        <div key={v.venue} className="plan-venue" data-testid={`plan-venue-${v.venue}`}>
          <h4>{v.name}</h4>
          <p className="note">
            {limitsText(v, fiat)}; fewest days: <span data-testid="fewest-days">{v.fewest_days ?? "-"}</span>
          </p>
          <table>
            <thead>
              <tr>
                <th className="num">Days</th>
                <th>Pace</th>
                <th className="num">Cost {fiat}</th>
                <th className="num">Net {fiat}</th>
                <th className="num">Price risk (1 SD)</th>
                <th>First days ({asset})</th>
              </tr>
            </thead>
            <tbody>
              {shown(v).map((s) => (
                <tr key={`${s.days}-${s.urgency}-${s.fastest}`} data-testid={`schedule-${v.venue}-${s.days}-${s.fastest ? "fastest" : s.urgency}`}>
                  <td className="num">{s.days}</td>
                  <td>{s.fastest ? "as fast as the limits allow" : s.urgency === "0" ? "even" : `front-loaded (${s.urgency})`}</td>
                  <td className="num">{money(s.cost)}</td>
                  <td className="num" data-testid="schedule-net">
                    {money(s.net)}
                  </td>
                  <td className="num">{money(s.risk_std)}</td>
                  <td>
                    {s.sales
                      .slice(0, 3)
                      .map((d) => d.qty)
                      .join(", ")}
                    {s.sales.length > 3 ? ", …" : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {v.warnings.map((w) => (
            <div key={w} className="note">
              ⚠ {w}
            </div>
          ))}
        </div>
      ))}
      {plan.mixes.length > 0 && (
        <>
          <h4>A desk for the bulk</h4>
          <ul data-testid="plan-mixes">
            {plan.mixes.map((m) => (
              <li key={`${m.desk}-${m.exchange}`}>
                {m.desk} {m.desk_qty} + {m.exchange} {m.exchange_qty}: net {formatNumber(m.net, 2)} {fiat}
              </li>
            ))}
          </ul>
        </>
      )}
      {plan.desks_without_quote.length > 0 && (
        <p className="note" data-testid="plan-desks">
          Desks that could take the bulk but publish no spread (ask them for a quote): {plan.desks_without_quote.join(", ")}
        </p>
      )}
      {unsuitable.length > 0 && (
        <ul data-testid="plan-unsuitable">
          {unsuitable.map((v) => (
            <li key={v.venue}>
              <strong>{v.name}</strong>: {v.unsuitable.join("; ")}
            </li>
          ))}
        </ul>
      )}
      {plan.notes.map((n) => (
        <p key={n} className="hint">
          {n}
        </p>
      ))}
    </div>
  );
}
