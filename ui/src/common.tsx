import type { BackendError } from "./backend";

export function ErrorPanel({ error }: { error: BackendError }) {
  return (
    <div className="error" role="alert">
      <p data-testid="error-message">{error.message}</p>
      <p className="error-code">
        Error code: <code data-testid="error-code">{error.code}</code>
      </p>
    </div>
  );
}

/** Byte counts for display (integers; never money). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
