// The window's queries: one key per piece of state the shell holds, so a change anywhere refetches it everywhere.
import { backend, toBackendError } from "./backend";

const wrap =
  <T,>(f: () => Promise<T>) =>
  () =>
    f().catch((e: unknown) => {
      throw toBackendError(e);
    });

export const queries = {
  status: { queryKey: ["status"], queryFn: wrap(backend.getStatus) },
  session: { queryKey: ["session"], queryFn: wrap(backend.sessionState) },
  twofa: { queryKey: ["twofa"], queryFn: wrap(backend.twofaStatus) },
  autoLock: { queryKey: ["auto-lock"], queryFn: wrap(backend.getAutoLock) },
  accounts: { queryKey: ["accounts"], queryFn: wrap(backend.accounts) },
  attention: { queryKey: ["attention"], queryFn: wrap(backend.attention) },
  balances: { queryKey: ["balances"], queryFn: wrap(backend.balances) },
  transfers: { queryKey: ["transfers"], queryFn: wrap(backend.transfers) },
  preferences: { queryKey: ["preferences"], queryFn: wrap(backend.preferences) },
  transferFees: { queryKey: ["transfer-fees"], queryFn: wrap(backend.transferFees) },
  overrides: { queryKey: ["overrides"], queryFn: wrap(backend.overrides) },
  venues: { queryKey: ["venues"], queryFn: wrap(() => backend.venues()) },
  saleDraft: { queryKey: ["sale-draft"], queryFn: wrap(backend.saleDraft) },
};

/** Every query whose answer depends on the ledger's contents (refetched after an import or a decision). */
export const LEDGER_KEYS = ["accounts", "attention", "balances", "transfers", "transactions", "holdings", "report"];
