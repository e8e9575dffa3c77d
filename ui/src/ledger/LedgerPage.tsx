// The ledger: its transactions, accounts and balances, own transfers, and imports (one sub-screen each).
import { NavLink, Navigate, Route, Routes } from "react-router";
import { NeedsLedger } from "../Access";
import { Accounts } from "./Accounts";
import { Holdings } from "./Holdings";
import { Import } from "./Import";
import { Transactions } from "./Transactions";
import { Transfers } from "./Transfers";

const TABS = [
  ["transactions", "Transactions"],
  ["accounts", "Accounts"],
  ["holdings", "Holdings"],
  ["transfers", "Own transfers"],
  ["import", "Import files"],
] as const;

export function LedgerPage() {
  return (
    <NeedsLedger what="Your transactions">
      <h2 className="page-title">Ledger</h2>
      <nav className="subnav" aria-label="Ledger">
        {TABS.map(([path, label]) => (
          <NavLink
            key={path}
            to={`/ledger/${path}`}
            className={({ isActive }) => (isActive ? "subnav-link active" : "subnav-link")}
            data-testid={`ledger-tab-${path}`}
          >
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="transactions" replace />} />
        <Route path="transactions" element={<Transactions />} />
        <Route path="accounts" element={<Accounts />} />
        <Route path="holdings" element={<Holdings />} />
        <Route path="transfers" element={<Transfers />} />
        <Route path="import" element={<Import />} />
      </Routes>
    </NeedsLedger>
  );
}
