import { useState } from "react";
import { backend, toBackendError, type BackendError, type Plan, type QuoteRequest, type Schedule, type VenuePlan } from "./backend";
import { formatDecimal } from "./money";

type State = { kind: "idle" } | { kind: "loading" } | { kind: "ok"; plan: Plan } | { kind: "error"; error: BackendError };

const money = (v: string | null) => (v === null ? "unknown" : formatDecimal(v));

/** Plans the sale the user just compared: schedules over days at each exchange, the cost-versus-risk frontier. */
export function PlanView({ request }: { request: QuoteRequest }) {
  const [maxDays, setMaxDays] = useState("30");
  const [state, setState] = useState<State>({ kind: "idle" });
  const fiat = request.fiat.toUpperCase();

  const run = () => {
    const days = Number.parseInt(maxDays, 10);
    setState({ kind: "loading" });
    backend.plan(request, Number.isFinite(days) ? days : 0).then(
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
  const parts = v.limits.map((l) => `${l.cap === null ? "unknown" : formatDecimal(l.cap)} ${fiat} ${l.days === 1 ? "a day" : `in ${l.days} days`}`);
  return `withdrawal limits (${v.limits_level}): ${parts.join(", ")}`;
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
                {m.desk} {m.desk_qty} + {m.exchange} {m.exchange_qty}: net {formatDecimal(m.net)} {fiat}
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
