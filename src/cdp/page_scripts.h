#pragma once
// Page-side scripts. Waits run inside the page (MutationObserver plus a
// light poll for style changes) so the worker never sleeps blindly.

namespace boletos::cdp::scripts {

// (selector, timeout_ms, visible, then) -> false at the timeout; once the
// element is there (and visible if asked), what `then` does with it, in the
// same task, so it cannot vanish in between: '' -> true; 'point' -> {x, y},
// its centre after scrolling it into view, once the element is the topmost
// there (an overlay, a cookie banner or a spinner that covers it is waited
// out; what covers it is left in window.__boletosCover for the error);
// 'focus' -> true after focusing it and selecting its content. One evaluate instead of a wait and then an
// action: a round trip less per click or fill.
// Throws for an invalid selector (querySelector's SyntaxError).
inline constexpr const char* kWaitForSelector = R"JS(
(sel, ms, visible, then) => new Promise((resolve, reject) => {
  const check = () => {
    const el = document.querySelector(sel);
    if (!el) return null;
    if (!visible) return el;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' ? el : null;
  };
  const act = (el) => {
    if (then === 'point') {
      // The centre of a box of its own: a link that wraps over two lines
      // has a bounding box whose centre may lie on a neighbour. Prefer a
      // box whose centre hits the element itself (as Puppeteer's clickable
      // point does with content quads).
      el.scrollIntoView({block: 'center', inline: 'center'});
      const boxes = Array.from(el.getClientRects()).filter(b => b.width >= 1 && b.height >= 1);
      const centre = (b) => ({x: b.left + b.width / 2, y: b.top + b.height / 2});
      let cover = null;
      for (const b of boxes) {
        const p = centre(b);
        const hit = document.elementFromPoint(p.x, p.y);
        if (hit && (hit === el || el.contains(hit))) return p;
        if (hit && !cover) cover = hit;
      }
      if (cover) {
        // Covered: wait (null) and say by what, as `#id` or `tag.class`.
        const cls = typeof cover.className === 'string' ? cover.className.trim().split(/\s+/).filter(Boolean) : [];
        window.__boletosCover = cover.id ? '#' + cover.id
                                         : cover.tagName.toLowerCase() + cls.slice(0, 2).map(c => '.' + c).join('');
        return null;
      }
      // No point of it is in the viewport to test: its centre, as before.
      return centre(boxes.length ? boxes[0] : el.getBoundingClientRect());
    }
    if (then === 'focus') {
      el.focus();
      if (typeof el.select === 'function') el.select();
      else if (el.isContentEditable) document.execCommand('selectAll');
    }
    return true;
  };
  window.__boletosCover = null;
  try {
    const el = check();
    const v = el ? act(el) : null;
    if (v !== null) return resolve(v);
  } catch (e) { return reject(e); }
  let done = false;
  const stop = () => { done = true; obs.disconnect(); clearInterval(poll); clearTimeout(timer); };
  const finish = (v) => { if (done) return; stop(); resolve(v); };
  const attempt = () => {
    if (done) return;
    try {
      const el = check();
      const v = el ? act(el) : null;
      if (v !== null) finish(v);
    } catch (e) { stop(); reject(e); }
  };
  const obs = new MutationObserver(attempt);
  obs.observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
  const poll = setInterval(attempt, 100);
  const timer = setTimeout(() => finish(false), ms);
}))JS";

// (text, timeout_ms) -> true when the page's text contains it.
inline constexpr const char* kWaitForText = R"JS(
(text, ms) => new Promise((resolve) => {
  const check = () => !!document.body && document.body.innerText.includes(text);
  if (check()) return resolve(true);
  let done = false;
  const finish = (v) => { if (done) return; done = true; obs.disconnect(); clearInterval(poll); clearTimeout(timer); resolve(v); };
  const obs = new MutationObserver(() => { if (check()) finish(true); });
  obs.observe(document, {childList: true, subtree: true, characterData: true});
  const poll = setInterval(() => { if (check()) finish(true); }, 100);
  const timer = setTimeout(() => finish(false), ms);
}))JS";

