#!/usr/bin/env python3
"""Writes HMRC's monthly exchange rates as Offramp bundles them (crates/offramp-core/data/hmrc-monthly.csv).

Source: HM Revenue & Customs' monthly exchange rates (units of the currency per 1 GBP, published for each calendar
month), as HMRC published them in XML (trade-tariff.service.gov.uk/api/v2/exchange_rates/files/monthly_xml_YYYY-MM.xml)
and as the `hmrc-rates` crate (0.3.5, MIT) bundles those files under data/monthly. Kept: the currencies Offramp
knows as fiat, HMRC's figures unchanged; an empty cell where a month has no rate. Contains public sector
information licensed under the Open Government Licence v3.0.

    cargo fetch in any project depending on hmrc-rates = "=0.3.5", then
    python3 scripts/rates/hmrc-monthly.py ~/.cargo/registry/src/*/hmrc-rates-0.3.5/data/monthly > crates/offramp-core/data/hmrc-monthly.csv
"""
import csv, os, re, sys
import xml.etree.ElementTree as ET

KNOWN = ["USD", "EUR", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON",
         "BGN", "TRY", "ZAR", "BRL", "MXN", "ARS", "INR", "SGD", "HKD", "KRW", "NGN", "KES", "AED", "ILS",
         "KWD", "BHD"]

folder = sys.argv[1]
months = sorted(f[:-4] for f in os.listdir(folder) if re.fullmatch(r"\d{4}-\d{2}\.xml", f))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["month"] + KNOWN)
for m in months:
    root = ET.parse(os.path.join(folder, m + ".xml")).getroot()
    rates = {}
    for e in root.iter("exchangeRate"):
        code = (e.findtext("currencyCode") or "").strip()
        rate = (e.findtext("rateNew") or "").strip()
        if code in KNOWN and rate:
            if code in rates and rates[code] != rate:
                sys.exit(f"{m}: two different rates for {code}: {rates[code]} and {rate}")
            rates[code] = rate
    out.writerow([m] + [rates.get(c, "") for c in KNOWN])
