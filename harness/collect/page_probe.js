// adoption-harness in-page probe: installed in every document before the app's own scripts
// (context.add_init_script). It only observes: it never changes the DOM or the app's state.
// Python calls __harnessProbe.reset() before a step's action and __harnessProbe.take() after
// it; take() returns one JSON string (one round trip, cheap to transfer).
(() => {
  if (window.__harnessProbe) return;
  const MAX_TEXT = 200;
  const fresh = () => ({
    cls: 0, shifts: [], events: [], longTasks: [], mutations: 0, inputs: 0, invalid: [],
    clicked: null, interacted: false, url: location.href,
  });
  let step = fresh();
  const doc = { lcp: null, lcpElement: null, navSent: false };
  const errors = [];

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
    step.cls += e.value;
    (e.sources || []).forEach((s) => { if (s.node && step.shifts.length < 5) step.shifts.push(describe(s.node)); });
  });
  observe('largest-contentful-paint', (e) => { doc.lcp = e.startTime; doc.lcpElement = describe(e.element); });
  observe('event', (e) => { step.events.push([e.name, e.duration]); }, { durationThreshold: 16 });
  observe('longtask', (e) => { step.longTasks.push(e.duration); });

  try {
    new MutationObserver((records) => { step.mutations += records.length; })
      .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  } catch (e) {
    errors.push('mutation observer: ' + e.message);
  }
  // on document, capturing: Chromium does not route 'invalid' through window
  const listen = (type, handler) => document.addEventListener(type, handler, true);
  listen('input', () => { step.inputs += 1; });
  listen('change', () => { step.inputs += 1; });
  listen('invalid', (e) => {
    if (step.invalid.length < 10) step.invalid.push({ field: fieldName(e.target), message: text(e.target.validationMessage) });
  });
  for (const type of ['pointerdown', 'keydown', 'beforeinput', 'input']) listen(type, (e) => { if (e.isTrusted) step.interacted = true; });
  listen('click', (e) => {
    const target = e.target && e.target.closest ? e.target : null;
    if (!target) return;
    const el = target.closest('a,button,input,select,textarea,label,summary,[role],[onclick],[tabindex],[contenteditable]') || target;
    const tag = el.tagName.toLowerCase();
    const editable = el.isContentEditable || tag === 'select' || tag === 'textarea'
      || (tag === 'input' && !['button', 'submit', 'reset', 'checkbox', 'radio', 'image', 'file'].includes((el.type || '').toLowerCase()));
    step.clicked = { element: describe(el), text: text(el.innerText || el.value || el.getAttribute('aria-label')), editable };
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

  // the frame that paints the input's effect: Chromium queues the input's Event Timing entry
  // once that frame is presented (a hidden page gets no frames: give up after 150 ms)
  const frames = () => new Promise((resolve) => {
    const done = setTimeout(resolve, 150);
    requestAnimationFrame(() => setTimeout(() => { clearTimeout(done); resolve(); }, 0));
  });

  window.__harnessProbe = {
    reset() { step = fresh(); },
    async take() {
      // Event Timing entries are reported after the next paint: let one frame pass after an input
      const drain = () => { for (const [observer, onEntry] of observers) observer.takeRecords().forEach(onEntry); };
      if (step.interacted) await frames();
      drain();
      // a long task during an input means a slow response whose entry may still be on its way; on a
      // loaded machine the frame that releases it can take a few hundred ms (only slow steps wait)
      for (let i = 0; i < 20 && step.interacted && step.longTasks.length && !step.events.length; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        drain();
      }
      const s = step;
      step = fresh();
      let interaction = null;
      for (const [name, duration] of s.events) if (!interaction || duration > interaction[1]) interaction = [name, duration];
      const blocking = s.longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0);
      const out = {
        page_load: pageLoad(), cls: Math.round(s.cls * 10000) / 10000, shift_sources: [...new Set(s.shifts)],
        interaction_ms: interaction ? interaction[1] : null, interaction_event: interaction ? interaction[0] : null,
        long_tasks: s.longTasks.length, tbt_ms: blocking, longest_task_ms: s.longTasks.length ? Math.max(...s.longTasks) : null,
        dom_mutations: s.mutations, url_changed: location.href !== s.url, input_events: s.inputs, clicked: s.clicked,
        overlays: [], validation: [], state: '', web: /^https?:$/.test(location.protocol), probe_errors: errors.splice(0),
      };
      for (const [key, fn] of [['overlays', overlays], ['validation', validation], ['state', state]]) {
        try { out[key] = fn(s); } catch (e) { out.probe_errors.push(key + ': ' + e.message); }
      }
      return JSON.stringify(out);
    },
  };
})();
