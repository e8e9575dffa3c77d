// Vitest set-up: jsdom lays nothing out, so the virtualized tables' scroll boxes get the size a window would give
// them (the virtualizer reads clientHeight/clientWidth to know how many rows to render).
for (const [prop, size] of [
  ["clientHeight", 560],
  ["clientWidth", 1000],
] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, prop);
  Object.defineProperty(Element.prototype, prop, {
    configurable: true,
    get(this: Element) {
      if (this.classList?.contains("table-scroll")) return size;
      return original?.get ? original.get.call(this) : 0;
    },
  });
}
