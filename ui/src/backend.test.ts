import { afterEach, describe, expect, test } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { backend, BackendError, toBackendError } from "./backend";

afterEach(() => clearMocks());

describe("backend", () => {
  test("getStatus calls the get_status command and returns its value", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "get_status") {
        return {
          app_version: "9.9.9",
          flavor: "release",
          data_dir: "/d",
          data_dir_overridden: false,
          ledger_path: "/d/ledger.offramp",
          ledger: "missing",
          ledger_size_bytes: null,
        };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const s = await backend.getStatus();
    expect(calls).toEqual(["get_status"]);
    expect(s.ledger_path).toBe("/d/ledger.offramp");
  });

  test("a {code, message} rejection becomes a BackendError with that code", async () => {
    mockIPC(() => {
      throw { code: "LEDGER_PATH_INVALID", message: "The ledger path /x exists but is not a file." };
    });
    const err = await backend.getStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe("LEDGER_PATH_INVALID");
    expect((err as BackendError).message).toContain("not a file");
  });

  test("anything else becomes INTERNAL with its text", () => {
    expect(toBackendError("boom").code).toBe("INTERNAL");
    expect(toBackendError("boom").message).toBe("boom");
    expect(toBackendError(new Error("bad")).message).toBe("bad");
    expect(toBackendError({ code: 5 }).code).toBe("INTERNAL");
  });
});
