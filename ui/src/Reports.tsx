import { NeedsLedger } from "./Access";

export function Reports() {
  return (
    <NeedsLedger what="Your reports">
      <h2 className="page-title">Reports</h2>
    </NeedsLedger>
  );
}
