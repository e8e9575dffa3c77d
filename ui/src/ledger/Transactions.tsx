// Every transaction, in time order, in a virtualized table over the backend's pages (smooth at a million rows:
// only the visible rows are in the page, and the next page is asked for as the end comes into view).
import { useEffect, useMemo, useRef, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { createColumnHelper, tableFeatures, useTable, columnSizingFeature } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { Link } from "react-router";
import { backend, toBackendError, type TxQuery, type TxRow } from "../backend";
import { ErrorPanel } from "../common";
import { useDraft } from "../drafts";
import { formatAmount, formatCount, formatInstant } from "../format";
import { queries } from "../queries";
import { AddTx, EditTx } from "./EditTx";

export type Filters = {
  account: string;
  asset: string;
  kind: string;
  from: string;
  until: string;
  needs_price: boolean;
  unknown_basis: boolean;
};

export const NO_FILTERS: Filters = {
  account: "",
  asset: "",
  kind: "",
  from: "",
  until: "",
  needs_price: false,
  unknown_basis: false,
};

export const KINDS = [
  "buy", "sell", "trade", "spend", "fee", "transfer_out", "transfer_in", "deposit", "withdrawal",
  "staking", "mining", "airdrop", "interest", "other_income",
];

/** Rows asked of the backend at a time. */
export const PAGE = 500;
const ROW_HEIGHT = 34;

function toQuery(f: Filters): TxQuery {
  const q: TxQuery = { limit: PAGE };
  if (f.account) q.account = f.account;
  if (f.asset.trim()) q.asset = f.asset.trim().toUpperCase();
  if (f.kind) q.kind = f.kind;
  if (f.from) q.from = f.from;
  if (f.until) q.until = f.until;
  if (f.needs_price) q.needs_price = true;
  if (f.unknown_basis) q.unknown_basis = true;
  return q;
}

const features = tableFeatures({ columnSizingFeature });
const helper = createColumnHelper<typeof features, TxRow>();
const columns = helper.columns([
  helper.accessor("timestamp", { header: "Date (UTC)", size: 150, cell: (c) => formatInstant(c.getValue()) }),
  helper.accessor("account", { header: "Account", size: 110 }),
  helper.accessor("kind", { header: "Kind", size: 95, cell: (c) => c.getValue().replace("_", " ") }),
  helper.accessor("sent", { header: "Sent", size: 125, cell: (c) => formatAmount(c.getValue()) }),
  helper.accessor("received", { header: "Received", size: 125, cell: (c) => formatAmount(c.getValue()) }),
  helper.accessor("fee", { header: "Fee", size: 100, cell: (c) => formatAmount(c.getValue()) }),
  helper.accessor("fiat_value", {
    header: "Value",
    size: 110,
    cell: (c) =>
      c.row.original.needs_price ? (
        <span className="flag" title="No fiat value: reports flag what depends on it, never count it as zero">
          needs price
        </span>
      ) : (
        formatAmount(c.getValue())
      ),
  }),
  helper.display({
    id: "source",
    header: "Source",
    size: 170,
    cell: (c) => {
      const r = c.row.original;
      const file = r.source_file.split("/").pop() ?? r.source_file;
      return (
        <span className="source" title={r.source_file === "edit" ? `your edit ${r.source_line}` : `${r.source_file}, line ${r.source_line}`}>
          {r.source_file === "edit" ? `edit ${r.source_line}` : `${file}:${r.source_line}`}
          {r.external_id ? <span className="note"> · {r.external_id}</span> : null}
          {r.retired ? (
            <span className="flag" data-testid="tx-retired">
              {" "}
              voided or replaced
            </span>
          ) : null}
        </span>
      );
    },
  }),
]);

export function Transactions() {
  const [filters, setFilters] = useDraft<Filters>("tx-filters", NO_FILTERS);
  const accounts = useQuery(queries.accounts);
  const query = useMemo(() => toQuery(filters), [filters]);
  const pages = useInfiniteQuery({
    queryKey: ["transactions", query],
    queryFn: ({ pageParam }) =>
      backend.transactions(pageParam ? { ...query, after: pageParam } : query).catch((e: unknown) => {
        throw toBackendError(e);
      }),
    initialPageParam: "",
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.rows) ?? [], [pages.data]);
  const total = accounts.data?.reduce((n, a) => n + a.transactions, 0);
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const [selected, setSelected] = useState<TxRow | null>(null);

  return (
    <section className="card" aria-labelledby="tx-heading">
      <div className="card-head">
        <h3 id="tx-heading">Transactions</h3>
        <span className="note" data-testid="tx-count">
          {pages.data
            ? `${formatCount(rows.length)}${pages.hasNextPage ? "+" : ""} shown${total !== undefined ? ` of ${formatCount(total)}` : ""}`
            : ""}
        </span>
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          <span>Account</span>
          <select value={filters.account} onChange={(e) => set("account", e.target.value)} data-testid="filter-account">
            <option value="">All</option>
            {accounts.data?.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Asset</span>
          <input value={filters.asset} onChange={(e) => set("asset", e.target.value)} placeholder="BTC" size={6} data-testid="filter-asset" />
        </label>
        <label>
          <span>Kind</span>
          <select value={filters.kind} onChange={(e) => set("kind", e.target.value)} data-testid="filter-kind">
            <option value="">All</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>From</span>
          <input type="date" value={filters.from} onChange={(e) => set("from", e.target.value)} data-testid="filter-from" />
        </label>
        <label>
          <span>Before</span>
          <input type="date" value={filters.until} onChange={(e) => set("until", e.target.value)} data-testid="filter-until" />
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.needs_price} onChange={(e) => set("needs_price", e.target.checked)} data-testid="filter-needs-price" />
          <span>Needs a price</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.unknown_basis} onChange={(e) => set("unknown_basis", e.target.checked)} data-testid="filter-unknown-basis" />
          <span>Unknown cost</span>
        </label>
        {filtered && (
          <button type="button" onClick={() => setFilters(NO_FILTERS)} data-testid="filter-clear">
            Clear filters
          </button>
        )}
      </form>
      <AddTx />
      {selected && <EditTx key={selected.id} tx={selected} onClose={() => setSelected(null)} />}
      {pages.isError && <ErrorPanel error={toBackendError(pages.error)} />}
      {pages.data && rows.length === 0 && (
        <p className="empty" data-testid="tx-empty">
          {filtered ? (
            "No transaction matches these filters."
          ) : (
            <>
              No transactions yet. <Link to="/ledger/import">Import your exchanges' history files</Link> to begin.
            </>
          )}
        </p>
      )}
      {rows.length > 0 && (
        <TxTable
          onSelect={setSelected}
          rows={rows}
          hasMore={pages.hasNextPage}
          loadMore={() => {
            if (!pages.isFetchingNextPage) void pages.fetchNextPage();
          }}
        />
      )}
    </section>
  );
}

