#!/usr/bin/env node
// The demo flow written with Puppeteer, the way its docs show it: a CDP
// session on the browser target for Browser.setDownloadBehavior (with events,
// so a finished download is known), Promise.all([waitForNavigation, click])
// for form submits, the 'popup' event for new tabs, and page.pdf() for an HTML
// slip. A new browser every --recycle-every downloads, like boletos.
//
//   PORTAL_USER=.. PORTAL_PASSWORD=.. node puppeteer_flow.js --clients CSV \
//     --base-url URL --period YYYY-MM --out DIR --chromium PATH [--recycle-every 10]
'use strict';

const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');
const { parseArgs, readClients, outputPath, checkPdf, withTimeout } = require('./common');

async function launch(o) {
  const downloadDir = fs.mkdtempSync(path.join(o.out, '.downloads-'));
  // headless: 'shell' is Puppeteer's mode for chrome-headless-shell binaries.
  const browser = await puppeteer.launch({ executablePath: o.chromium, headless: 'shell', args: ['--no-sandbox'] });
  const cdp = await browser.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: downloadDir, eventsEnabled: true });
  const [page] = await browser.pages();
  await page.goto(`${o.baseUrl}/login`);
  await page.locator('#user').fill(o.user);
  await page.locator('#password').fill(o.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await page.waitForSelector('#logout');
  return { browser, cdp, page, downloadDir };
}

async function close(session) {
  await session.browser.close().catch(() => {});
  fs.rmSync(session.downloadDir, { recursive: true, force: true });
}

// True when p shows an HTML document (not the blank page a popup starts with).
async function showsHtml(p) {
  if (p.url() === 'about:blank') return false;
  try {
    return (await p.evaluate(() => document.readyState === 'complete' && document.contentType)) === 'text/html';
  } catch {
    return false;  // navigated away meanwhile
  }
}

// Clicks the link and saves what it yields: an attachment, an inline PDF, the
// same in a popup, a blob (Browser.download* events), or an HTML page (printed).
async function saveBoleto(session, file, timeoutMs) {
  const { cdp, page, downloadDir } = session;
  const offs = [];
  const on = (emitter, event, fn) => { emitter.on(event, fn); offs.push(() => emitter.off(event, fn)); };
  const popups = [];
  const outcome = new Promise((resolve, reject) => {
    let guid = null;
    const onLoad = (p) => async () => { if (!guid && await showsHtml(p)) resolve({ html: p }); };
    on(cdp, 'Browser.downloadWillBegin', (e) => { guid = guid || e.guid; });
    on(cdp, 'Browser.downloadProgress', (e) => {
      if (e.guid !== guid) return;
      if (e.state === 'completed') resolve({ downloaded: e.filePath || path.join(downloadDir, guid) });
      else if (e.state === 'canceled') reject(new Error('download canceled'));
    });
    on(page, 'load', onLoad(page));
    on(page, 'popup', async (popup) => {
      if (!popup) return;
      popups.push(popup);
      on(popup, 'load', onLoad(popup));
      await onLoad(popup)();  // it may have loaded before we listened
    });
  });
  try {
    await page.click('a.boleto');
    const got = await withTimeout(outcome, timeoutMs, 'a download or a page after clicking a.boleto');
    if (got.downloaded) fs.renameSync(got.downloaded, file);
    else await got.html.pdf({ path: file, printBackground: true });
  } finally {
    for (const off of offs) off();
    for (const p of popups) await p.close().catch(() => {});
  }
}

async function downloadClient(session, o, client) {
  const { page } = session;
  await page.goto(`${o.baseUrl}/search?period=${o.period}`);
  await page.locator('#cpf').fill(client.document);
  await Promise.all([page.waitForNavigation(), page.click('#go')]);
  await page.waitForSelector('a.boleto', { timeout: 20000 });
  const file = outputPath(o.out, client);
  await saveBoleto(session, file, o.timeoutMs);
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
            if (session) await close(session);
            session = await launch(o);
            launches++;
            sinceLaunch = 0;
          }
          await downloadClient(session, o, client);
          ok = true;
        } catch (e) {
          console.error(`puppeteer: ${client.id} attempt ${attempt}: ${e.message.split('\n')[0]}`);
          if (session) await close(session);
          session = null;
        }
      }
      if (ok) { done++; sinceLaunch++; } else failed++;
    }
  } finally {
    if (session) await close(session);
  }
  console.log(JSON.stringify({ driver: 'puppeteer', done, failed, launches }));
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => { console.error(`puppeteer: ${e.stack || e}`); process.exit(2); });
