// What the Playwright and Puppeteer flows share: arguments, the clients CSV,
// output names and the check that a saved file is a PDF. Nothing here talks
// to the browser, so both flows stay written the way their own docs show.
'use strict';

const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const o = { recycleEvery: 10, timeoutMs: 30000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${key} needs a value`);
    switch (key) {
      case '--clients': o.clients = value; break;
      case '--base-url': o.baseUrl = value; break;
      case '--period': o.period = value; break;
      case '--out': o.out = value; break;
      case '--chromium': o.chromium = value; break;
      case '--recycle-every': o.recycleEvery = Number(value); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  for (const k of ['clients', 'baseUrl', 'period', 'out', 'chromium']) {
    if (!o[k]) throw new Error(`missing --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
  }
  if (!process.env.PORTAL_USER || !process.env.PORTAL_PASSWORD) {
    throw new Error('set PORTAL_USER and PORTAL_PASSWORD');
  }
  o.user = process.env.PORTAL_USER;
  o.password = process.env.PORTAL_PASSWORD;
  return o;
}

// RFC 4180, enough for a clients file: quoted fields, "" inside quotes.
function readClients(file) {
  const text = fs.readFileSync(file, 'utf8');
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const header = rows.shift();
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function outputPath(dir, client) {
  return path.join(dir, `${client.id}.pdf`);
}

// A boleto counts when the file is there and starts with %PDF-.
function checkPdf(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') !== '%PDF-') throw new Error(`${file} is not a PDF (starts with ${JSON.stringify(head.toString('latin1'))})`);
  } finally {
    fs.closeSync(fd);
  }
}

// Rejects after ms unless the promise settles first; clears its timer either way.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

module.exports = { parseArgs, readClients, outputPath, checkPdf, withTimeout };
