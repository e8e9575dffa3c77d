// A read-only table whose rows are rendered only while in view (TanStack Virtual): the report's disposals and the
// holdings' lots, which can number hundreds of thousands. Rows are ROW_HEIGHT pixels tall; `row` renders one `<tr>`
// (with its key) for an index.
import { useRef, type ReactNode } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";

export const ROW_HEIGHT = 34;

export function VirtualTable({ count, label, testId, tableTestId, head, row }: { count: number; label: string; testId: string; tableTestId: string; head: ReactNode; row: (index: number) => ReactNode }) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10, initialRect: { width: 1000, height: 400 } });
  const items = v.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  return (
    <div className="table-scroll" ref={scroller} tabIndex={0} aria-label={label} data-testid={testId}>
      <table className="data-table" data-testid={tableTestId}>
        <thead>{head}</thead>
        <tbody>
          {first && first.start > 0 && <tr aria-hidden style={{ height: first.start }} />}
          {items.map((vi) => row(vi.index))}
          {last && v.getTotalSize() - last.end > 0 && <tr aria-hidden style={{ height: v.getTotalSize() - last.end }} />}
        </tbody>
      </table>
    </div>
  );
}
