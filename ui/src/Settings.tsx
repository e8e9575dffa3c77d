// Settings of the ledger's protection: the automatic lock, the passphrase, and the second factor (TOTP).
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, toBackendError, type Enrolment } from "./backend";
import { ErrorPanel } from "./common";
import { StrengthMeter, useStrength } from "./Access";
import { queries } from "./queries";
import { Link } from "react-router";
import { BackupNow, CheckLedger, Defaults, ExchangeRates, Restore, TransferFees, VenueFigures } from "./LedgerSettings";

export function Settings() {
  const status = useQuery(queries.status);
  const session = useQuery(queries.session);
  const present = status.data?.ledger === "present";
  const unlocked = session.data?.unlocked === true;
  return (
    <>
      <h2 className="page-title">Settings</h2>
      {present && unlocked && <Defaults />}
      {present && unlocked && <TransferFees />}
      {present && unlocked && <VenueFigures />}
      {present && unlocked && <ExchangeRates />}
      {present && unlocked && <BackupNow />}
      {present && unlocked && <CheckLedger />}
      {present && !unlocked && (
        <section className="card">
          <p className="hint" data-testid="settings-locked">
            Your defaults, venue figures and backups are kept in the encrypted ledger: <Link to="/">unlock it</Link> to
            change them.
          </p>
        </section>
      )}
      <AutoLock />
      {status.isError && <ErrorPanel error={toBackendError(status.error)} />}
      {status.data && !present && (
        <section className="card">
          <p className="hint" data-testid="settings-no-ledger">
            Create your ledger first (Home): its passphrase and second factor are set here afterwards.
          </p>
        </section>
      )}
      {present && <ChangePassphrase />}
      {present && <SecondFactor />}
      {present && <Restore secondFactor={session.data?.second_factor === true} />}
      {status.data && (
        <section className="card" aria-labelledby="data-heading">
          <h3 id="data-heading">Where your data is</h3>
          <dl className="facts">
            <dt>Data folder</dt>
            <dd>
              <code data-testid="settings-data-dir">{status.data.data_dir}</code>
            </dd>
            <dt>Ledger</dt>
            <dd>
              <code>{status.data.ledger_path}</code>
            </dd>
          </dl>
        </section>
      )}
    </>
  );
}

function AutoLock() {
  const qc = useQueryClient();
  const current = useQuery(queries.autoLock);
  const [minutes, setMinutes] = useState("");
  useEffect(() => {
    if (current.data !== undefined) setMinutes(String(current.data));
  }, [current.data]);
  const save = useMutation({
    mutationFn: () => backend.setAutoLock(Number(minutes)),
    onSuccess: (m) => {
      qc.setQueryData(queries.autoLock.queryKey, m);
    },
  });
  const valid = /^\d{1,3}$/.test(minutes) && Number(minutes) >= 1 && Number(minutes) <= 240;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) save.mutate();
  };
  return (
    <section className="card" aria-labelledby="autolock-heading">
      <h3 id="autolock-heading">Automatic lock</h3>
      <form className="inline-form" onSubmit={submit}>
        <label>
          <span>Lock the ledger after this many minutes without use (1 to 240)</span>
          <input
            inputMode="numeric"
            value={minutes}
            onChange={(e) => setMinutes(e.target.value.trim())}
            aria-invalid={!valid}
            data-testid="autolock-minutes"
          />
        </label>
        <button type="submit" disabled={!valid || save.isPending} data-testid="autolock-save">
          Save
        </button>
      </form>
      {save.isSuccess && (
        <p className="state state-ok" data-testid="autolock-saved">
          Saved: the ledger locks after {save.data} minute{save.data === 1 ? "" : "s"} without use.
        </p>
      )}
      {save.isError && <ErrorPanel error={toBackendError(save.error)} />}
    </section>
  );
}

function ChangePassphrase() {
  const qc = useQueryClient();
  const session = useQuery(queries.session);
  const secondFactor = session.data?.second_factor === true;
  const [old, setOld] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [code, setCode] = useState("");
  const strength = useStrength(next);
  const change = useMutation({
    mutationFn: () => backend.changePassphrase(old, next, secondFactor ? code : undefined),
    onSuccess: () => {
      setOld("");
      setNext("");
      setAgain("");
      setCode("");
      void qc.invalidateQueries();
    },
  });
  const matches = next.length > 0 && next === again;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches && old) change.mutate();
  };
  return (
    <section className="card" aria-labelledby="passphrase-heading">
      <h3 id="passphrase-heading">Passphrase</h3>
      <form className="access-form" onSubmit={submit} data-testid="change-form">
        <label>
          <span>Current passphrase</span>
          <input
            type="password"
            autoComplete="current-password"
            value={old}
            onChange={(e) => setOld(e.target.value)}
            data-testid="change-old"
          />
        </label>
        <label>
          <span>New passphrase</span>
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            data-testid="change-new"
          />
        </label>
        <StrengthMeter strength={strength} />
        <label>
          <span>The new passphrase again</span>
          <input
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            data-testid="change-again"
          />
        </label>
        {again.length > 0 && !matches && <p className="state-missing">The two are not the same.</p>}
        {secondFactor && <CodeInput value={code} onChange={setCode} testid="change-code" />}
        <button
          type="submit"
          disabled={!old || !matches || strength?.acceptable !== true || change.isPending}
          data-testid="change-submit"
        >
          {change.isPending ? "Re-encrypting…" : "Change the passphrase"}
        </button>
      </form>
      {change.isSuccess && (
        <p className="state state-ok" data-testid="change-done">
          The passphrase is changed and the ledger is locked: unlock it with the new one.
        </p>
      )}
      {change.isError && <ErrorPanel error={toBackendError(change.error)} />}
    </section>
  );
}

