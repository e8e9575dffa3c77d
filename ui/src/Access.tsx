// Creating the ledger (a strong passphrase, typed twice) and unlocking it (with the second factor's code when on).
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { backend, toBackendError, type Strength } from "./backend";
import { ErrorPanel } from "./common";
import { queries } from "./queries";

/** zxcvbn's verdict on a passphrase being typed (asked of the shell, which refuses weak ones with the same check). */
export function useStrength(passphrase: string): Strength | null {
  const [strength, setStrength] = useState<Strength | null>(null);
  useEffect(() => {
    if (!passphrase) {
      setStrength(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      backend.passphraseStrength(passphrase).then(
        (s) => live && setStrength(s),
        () => live && setStrength(null),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [passphrase]);
  return strength;
}

const WORDS = ["very weak", "weak", "fair", "strong", "very strong"];

export function StrengthMeter({ strength }: { strength: Strength | null }) {
  if (!strength) return null;
  return (
    <div className="strength" data-testid="strength">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} data-testid="strength-meter" />
      <span data-testid="strength-word" className={strength.acceptable ? "state-ok" : "state-missing"}>
        {WORDS[strength.score] ?? ""}
        {strength.acceptable ? "" : ": not accepted"}
      </span>
      {!strength.acceptable && (
        <ul className="strength-advice" data-testid="strength-advice">
          {strength.warning && <li>{strength.warning}</li>}
          {strength.suggestions.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CreateLedger() {
  const qc = useQueryClient();
  const [passphrase, setPassphrase] = useState("");
  const [again, setAgain] = useState("");
  const strength = useStrength(passphrase);
  const create = useMutation({
    mutationFn: () => backend.createLedger(passphrase),
    onSuccess: () => {
      setPassphrase("");
      setAgain("");
      void qc.invalidateQueries();
    },
  });
  const matches = passphrase.length > 0 && passphrase === again;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches) create.mutate();
  };
  return (
    <form className="access-form" onSubmit={submit} data-testid="create-form">
      <h2 id="access-heading">Create your ledger</h2>
      <p className="hint">
        Choose a long passphrase: several unusual words. It cannot be recovered: without it the ledger cannot be
        opened by anyone, you included.
      </p>
      <label>
        <span>Passphrase</span>
        <input
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          data-testid="create-passphrase"
        />
      </label>
      <StrengthMeter strength={strength} />
      <label>
        <span>The same passphrase again</span>
        <input
          type="password"
          autoComplete="new-password"
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          data-testid="create-again"
        />
      </label>
      {again.length > 0 && !matches && <p className="state-missing" data-testid="create-mismatch">The two are not the same.</p>}
      <button type="submit" disabled={!matches || strength?.acceptable !== true || create.isPending} data-testid="create-submit">
        Create the encrypted ledger
      </button>
      {create.isError && <ErrorPanel error={toBackendError(create.error)} />}
    </form>
  );
}

export function Unlock({ secondFactor }: { secondFactor: boolean }) {
  const qc = useQueryClient();
  const [passphrase, setPassphrase] = useState("");
  const [code, setCode] = useState("");
  const unlock = useMutation({
    mutationFn: () => backend.unlock(passphrase, secondFactor ? code : undefined),
    onSuccess: () => {
      setPassphrase("");
      setCode("");
      void qc.invalidateQueries();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    unlock.mutate();
  };
  return (
    <form className="access-form" onSubmit={submit} data-testid="unlock-form">
      <h2 id="access-heading">Unlock your ledger</h2>
      <label>
        <span>Passphrase</span>
        <input
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          data-testid="unlock-passphrase"
        />
      </label>
      {secondFactor && (
        <label>
          <span>Code from your authenticator app (or a recovery code)</span>
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            data-testid="unlock-code"
          />
        </label>
      )}
      <button type="submit" disabled={!passphrase || unlock.isPending} data-testid="unlock-submit">
        {unlock.isPending ? "Unlocking…" : "Unlock"}
      </button>
      {unlock.isError && <ErrorPanel error={toBackendError(unlock.error)} />}
    </form>
  );
}

/**
 * Shows `children` only with an unlocked ledger; otherwise says what to do (create it on Home, or unlock it
 * here, with the code when the second factor is on).
 */
export function NeedsLedger({ children, what }: { children: ReactNode; what: string }) {
  const status = useQuery(queries.status);
  const session = useQuery(queries.session);
  if (status.isError) return <ErrorPanel error={toBackendError(status.error)} />;
  if (!status.data || !session.data) return <p data-testid="loading">Loading…</p>;
  if (status.data.ledger === "missing") {
    return (
      <section className="card empty" data-testid="needs-ledger">
        <h2>No ledger yet</h2>
        <p>
          {what} live in your ledger. <Link to="/">Create it on the Home screen</Link>: it takes a passphrase and a
          minute.
        </p>
      </section>
    );
  }
  if (!session.data.unlocked) {
    return (
      <section className="card access" data-testid="needs-unlock">
        <p className="hint">Unlock your ledger to see {what.toLowerCase()}.</p>
        <Unlock secondFactor={session.data.second_factor} />
      </section>
    );
  }
  return <>{children}</>;
}
