#!/usr/bin/env python3
"""Checks that a run really downloaded every client's boleto, correctly.

    verify.py --clients CSV --base-url URL --period P (--dir DIR | --export JSON) --json OUT

--dir: the Playwright/Puppeteer layout, DIR/ID.pdf. --export: boletos'
`export --format json` (its `file` column; status must be done).
A boleto counts when its file starts with %PDF- and has %%EOF near its end.
Where the portal sent a PDF (every delivery but html), the file must also be
byte-identical to the portal's /__test/expected/ID.pdf; an HTML slip printed
to PDF can only be checked for being a PDF.
"""
import argparse
import csv
import json
import os
import urllib.request


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", required=True)
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--period", required=True)
    ap.add_argument("--dir")
    ap.add_argument("--export")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    with open(a.clients, encoding="utf-8", newline="") as f:
        clients = list(csv.DictReader(f))
    files = {}
    if a.export:
        with open(a.export, encoding="utf-8") as f:
            rows = json.load(f)
        out_root = os.path.dirname(os.path.abspath(a.export))
        for row in rows:
            if row.get("status") == "done" and row.get("file"):
                p = row["file"]
                files[row["id"]] = p if os.path.isabs(p) else os.path.join(out_root, p)
    else:
        for c in clients:
            files[c["id"]] = os.path.join(a.dir, c["id"] + ".pdf")

    r = {"clients": len(clients), "files": 0, "pdf_ok": 0, "exact": 0, "printed": 0, "problems": []}
    for c in clients:
        path = files.get(c["id"])
        if not path or not os.path.exists(path):
            r["problems"].append("%s: no file" % c["id"])
            continue
        r["files"] += 1
        with open(path, "rb") as f:
            data = f.read()
        if not (data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]):
            r["problems"].append("%s: %s is not a well-formed PDF" % (c["id"], path))
            continue
        r["pdf_ok"] += 1
        q = "?period=" + a.period
        facts = json.loads(fetch("%s/__test/facts/%s%s" % (a.base_url, c["id"], q)))
        if facts["delivery"] == "html":
            r["printed"] += 1
        elif data == fetch("%s/__test/expected/%s.pdf%s" % (a.base_url, c["id"], q)):
            r["exact"] += 1
        else:
            r["problems"].append("%s: differs from the portal's PDF (%s)" % (c["id"], facts["delivery"]))
    r["ok"] = r["pdf_ok"] == len(clients) and r["exact"] + r["printed"] == len(clients)
    r["problems"] = r["problems"][:10]
    with open(a.json, "w") as f:
        json.dump(r, f, indent=1)
    print("verify: %d/%d files, %d well-formed PDFs, %d byte-identical to the portal's, %d printed from HTML%s"
          % (r["files"], len(clients), r["pdf_ok"], r["exact"], r["printed"],
             "" if r["ok"] else " -- PROBLEMS: " + "; ".join(r["problems"])))


if __name__ == "__main__":
    main()
