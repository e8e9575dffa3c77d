import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { mockShell } from "./testShell";
import { App, formatBytes } from "./App";
import type { Status } from "./backend";

afterEach(() => {
  cleanup();
  clearMocks();
});

const base: Status = {
  app_version: "0.1.0",
  flavor: "dev",
  data_dir: "/home/u/.local/share/offramp-dev",
  data_dir_overridden: false,
  ledger_path: "/home/u/.local/share/offramp-dev/ledger.offramp",
  ledger: "missing",
  ledger_size_bytes: null,
};

describe("home screen", () => {
  test("shows where the ledger lives, that it does not exist yet, and the version", async () => {
    mockShell((cmd) => (cmd === "get_status" ? base : undefined));
    render(<App />);
    expect((await screen.findByTestId("ledger-state")).textContent).toBe("No ledger yet");
    expect(screen.getByTestId("ledger-path").textContent).toBe(base.ledger_path);
    expect(screen.getByTestId("data-dir").textContent).toBe(base.data_dir);
    expect(screen.getByTestId("app-version").textContent).toBe("v0.1.0");
    expect(screen.getByTestId("flavor").textContent).toBe("dev build");
  });

  test("refresh asks again and shows a ledger that now exists", async () => {
    let status: Status = base;
    mockShell((cmd) => (cmd === "get_status" ? status : undefined));
    render(<App />);
    await screen.findByText("No ledger yet");
    status = { ...base, ledger: "present", ledger_size_bytes: 2048, flavor: "release" };
    fireEvent.click(screen.getByTestId("refresh"));
    await screen.findByText("Ledger found (2.0 KB, encrypted)");
    expect(screen.queryByTestId("flavor")).toBeNull();
  });

  test("an error shows its message and its stable code", async () => {
    mockShell(() => {
      throw { code: "DATA_DIR_UNAVAILABLE", message: "Cannot find a per-user data folder." };
    });
    render(<App />);
    expect((await screen.findByTestId("error-code")).textContent).toBe("DATA_DIR_UNAVAILABLE");
    expect(screen.getByTestId("error-message").textContent).toBe("Cannot find a per-user data folder.");
    expect(screen.getByRole("alert")).toBeTruthy();
  });
});

test("formatBytes", () => {
  expect(formatBytes(0)).toBe("0 bytes");
  expect(formatBytes(1536)).toBe("1.5 KB");
  expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
});