function TxTable({ rows, hasMore, loadMore, onSelect }: { rows: TxRow[]; hasMore: boolean; loadMore: () => void; onSelect: (r: TxRow) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 560 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const firstIndex = first?.index ?? 0;
  const lastIndex = last?.index ?? 0;
  // The table models only the rows in view (and the overscan): its work and memory per frame stay the same at
  // 500 rows loaded or 500,000 (modelling every loaded row cost about 30 KB a row in WebKit).
  const visible = useMemo(() => rows.slice(firstIndex, lastIndex + 1), [rows, firstIndex, lastIndex]);
  const table = useTable({ features, columns, data: visible, getRowId: (r) => String(r.id) });
  const modelRows = table.getRowModel().rows;
  useEffect(() => {
    // The end is in view: ask for the next page (the placeholder row shows while it comes).
    if (hasMore && lastIndex >= rows.length - 1) loadMore();
  }, [hasMore, lastIndex, rows.length, loadMore]);
  const padTop = first?.start ?? 0;
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0;
  return (
    <div className="table-scroll" ref={scroller} data-testid="tx-scroll" tabIndex={0} aria-label="Transactions table">
      <table className="data-table" data-testid="tx-table">
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id} style={{ width: h.getSize() }}>
                  <table.FlexRender header={h} />
                </th>
              ))}
              <th style={{ width: 56 }}>
                <span className="visually-hidden">Edit</span>
              </th>
            </tr>
          ))}
        </thead>
        <tbody>
          {padTop > 0 && <tr aria-hidden style={{ height: padTop }} />}
          {items.map((vi) => {
            const row = modelRows[vi.index - firstIndex];
            if (!row) {
              return (
                <tr key="loading" className="loading-row" style={{ height: ROW_HEIGHT }}>
                  <td colSpan={columns.length + 1}>Loading more…</td>
                </tr>
              );
            }
            return (
              <tr key={row.id} data-testid={`tx-row-${row.original.id}`} style={{ height: ROW_HEIGHT }}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
                <td>
                  <button type="button" className="link" onClick={() => onSelect(row.original)} data-testid={`tx-edit-${row.original.id}`}>
                    Edit
                  </button>
                </td>
              </tr>
            );
          })}
          {padBottom > 0 && <tr aria-hidden style={{ height: padBottom }} />}
        </tbody>
      </table>
    </div>
  );
}
