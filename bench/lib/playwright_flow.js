#!/usr/bin/env node
// The demo flow written with Playwright, the way its docs show it: locators,
// page.waitForEvent-style listeners set up before the click, download.saveAs,
// popups via the 'popup' event, and page.pdf() for an HTML slip. A new browser
// every --recycle-every downloads, like boletos.
//
//   PORTAL_USER=.. PORTAL_PASSWORD=.. node playwright_flow.js --clients CSV \
//     --base-url URL --period YYYY-MM --out DIR --chromium PATH [--recycle-every 10]
'use strict';

const fs = require('fs');
const { chromium } = require('playwright-core');
const { parseArgs, readClients, outputPath, checkPdf, withTimeout } = require('./common');

async function launch(o) {
  const browser = await chromium.launch({ executablePath: o.chromium, args: ['--no-sandbox'] });
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${o.baseUrl}/login`);
  await page.locator('#user').fill(o.user);
  await page.locator('#password').fill(o.password);
  await page.locator('button[type=submit]').click();
  await page.locator('#logout').waitFor();
  return { browser, page };
}

// True when p shows an HTML document (not the blank page a popup starts with).
async function showsHtml(p) {
  if (p.url() === 'about:blank') return false;
  try {
    return (await p.evaluate(() => document.contentType)) === 'text/html';
  } catch {
    return false;  // navigated away meanwhile
  }
}

// Clicks the link and saves what it yields: an attachment, an inline PDF, the
// same in a popup, a blob (all 'download' events), or an HTML page (printed).
async function saveBoleto(page, link, file, timeoutMs) {
  const offs = [];
  const on = (emitter, event, fn) => { emitter.on(event, fn); offs.push(() => emitter.off(event, fn)); };
  const popups = [];
  const outcome = new Promise((resolve) => {
    const onLoad = (p) => async () => { if (await showsHtml(p)) resolve({ html: p }); };
    on(page, 'download', (download) => resolve({ download }));
    on(page, 'load', onLoad(page));
    on(page, 'popup', (popup) => {
      popups.push(popup);
      on(popup, 'download', (download) => resolve({ download }));
      on(popup, 'load', onLoad(popup));
    });
  });
  try {
    await link.click();
    const got = await withTimeout(outcome, timeoutMs, 'a download or a page after clicking a.boleto');
    if (got.download) {
      await got.download.saveAs(file);
      const failure = await got.download.failure();
      if (failure) throw new Error(`download failed: ${failure}`);
    } else {
      await got.html.pdf({ path: file, printBackground: true });
    }
  } finally {
    for (const off of offs) off();
    for (const p of popups) await p.close().catch(() => {});
  }
}

async function downloadClient(page, o, client) {
  await page.goto(`${o.baseUrl}/search?period=${o.period}`);
  await page.locator('#cpf').fill(client.document);
  await page.locator('#go').click();
  const link = page.locator('a.boleto');
  await link.waitFor({ timeout: 20000 });
  const file = outputPath(o.out, client);
  await saveBoleto(page, link, file, o.timeoutMs);
  checkPdf(file);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  fs.mkdirSync(o.out, { recursive: true });
  const clients = readClients(o.clients);
  let session = null, sinceLaunch = 0, done = 0, failed = 0, launches = 0;
  try {
    for (const client of clients) {
      let ok = false;
      for (let attempt = 1; attempt <= 2 && !ok; attempt++) {
        try {
          if (!session || sinceLaunch >= o.recycleEvery) {
            if (session) await session.browser.close();
            session = await launch(o);
            launches++;
            sinceLaunch = 0;
          }
          await downloadClient(session.page, o, client);
          ok = true;
        } catch (e) {
          console.error(`playwright: ${client.id} attempt ${attempt}: ${e.message.split('\n')[0]}`);
          if (session) await session.browser.close().catch(() => {});
          session = null;
        }
      }
      if (ok) { done++; sinceLaunch++; } else failed++;
    }
  } finally {
    if (session) await session.browser.close().catch(() => {});
  }
  console.log(JSON.stringify({ driver: 'playwright', done, failed, launches }));
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(`playwright: ${e.stack || e}`); process.exit(2); });
