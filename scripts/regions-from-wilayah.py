#!/usr/bin/env python3
"""Builds sync-server/data/regions.csv.gz, the full Kemendagri region list the server loads by
default, from cahyadsn/wilayah's db/wilayah.sql (Kepmendagri No 300.2.2-2138 Tahun 2025, MIT).

Usage: scripts/regions-from-wilayah.py PATH/TO/wilayah.sql
Writes `code,name` lines (header first, parents before children, as RegionCatalog reads them),
gzip-compressed with a fixed timestamp so the same input gives the same bytes.
"""
import gzip
import io
import re
import sys

sql = open(sys.argv[1], encoding="utf-8").read()
rows = re.findall(r"\('([0-9.]+)','((?:[^'\\]|\\.|'')*)'\)", sql)
regions = {}
for code, name in rows:
    name = name.replace("''", "'").replace("\\'", "'").strip()
    name = " ".join(name.split())
    if code in regions and regions[code] != name:
        sys.exit(f"{code} is listed twice with different names")
    regions[code] = name
out = io.StringIO()
out.write("code,name\n")
for code in sorted(regions):
    out.write(f"{code},{regions[code]}\n")
data = out.getvalue().encode("utf-8")
with open("sync-server/data/regions.csv.gz", "wb") as f:
    with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(data)
levels = {}
for code in regions:
    levels[code.count(".")] = levels.get(code.count("."), 0) + 1
print(f"{len(regions)} regions ({levels}), {len(data)} bytes, written to sync-server/data/regions.csv.gz")
