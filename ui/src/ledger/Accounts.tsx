// The accounts the imports created, each with its balances (received − sent − fee over its history).
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { toBackendError, type Balance } from "../backend";
import { ErrorPanel } from "../common";
import { formatCount, formatQty } from "../format";
import { queries } from "../queries";

export function Accounts() {
  const accounts = useQuery(queries.accounts);
  const balances = useQuery(queries.balances);
  const error = accounts.error ?? balances.error;
  const byAccount = new Map<string, Balance[]>();
  for (const b of balances.data ?? []) byAccount.set(b.account, [...(byAccount.get(b.account) ?? []), b]);
  return (
    <section className="card" aria-labelledby="accounts-heading">
      <h3 id="accounts-heading">Accounts and balances</h3>
      {error && <ErrorPanel error={toBackendError(error)} />}
      {accounts.data?.length === 0 && (
        <p className="empty" data-testid="accounts-empty">
          No accounts yet: each exchange file you <Link to="/ledger/import">import</Link> adds its account.
        </p>
      )}
      {accounts.data && accounts.data.length > 0 && (
        <table className="data-table" data-testid="accounts-table">
          <thead>
            <tr>
              <th>Account</th>
              <th>Venue</th>
              <th className="num">Transactions</th>
              <th>Balances</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data.map((a) => (
              <tr key={a.id} data-testid={`account-${a.name}`}>
                <td>{a.name}</td>
                <td>{a.venue}</td>
                <td className="num">{formatCount(a.transactions)}</td>
                <td>
                  <ul className="balances">
                    {(byAccount.get(a.name) ?? []).map((b) => (
                      <li key={b.asset} data-testid={`balance-${a.name}-${b.asset}`} className={b.qty.startsWith("-") ? "negative" : ""}>
                        <span className="num">{formatQty(b.qty)}</span> {b.asset}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint">
        A negative balance means part of the account's history is missing (an earlier file not imported), and the
        figures that depend on it are unknown.
      </p>
    </section>
  );
}
