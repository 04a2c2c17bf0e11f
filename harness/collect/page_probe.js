// adoption-harness in-page probe: installed in every document before the app's own scripts
// (context.add_init_script). It only observes: it never changes the DOM or the app's state.
// Every observation is logged with its time; Python calls __harnessProbe.take(since) once after a
// step's clock stopped, and gets, in one JSON string, what happened from `since` (the step's start,
// epoch ms) on. Nothing is reset before a step: entries are attributed to steps by their time.
(() => {
  if (window.__harnessProbe) return;
  const MAX_TEXT = 200;
  const MAX_LOG = 500;
  const fresh = () => ({
    shifts: [], events: [], longTasks: [], mutations: [], inputs: [], invalid: [], clicked: [], interacted: [],
  });
  let log = fresh();
  let lastUrl = location.href;
  const doc = { lcp: null, lcpElement: null, navSent: false };
  const errors = [];
  const add = (list, entry) => { if (list.length < MAX_LOG) list.push(entry); else { list.shift(); list.push(entry); } };
  const now = () => performance.now();

  const text = (value) => String(value || '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
  const describe = (el) => {
    if (!el || el.nodeType !== 1) return '';
    let out = el.tagName.toLowerCase();
    if (el.id) out += '#' + el.id;
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean) : [];
    if (classes.length) out += '.' + classes.slice(0, 2).join('.');
    return out.slice(0, 120);
  };
  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    if (el.checkVisibility) return el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    return el.getClientRects().length > 0;
  };
  const fieldName = (el) => {
    if (!el || el.nodeType !== 1) return null;
    const labels = el.labels && el.labels.length ? el.labels[0].textContent : '';
    return text(labels || el.getAttribute('aria-label') || el.name || el.id) || null;
  };
  const observers = [];
  const observe = (type, onEntry, extra) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(onEntry));
      observer.observe(Object.assign({ type, buffered: true }, extra || {}));
      observers.push([observer, onEntry]);
    } catch (e) {
      errors.push(type + ' observer: ' + e.message);
    }
  };

  observe('layout-shift', (e) => {
    if (e.hadRecentInput) return;
    add(log.shifts, [e.startTime, e.value, (e.sources || []).filter((s) => s.node).slice(0, 5).map((s) => describe(s.node))]);
  });
  observe('largest-contentful-paint', (e) => { doc.lcp = e.startTime; doc.lcpElement = describe(e.element); });
  observe('event', (e) => { add(log.events, [e.startTime, e.name, e.duration]); }, { durationThreshold: 16 });
  observe('longtask', (e) => { add(log.longTasks, [e.startTime, e.duration]); });

  try {
    new MutationObserver((records) => { add(log.mutations, [now(), records.length]); })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  } catch (e) {
    errors.push('mutation observer: ' + e.message);
  }
  // on document, capturing: Chromium does not route 'invalid' through window
  const listen = (type, handler) => document.addEventListener(type, handler, true);
  listen('input', () => { add(log.inputs, now()); });
  listen('change', () => { add(log.inputs, now()); });
  listen('invalid', (e) => {
    add(log.invalid, [now(), { field: fieldName(e.target), message: text(e.target.validationMessage) }]);
  });
  for (const type of ['pointerdown', 'keydown', 'beforeinput', 'input']) listen(type, (e) => { if (e.isTrusted) add(log.interacted, now()); });
  listen('click', (e) => {
    const target = e.target && e.target.closest ? e.target : null;
    if (!target) return;
    const el = target.closest('a,button,input,select,textarea,label,summary,[role],[onclick],[tabindex],[contenteditable]') || target;
    const tag = el.tagName.toLowerCase();
    const editable = el.isContentEditable || tag === 'select' || tag === 'textarea'
      || (tag === 'input' && !['button', 'submit', 'reset', 'checkbox', 'radio', 'image', 'file'].includes((el.type || '').toLowerCase()));
    add(log.clicked, [now(), { element: describe(el), text: text(el.innerText || el.value || el.getAttribute('aria-label')), editable }]);
  });

  const overlays = () => {
    const found = new Map();
    const area = innerWidth * innerHeight || 1;
    const add = (el, role) => {
      if (found.has(el) || !visible(el)) return;
      const r = el.getBoundingClientRect();
      const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
      const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
      if (w * h === 0) return;
      found.set(el, { element: describe(el), role: role || el.getAttribute('role'), text: text(el.innerText), area_pct: Math.round(1000 * w * h / area) / 10 });
    };
    document.querySelectorAll('dialog[open],[role=dialog],[role=alertdialog],[aria-modal=true]').forEach((el) => add(el, el.getAttribute('role') || 'dialog'));
    for (const fx of [0.1, 0.5, 0.9]) {
      for (const fy of [0.1, 0.5, 0.9, 0.98]) {
        let el = document.elementFromPoint(fx * innerWidth, fy * innerHeight);
        while (el && el !== document.body && el !== document.documentElement) {
          if (getComputedStyle(el).position === 'fixed') {
            const role = el.getAttribute('role');
            const landmark = ['header', 'nav', 'footer'].includes(el.tagName.toLowerCase()) || ['banner', 'navigation', 'contentinfo'].includes(role);
            if (!landmark) add(el, role);
            break;
          }
          el = el.parentElement;
        }
      }
    }
    return [...found.values()].slice(0, 5);
  };

  const validation = (s) => {
    const out = s.invalid.map((v) => ({ message: v.message, field: v.field, source: 'native' }));
    const seen = new Set(out.map((v) => v.message));
    const push = (message, field, source) => {
      message = text(message);
      if (!message || seen.has(message) || out.length >= 10) return;
      seen.add(message);
      out.push({ message, field, source });
    };
    const described = (el) => ['aria-errormessage', 'aria-describedby']
      .flatMap((a) => (el.getAttribute(a) || '').split(/\s+/))
      .map((id) => id && document.getElementById(id)).filter((n) => n && visible(n))
      .map((n) => n.innerText).join(' ');
    document.querySelectorAll('[aria-invalid=true]').forEach((el) => {
      if (visible(el)) push(described(el) || el.validationMessage || 'marked invalid', fieldName(el), 'aria-invalid');
    });
    document.querySelectorAll('[role=alert]').forEach((el) => { if (visible(el)) push(el.innerText, null, 'alert'); });
    const errorish = '[class*=error i],[id*=error i],[class*=invalid i],.errorlist';
    document.querySelectorAll(errorish).forEach((el) => {
      if (el.querySelector(errorish) || !visible(el) || ['INPUT', 'SELECT', 'TEXTAREA', 'FORM', 'BODY'].includes(el.tagName)) return;
      const box = el.closest('label,fieldset,p,div,li');
      const fields = box ? box.querySelectorAll('input,select,textarea') : [];
      push(el.innerText, fields.length === 1 ? fieldName(fields[0]) : null, 'error-text');
    });
    return out;
  };

  const pageLoad = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    if (!nav || doc.navSent || !/^https?:$/.test(location.protocol)) return null;
    if (nav.loadEventEnd > 0) doc.navSent = true;
    const positive = (v) => (v > 0 ? Math.round(v * 10) / 10 : null);
    return {
      url: location.href, ttfb_ms: positive(nav.responseStart), dom_content_loaded_ms: positive(nav.domContentLoadedEventEnd),
      load_ms: positive(nav.loadEventEnd), lcp_ms: doc.lcp === null ? null : Math.round(doc.lcp * 10) / 10,
      lcp_element: doc.lcpElement, transfer_bytes: nav.transferSize || null,
    };
  };

  const state = () => {
    const keys = [...new URLSearchParams(location.search).keys()].sort().join('&');
    const dialogs = [...document.querySelectorAll('dialog[open],[role=dialog],[aria-modal=true]')].filter(visible).map(describe);
    const headings = [...document.querySelectorAll('h1,h2')].filter(visible).slice(0, 5).map((h) => text(h.innerText).slice(0, 60));
    return [location.origin + location.pathname + (keys ? '?' + keys : ''), text(document.title), dialogs.join(','), headings.join('|')].join(' \u2502 ');
  };

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // the entries of the step that began at `from` (page time); the log keeps nothing older than a read
  const since = (from) => {
    const at = (list) => list.filter((e) => (Array.isArray(e) ? e[0] : e) >= from);
    return {
      shifts: at(log.shifts), events: at(log.events), longTasks: at(log.longTasks), mutations: at(log.mutations),
      inputs: at(log.inputs), invalid: at(log.invalid).map((e) => e[1]), clicked: at(log.clicked), interacted: at(log.interacted),
    };
  };

  window.__harnessProbe = {
    async take(sinceEpochMs) {
      const from = sinceEpochMs - performance.timeOrigin - 2;
      const drain = () => { for (const [observer, onEntry] of observers) observer.takeRecords().forEach(onEntry); };
      drain();
      // no frame is awaited: Event Timing entries come after the next paint, and one that misses this read is
      // not counted. A long task during an input is a slow response whose entry is surely on its way: on a
      // loaded machine the frame that releases it can take a few hundred ms (only such slow steps wait)
      let s = since(from);
      for (let i = 0; i < 20 && s.interacted.length && s.longTasks.length && !s.events.length; i += 1) {
        await sleep(25);
        drain();
        s = since(from);
      }
      log = fresh();
      const url = lastUrl;
      lastUrl = location.href;
      let interaction = null;
      for (const [, name, duration] of s.events) if (!interaction || duration > interaction[1]) interaction = [name, duration];
      const longTasks = s.longTasks.map((e) => e[1]);
      const blocking = longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0);
      const clicked = s.clicked.length ? s.clicked[s.clicked.length - 1][1] : null;
      const out = {
        page_load: pageLoad(), cls: Math.round(s.shifts.reduce((sum, e) => sum + e[1], 0) * 10000) / 10000,
        shift_sources: [...new Set(s.shifts.flatMap((e) => e[2]))].slice(0, 5),
        interaction_ms: interaction ? interaction[1] : null, interaction_event: interaction ? interaction[0] : null,
        long_tasks: longTasks.length, tbt_ms: blocking, longest_task_ms: longTasks.length ? Math.max(...longTasks) : null,
        dom_mutations: s.mutations.reduce((sum, e) => sum + e[1], 0), url_changed: location.href !== url,
        input_events: s.inputs.length, clicked,
        overlays: [], validation: [], state: '', web: /^https?:$/.test(location.protocol), probe_errors: errors.splice(0),
      };
      for (const [key, fn] of [['overlays', overlays], ['validation', validation], ['state', state]]) {
        try { out[key] = fn(s); } catch (e) { out.probe_errors.push(key + ': ' + e.message); }
      }
      return JSON.stringify(out);
    },
  };
})();
