// Test helper: a complete plan (a recommendation) as the backend sends it, for the plan and wizard tests.
import type { Candidate } from "./bindings/Candidate";

/** A sell-now-withdraw-later plan at Kraken for 10 BTC; `c` overrides any field. */
export const candidate = (c: Partial<Candidate> & { title: string }): Candidate => ({
  kind: "sell_now_withdraw_later",
  venues: ["kraken"],
  days_to_cash: 32,
  gross: "650000",
  cost: "2005.77",
  net: "647994.23",
  cost_before_impact: "1718",
  tax: null,
  after_tax: null,
  price_risk: "0",
  custody_peak: "648022.23",
  custody_days: 32,
  score: "647994.23",
  meets_deadline: null,
  caution: null,
  reason: "Recommended: the highest expected net after a price-risk charge",
  steps: [
    { day: "2026-12-01", text: "Deposit 10 BTC to Kraken (deposit fee: free)" },
    { day: "2026-12-01", text: "Sell 10 BTC for USD: limit orders pay the maker fee (0.16%)" },
  ],
  tranches: [
    { day: "2026-12-01", venue: "kraken", sell: "10", withdraw: "100000", withdrawal_fee: "4", lots: [] },
    { day: "2026-12-02", venue: "kraken", sell: "0", withdraw: "100000", withdrawal_fee: "4", lots: [] },
  ],
  unknown_costs: [],
  sources: [{ figure: "withdrawal limits (Intermediate)", source: "marketrealist.com (secondary)", as_of: "2022-03-25" }],
  warnings: ["limits of Kraken's Intermediate level, the level a new verified account gets (assumed)"],
  ...c,
});
