// What the user typed into a screen's form, kept while they move to other screens (in memory only, for this
// window's life: never written anywhere, and never a passphrase or a code).
import { useCallback, useSyncExternalStore } from "react";

const drafts = new Map<string, unknown>();
const listeners = new Set<() => void>();

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Like `useState`, but the value outlives the screen: coming back shows what was typed. */
export function useDraft<T>(key: string, initial: T): [T, (next: T | ((prev: T) => T)) => void] {
  const value = useSyncExternalStore(subscribe, () => {
    // The first read keeps the initial value, so every later read returns the same object.
    if (!drafts.has(key)) drafts.set(key, initial);
    return drafts.get(key) as T;
  });
  const set = useCallback(
    (next: T | ((prev: T) => T)) => {
      const prev = drafts.get(key) as T;
      drafts.set(key, typeof next === "function" ? (next as (p: T) => T)(prev) : next);
      listeners.forEach((l) => l());
    },
    [key],
  );
  return [value, set];
}

/** Forgets every draft (the ledger was locked: what was typed about it goes too). */
export function clearDrafts(): void {
  drafts.clear();
  listeners.forEach((l) => l());
}