// () -> what asks for a human on this page or in a frame of it the page
// can see into (a login iframe of the same origin): "reCAPTCHA",
// "hCaptcha", "Cloudflare Turnstile", "a Cloudflare \"Just a moment\"
// challenge", or null. Looks at the DOM only: the widgets' scripts need
// not have loaded.
inline constexpr const char* kHumanCheck = R"JS(
(() => {
  const look = (doc, depth) => {
    const has = (selector) => !!doc.querySelector(selector);
    if (has('iframe[src*="/recaptcha/"], .g-recaptcha, script[src*="/recaptcha/api.js"], script[src*="recaptcha.net"]'))
      return 'reCAPTCHA';
    if (has('iframe[src*="hcaptcha.com"], .h-captcha, script[src*="hcaptcha.com"]')) return 'hCaptcha';
    if (has('iframe[src*="challenges.cloudflare.com"], .cf-turnstile, script[src*="challenges.cloudflare.com/turnstile"]'))
      return 'Cloudflare Turnstile';
    if (/^just a moment/i.test(doc.title) || has('#challenge-form, #cf-challenge-running, #challenge-running'))
      return 'a Cloudflare "Just a moment" challenge';
    if (depth >= 3) return null;
    for (const f of doc.querySelectorAll('iframe, frame')) {
      let inner = null;
      try { inner = f.contentDocument; } catch (e) { inner = null; }
      const found = inner ? look(inner, depth + 1) : null;
      if (found) return found;
    }
    return null;
  };
  return look(document, 0);
})())JS";

// (selector) -> {value, secret} of a field (its text for other elements),
// or null when it is gone.
inline constexpr const char* kFieldValue = R"JS(
(sel) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const value = 'value' in el ? String(el.value) : String(el.textContent || '');
  return {value, secret: el.type === 'password'};
})JS";

// (selector) -> empties an input the way a user would, with events.
inline constexpr const char* kClearValue = R"JS(
(sel) => {
  const el = document.querySelector(sel);
  if (!el) return false;
  el.value = '';
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
})JS";

// (selector, value) -> 'ok', 'missing', 'not-select' or 'no-option'.
inline constexpr const char* kSelectOption = R"JS(
(sel, value) => {
  const el = document.querySelector(sel);
  if (!el) return 'missing';
  if (el.tagName !== 'SELECT') return 'not-select';
  const opt = Array.from(el.options).find(o => o.value === value) ||
              Array.from(el.options).find(o => o.textContent.trim() === value);
  if (!opt) return 'no-option';
  el.value = opt.value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return 'ok';
})JS";

// () -> {url, contentType, readyState} of the current document.
inline constexpr const char* kDocumentState = R"JS(
(() => ({url: location.href, contentType: document.contentType, readyState: document.readyState,
         status: (performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0,
         resources: performance.getEntriesByType('resource').length}))())JS";

// (secrets) -> true, once no secret can be seen in the page or its
// same-origin frames: password fields emptied, every other field's value
// and every text node with a secret in it masked ("***"). Run before a
// failure screenshot: a password typed into a text field, or echoed by the
// portal ("Senha: ..."), is in the pixels otherwise.
inline constexpr const char* kMaskSecrets = R"JS(
(secrets) => {
  const mask = (text) => {
    let out = text;
    for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join('***');
    return out;
  };
  const clean = (doc) => {
    for (const el of doc.querySelectorAll('input, textarea')) {
      if (el.type === 'password') el.value = '';
      else if (typeof el.value === 'string') { const m = mask(el.value); if (m !== el.value) el.value = m; }
    }
    const walker = doc.createTreeWalker(doc.body || doc.documentElement, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = mask(n.nodeValue);
      if (m !== n.nodeValue) n.nodeValue = m;
    }
    for (const f of doc.querySelectorAll('iframe, frame')) {
      try { if (f.contentDocument) clean(f.contentDocument); } catch (e) { /* another origin: not ours to read */ }
    }
  };
  if (document.documentElement) clean(document);
  return true;
})JS";

}  // namespace boletos::cdp::scripts