function CodeInput({ value, onChange, testid }: { value: string; onChange: (v: string) => void; testid: string }) {
  return (
    <label>
      <span>Code from your authenticator app (or a recovery code)</span>
      <input
        inputMode="numeric"
        autoComplete="one-time-code"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testid}
      />
    </label>
  );
}

function SecondFactor() {
  const twofa = useQuery(queries.twofa);
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <section className="card" aria-labelledby="twofa-heading">
      <h3 id="twofa-heading">Second factor</h3>
      <p className="hint">
        With it on, opening the ledger takes the passphrase, a code from an authenticator app, and a secret kept in
        this computer's keyring: the file and the passphrase alone open nothing. Ten recovery codes, shown once,
        open it on another computer or when the keyring is lost.
      </p>
      {twofa.isError && <ErrorPanel error={toBackendError(twofa.error)} />}
      {codes ? (
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      ) : twofa.data?.enabled ? (
        <DisableSecondFactor left={twofa.data.recovery_codes_left} />
      ) : twofa.data ? (
        <EnableSecondFactor onEnabled={setCodes} />
      ) : null}
    </section>
  );
}

function EnableSecondFactor({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const qc = useQueryClient();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [passphrase, setPassphrase] = useState("");
  const [code, setCode] = useState("");
  const begin = useMutation({ mutationFn: backend.twofaBegin, onSuccess: setEnrolment });
  const confirm = useMutation({
    mutationFn: () => backend.twofaConfirm(passphrase, code),
    onSuccess: (codes) => {
      setPassphrase("");
      setCode("");
      setEnrolment(null);
      onEnabled(codes);
      void qc.invalidateQueries();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (passphrase && code) confirm.mutate();
  };
  if (!enrolment) {
    return (
      <>
        <p className="state state-missing" data-testid="twofa-state">
          Off: the passphrase alone opens the ledger.
        </p>
        <button type="button" onClick={() => begin.mutate()} disabled={begin.isPending} data-testid="twofa-begin">
          Turn on the second factor
        </button>
        {begin.isError && <ErrorPanel error={toBackendError(begin.error)} />}
      </>
    );
  }
  return (
    <form className="access-form" onSubmit={submit} data-testid="twofa-enrol">
      <p>1. Scan this code with an authenticator app (Aegis, 2FAS, Google Authenticator, 1Password…):</p>
      <img
        className="qr"
        alt="QR code of the second factor's secret"
        src={`data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`}
        data-testid="twofa-qr"
      />
      <p>
        Or type this secret into it: <code data-testid="twofa-secret">{enrolment.secret_base32}</code>
      </p>
      <p>2. Type your passphrase and the code the app now shows, to turn it on:</p>
      <label>
        <span>Passphrase</span>
        <input
          type="password"
          autoComplete="current-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          data-testid="twofa-passphrase"
        />
      </label>
      <CodeInput value={code} onChange={setCode} testid="twofa-code" />
      <button type="submit" disabled={!passphrase || !code || confirm.isPending} data-testid="twofa-confirm">
        {confirm.isPending ? "Turning on…" : "Turn on"}
      </button>
      {confirm.isError && <ErrorPanel error={toBackendError(confirm.error)} />}
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div data-testid="recovery">
      <p className="state state-ok" data-testid="twofa-state">
        On. Write these recovery codes down and keep them apart from this computer. Each opens the ledger once, with
        the passphrase, when the keyring or the app is lost. They are not shown again.
      </p>
      <ol className="recovery-codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <button type="button" onClick={onDone} data-testid="recovery-done">
        I have written them down
      </button>
    </div>
  );
}

function DisableSecondFactor({ left }: { left: number }) {
  const qc = useQueryClient();
  const [passphrase, setPassphrase] = useState("");
  const [code, setCode] = useState("");
  const disable = useMutation({
    mutationFn: () => backend.twofaDisable(passphrase, code),
    onSuccess: () => {
      setPassphrase("");
      setCode("");
      void qc.invalidateQueries();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (passphrase && code) disable.mutate();
  };
  return (
    <>
      <p className="state state-ok" data-testid="twofa-state">
        On: {left} recovery code{left === 1 ? "" : "s"} left.
      </p>
      <form className="access-form" onSubmit={submit} data-testid="twofa-disable-form">
        <label>
          <span>Passphrase</span>
          <input
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            data-testid="twofa-off-passphrase"
          />
        </label>
        <CodeInput value={code} onChange={setCode} testid="twofa-off-code" />
        <button type="submit" disabled={!passphrase || !code || disable.isPending} data-testid="twofa-disable">
          Turn off the second factor (the ledger locks)
        </button>
      </form>
      {disable.isError && <ErrorPanel error={toBackendError(disable.error)} />}
    </>
  );
}
