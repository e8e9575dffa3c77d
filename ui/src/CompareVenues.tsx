import { useState, type FormEvent } from "react";
import { backend, toBackendError, type BackendError, type QuoteRequest, type VenueQuote } from "./backend";
import { formatDecimal } from "./money";
import { PlanView } from "./PlanView";

type Result =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "ok"; quotes: VenueQuote[]; request: QuoteRequest }
  | { kind: "error"; error: BackendError };

type TextField = "qty" | "asset" | "fiat" | "country" | "price" | "daily_volatility" | "daily_volume";

const FIELDS: { key: TextField; label: string; placeholder: string; hint?: string }[] = [
  { key: "qty", label: "Quantity to sell", placeholder: "10" },
  { key: "asset", label: "Asset", placeholder: "BTC" },
  { key: "fiat", label: "Into currency", placeholder: "USD" },
  { key: "country", label: "Your country", placeholder: "US" },
  { key: "price", label: "Price of one unit", placeholder: "65000", hint: "Offline: no live prices yet" },
  { key: "daily_volatility", label: "Daily volatility (fraction)", placeholder: "0.03", hint: "optional, for market impact" },
  { key: "daily_volume", label: "Daily volume (units)", placeholder: "10000", hint: "optional, for market impact" },
];

export function CompareVenues() {
  const [form, setForm] = useState<QuoteRequest>({ qty: "", asset: "BTC", fiat: "USD", country: "US", price: "" });
  const [result, setResult] = useState<Result>({ kind: "idle" });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const request: QuoteRequest = { ...form };
    for (const k of ["price", "daily_volatility", "daily_volume"] as const) {
      if (!request[k]) delete request[k];
    }
    setResult({ kind: "loading" });
    backend.quote(request).then(
      (quotes) => setResult({ kind: "ok", quotes, request }),
      (err: unknown) => setResult({ kind: "error", error: toBackendError(err) }),
    );
  };

  return (
    <section className="card" aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare venues</h2>
      <p className="hint">
        What selling would give at each exchange, peer-to-peer platform, OTC desk and ATM in the catalog. Offline:
        the price is yours, and a cost a venue does not publish stays unknown.
      </p>
      <form className="quote-form" onSubmit={submit}>
        {FIELDS.map((f) => (
          <label key={f.key}>
            <span>{f.label}</span>
            <input
              data-testid={`quote-${f.key}`}
              value={form[f.key] ?? ""}
              placeholder={f.placeholder}
              onChange={(e) => setForm({ ...form, [f.key]: e.target.value })}
            />
            {f.hint && <small>{f.hint}</small>}
          </label>
        ))}
        <button type="submit" data-testid="quote-submit" disabled={result.kind === "loading"}>
          Compare
        </button>
      </form>
      {result.kind === "error" && (
        <div className="error" role="alert">
          <p data-testid="error-message">{result.error.message}</p>
          <p className="error-code">
            Error code: <code data-testid="error-code">{result.error.code}</code>
          </p>
        </div>
      )}
      {result.kind === "ok" && <QuoteTables quotes={result.quotes} fiat={form.fiat.toUpperCase()} />}
      {result.kind === "ok" && <PlanView key={JSON.stringify(result.request)} request={result.request} />}
    </section>
  );
}

function costs(q: VenueQuote): string {
  return q.costs.map((c) => `${c.name} ${c.amount === null ? "unknown" : formatDecimal(c.amount)}`).join("; ");
}

function QuoteTables({ quotes, fiat }: { quotes: VenueQuote[]; fiat: string }) {
  const known = quotes.filter((q) => q.unsuitable.length === 0 && q.net !== null);
  const unknown = quotes.filter((q) => q.unsuitable.length === 0 && q.net === null);
  const unsuitable = quotes.filter((q) => q.unsuitable.length > 0);
  return (
    <div className="quotes">
      <table>
        <thead>
          <tr>
            <th>Venue</th>
            <th className="num">Net {fiat}</th>
            <th className="num">Days</th>
            <th>Costs</th>
          </tr>
        </thead>
        <tbody>
          {known.map((q) => (
            <tr key={q.venue} data-testid={`quote-row-${q.venue}`}>
              <td>{q.name}</td>
              <td className="num" data-testid="net">
                {formatDecimal(q.net ?? "0")}
              </td>
              <td className="num">{q.days_to_cash ?? "?"}</td>
              <td>
                {costs(q)}
                <ul className="cost-notes" data-testid="cost-notes">
                  {q.costs.map((c) => (
                    <li key={c.name}>
                      {c.name}: {c.note !== "" ? `${c.note} ` : ""}
                      {!c.note.includes("source ") && (
                        <span className="source">
                          (source {c.source}, as of {c.as_of})
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
                {q.warnings.map((w) => (
                  <div key={w} className="note">
                    ⚠ {w}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Net unknown</h3>
      <ul data-testid="quote-unknown">
        {unknown.map((q) => (
          <li key={q.venue}>
            <strong>{q.name}</strong>: {costs(q)}
          </li>
        ))}
      </ul>
      <h3>Not suitable</h3>
      <ul data-testid="quote-unsuitable">
        {unsuitable.map((q) => (
          <li key={q.venue}>
            <strong>{q.name}</strong>: {q.unsuitable.join("; ")}
          </li>
        ))}
      </ul>
    </div>
  );
}
