import { afterEach, describe, expect, test } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { App } from "./App";
import type { Status } from "./backend";
import { mockShell } from "./testShell";

afterEach(() => {
  cleanup();
  clearMocks();
  window.location.hash = "";
});

const status = (ledger: "missing" | "present"): Status => ({
  app_version: "0.1.0",
  flavor: "dev",
  data_dir: "/d",
  data_dir_overridden: false,
  ledger_path: "/d/ledger.offramp",
  ledger,
  ledger_size_bytes: ledger === "present" ? 4096 : null,
});

const strength = (p: string) =>
  p.length >= 20
    ? { score: 4, acceptable: true, warning: null, suggestions: [] }
    : { score: 1, acceptable: false, warning: "This is similar to a commonly used password.", suggestions: ["Add more words."] };

describe("creating the ledger", () => {
  test("a weak passphrase is refused with the reason; a strong one typed twice creates the ledger", async () => {
    const calls: Array<[string, unknown]> = [];
    let ledger: "missing" | "present" = "missing";
    mockShell((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "get_status") return status(ledger);
      if (cmd === "passphrase_strength") return strength(String(args?.passphrase));
      if (cmd === "create_ledger") {
        ledger = "present";
        return status(ledger);
      }
      if (cmd === "session_state") return { unlocked: ledger === "present", second_factor: false };
      if (cmd === "accounts") return [];
      return undefined;
    });
    render(<App />);
    const pass = await screen.findByTestId("create-passphrase");
    fireEvent.change(pass, { target: { value: "password1" } });
    fireEvent.change(screen.getByTestId("create-again"), { target: { value: "password1" } });
    expect((await screen.findByTestId("strength-word")).textContent).toBe("weak: not accepted");
    expect(screen.getByTestId("strength-advice").textContent).toContain("commonly used password");
    expect((screen.getByTestId("create-submit") as HTMLButtonElement).disabled).toBe(true);

    const strong = "correct horse battery staple lighthouse";
    fireEvent.change(pass, { target: { value: strong } });
    fireEvent.change(screen.getByTestId("create-again"), { target: { value: strong + "x" } });
    expect(await screen.findByTestId("create-mismatch")).toBeTruthy();
    fireEvent.change(screen.getByTestId("create-again"), { target: { value: strong } });
    await screen.findByText("very strong");
    await waitFor(() => expect((screen.getByTestId("create-submit") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("create-submit"));
    expect((await screen.findByTestId("unlocked")).textContent).toContain("0 accounts");
    expect(calls.filter(([c]) => c === "create_ledger")).toEqual([["create_ledger", { passphrase: strong }]]);
  });
});

describe("unlocking", () => {
  test("with the second factor on, the code is asked and sent; a wrong code shows its stable code", async () => {
    const sent: unknown[] = [];
    let unlocked = false;
    mockShell((cmd, args) => {
      if (cmd === "get_status") return status("present");
      if (cmd === "session_state") return { unlocked, second_factor: true };
      if (cmd === "accounts") return [{}, {}];
      if (cmd === "unlock") {
        sent.push(args);
        if (args?.code !== "123456") throw { code: "WRONG_CODE", message: "That code is not the one expected now." };
        unlocked = true;
        return { unlocked, second_factor: true };
      }
      return undefined;
    });
    render(<App />);
    fireEvent.change(await screen.findByTestId("unlock-passphrase"), { target: { value: "pass phrase" } });
    fireEvent.change(await screen.findByTestId("unlock-code"), { target: { value: "000000" } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("error-code")).textContent).toBe("WRONG_CODE");
    fireEvent.change(screen.getByTestId("unlock-code"), { target: { value: "123456" } });
    fireEvent.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("unlocked")).textContent).toContain("2 accounts");
    expect(sent).toEqual([
      { passphrase: "pass phrase", code: "000000" },
      { passphrase: "pass phrase", code: "123456" },
    ]);
    expect(screen.getByTestId("lock")).toBeTruthy();
  });

  test("when the shell locks the ledger by itself, the window shows it locked", async () => {
    let unlocked = true;
    mockShell((cmd) => {
      if (cmd === "get_status") return status("present");
      if (cmd === "session_state") return { unlocked, second_factor: false };
      if (cmd === "accounts") return [];
      return undefined;
    });
    render(<App />);
    await screen.findByTestId("unlocked");
    unlocked = false;
    await act(async () => {
      await emit("session-locked");
    });
    expect(await screen.findByTestId("unlock-form")).toBeTruthy();
    expect(screen.queryByTestId("lock")).toBeNull();
  });
});

describe("settings", () => {
  test("turning the second factor on shows the QR code and secret, sends the code, and lists the recovery codes", async () => {
    const confirmed: unknown[] = [];
    let enabled = false;
    const codes = Array.from({ length: 10 }, (_, i) => `abcd-efgh-${i}`);
    mockShell((cmd, args) => {
      if (cmd === "get_status") return status("present");
      if (cmd === "session_state") return { unlocked: true, second_factor: enabled };
      if (cmd === "get_auto_lock") return 10;
      if (cmd === "twofa_status") return { enabled, recovery_codes_left: enabled ? 10 : 0 };
      if (cmd === "twofa_begin")
        return { uri: "otpauth://totp/x", secret_base32: "JBSWY3DPEHPK3PXP", qr_svg: "<svg xmlns='http://www.w3.org/2000/svg'/>", qr_text: "" };
      if (cmd === "twofa_confirm") {
        confirmed.push(args);
        enabled = true;
        return codes;
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    fireEvent.click(await screen.findByTestId("twofa-begin"));
    expect((await screen.findByTestId("twofa-secret")).textContent).toBe("JBSWY3DPEHPK3PXP");
    expect((screen.getByTestId("twofa-qr") as HTMLImageElement).src).toMatch(/^data:image\/svg\+xml;base64,/);
    fireEvent.change(screen.getByTestId("twofa-passphrase"), { target: { value: "pass phrase" } });
    fireEvent.change(screen.getByTestId("twofa-code"), { target: { value: "654321" } });
    fireEvent.click(screen.getByTestId("twofa-confirm"));
    const list = await screen.findByTestId("recovery-codes");
    expect(Array.from(list.querySelectorAll("li")).map((li) => li.textContent)).toEqual(codes);
    expect(confirmed).toEqual([{ passphrase: "pass phrase", code: "654321" }]);
    fireEvent.click(screen.getByTestId("recovery-done"));
    expect((await screen.findByTestId("twofa-state")).textContent).toBe("On: 10 recovery codes left.");
  });

  test("the automatic lock takes 1 to 240 minutes", async () => {
    const set: unknown[] = [];
    mockShell((cmd, args) => {
      if (cmd === "get_status") return status("present");
      if (cmd === "get_auto_lock") return 10;
      if (cmd === "twofa_status") return { enabled: false, recovery_codes_left: 0 };
      if (cmd === "set_auto_lock") {
        set.push(args);
        return args?.minutes;
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    const input = (await screen.findByTestId("autolock-minutes")) as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe("10"));
    fireEvent.change(input, { target: { value: "0" } });
    expect((screen.getByTestId("autolock-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(input, { target: { value: "241" } });
    expect((screen.getByTestId("autolock-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(input, { target: { value: "25" } });
    fireEvent.click(screen.getByTestId("autolock-save"));
    expect((await screen.findByTestId("autolock-saved")).textContent).toContain("25 minutes");
    expect(set).toEqual([{ minutes: 25 }]);
  });
});
