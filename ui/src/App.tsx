import { lazy, Suspense, useEffect, useRef } from "react";
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { HashRouter, NavLink, Route, Routes, useLocation } from "react-router";
import { backend, onSessionLocked } from "./backend";
import { ScreenBoundary } from "./common";
import { CompareVenues } from "./CompareVenues";
import { SaleWizard } from "./wizard/SaleWizard";
import { clearDrafts } from "./drafts";
import { Home } from "./Home";
import { LedgerPage } from "./ledger/LedgerPage";
// Reports carry the chart library: loaded when first opened, so the window starts fast.
const Reports = lazy(() => import("./Reports").then((m) => ({ default: m.Reports })));
import { Settings } from "./Settings";
import { queries } from "./queries";

/** One query layer for the whole window: data from the shell, refetched when something changes it. */
export function makeQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
}

export function App({ client }: { client?: QueryClient } = {}) {
  const qc = useRef(client ?? makeQueryClient()).current;
  return (
    <QueryClientProvider client={qc}>
      <HashRouter>
        <Layout />
      </HashRouter>
    </QueryClientProvider>
  );
}

/** How often, at most, the window tells the shell the user is active (the auto-lock waits while they are). */
const TOUCH_EVERY_MS = 30_000;

function Layout() {
  const qc = useQueryClient();
  const location = useLocation();
  const status = useQuery(queries.status);
  const session = useQuery(queries.session);
  const unlocked = session.data?.unlocked === true;

  // The shell locked the ledger by itself (idle): every screen shows it locked.
  useEffect(() => {
    // (Outside the shell, as in tests without mocked events, there is nothing to listen to.)
    const off = onSessionLocked(() => {
      clearDrafts();
      void qc.invalidateQueries();
    }).catch(() => null);
    // (Unlistening can fail only when the window is going away with its listeners.)
    return () => void off.then((f) => f?.()).catch(() => undefined);
  }, [qc]);

  // While the user works in the window, the auto-lock waits.
  useEffect(() => {
    if (!unlocked) return;
    let last = 0;
    const active = () => {
      const now = Date.now();
      if (now - last > TOUCH_EVERY_MS) {
        last = now;
        backend.touch().catch(() => undefined);
      }
    };
    window.addEventListener("pointerdown", active);
    window.addEventListener("keydown", active);
    return () => {
      window.removeEventListener("pointerdown", active);
      window.removeEventListener("keydown", active);
    };
  }, [unlocked]);

  const lock = () => {
    clearDrafts();
    backend.lock().finally(() => {
      qc.removeQueries({ predicate: (q) => !["status", "session"].includes(String(q.queryKey[0])) });
      void qc.invalidateQueries();
    });
  };

  const link = (to: string, label: string, testid: string, end = false) => (
    <NavLink to={to} end={end} className={({ isActive }) => (isActive ? "nav-link active" : "nav-link")} data-testid={testid}>
      {label}
    </NavLink>
  );
  return (
    <div className="app">
      <aside className="sidebar" aria-label="Offramp">
        <div className="brand">
          <h1>Offramp</h1>
          {status.data && (
            <span className="badges">
              <span className="badge" data-testid="app-version">
                v{status.data.app_version}
              </span>
              {status.data.flavor === "dev" && (
                <span className="badge badge-dev" data-testid="flavor">
                  dev build
                </span>
              )}
            </span>
          )}
        </div>
        <nav className="nav" aria-label="Screens">
          {link("/", "Home", "nav-home", true)}
          {link("/sell", "Sell", "nav-compare")}
          {link("/ledger", "Ledger", "nav-ledger")}
          {link("/reports", "Reports", "nav-reports")}
          {link("/settings", "Settings", "nav-settings")}
        </nav>
        <div className="sidebar-foot">
          {unlocked ? (
            <button type="button" onClick={lock} data-testid="lock" className="lock-button">
              Lock the ledger
            </button>
          ) : (
            <span className="note" data-testid="locked-note">
              {status.data?.ledger === "present" ? "Locked" : ""}
            </span>
          )}
        </div>
      </aside>
      <main>
        <ScreenBoundary key={location.pathname}>
        <Suspense fallback={<p data-testid="loading">Loading…</p>}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/sell" element={<SellPage guided />} />
          <Route path="/sell/compare" element={<SellPage guided={false} />} />
          <Route path="/ledger/*" element={<LedgerPage />} />
          <Route path="/reports" element={<Reports />} />
          <Route path="/settings" element={<Settings />} />
        </Routes>
        </Suspense>
        </ScreenBoundary>
      </main>
    </div>
  );
}

/** Selling: the guided wizard, or the venue comparison on its own for those who know what they want. */
function SellPage({ guided }: { guided: boolean }) {
  return (
    <>
      <nav className="subnav" aria-label="Selling">
        <NavLink to="/sell" end className={({ isActive }) => (isActive ? "subnav-link active" : "subnav-link")} data-testid="sell-tab-guided">
          Step by step
        </NavLink>
        <NavLink to="/sell/compare" className={({ isActive }) => (isActive ? "subnav-link active" : "subnav-link")} data-testid="sell-tab-compare">
          Compare venues
        </NavLink>
      </nav>
      {guided ? <SaleWizard /> : <CompareVenues />}
    </>
  );
}

export { ErrorPanel, formatBytes } from "./common";
