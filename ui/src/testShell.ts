// Test helper: a mocked desktop shell. Events (listen/emit) are mocked too, so the window's listeners work.
import { mockIPC } from "@tauri-apps/api/mocks";

export type Handler = (cmd: string, args: Record<string, unknown> | undefined) => unknown;

/** Mocks the shell with `handler`; a locked ledger without second factor unless the handler answers session_state. */
export function mockShell(handler: Handler): void {
  mockIPC(
    (cmd, args) => {
      const answer = handler(cmd, args as Record<string, unknown> | undefined);
      if (answer === undefined && cmd === "session_state") return { unlocked: false, second_factor: false };
      return answer;
    },
    { shouldMockEvents: true },
  );
}
