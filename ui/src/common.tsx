import { Component, type ReactNode } from "react";
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

/**
 * Catches a bug in a screen (a render that throws) so the window stays usable: the screen says what happened
 * and offers to try again, instead of the whole window going blank.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (this.state.error) {
      return (
        <div className="error" role="alert" data-testid="screen-error">
          <p>This screen hit a bug and could not be shown: {this.state.error.message}</p>
          <p className="error-code">
            Error code: <code data-testid="error-code">INTERNAL</code>. Your ledger was not changed.
          </p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
