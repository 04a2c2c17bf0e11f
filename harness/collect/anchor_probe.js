// One in-page pass over guide anchors (harness/collect/anchors.py calls it with page.evaluate).
// args.mode:
//   "probe":      for each anchor ({key, css} or {key, elements}), count matches and describe the
//                 first: visible, disabled, offscreen, covered (elementFromPoint at its centre after
//                 scrolling it into view), box, text, and (args.fingerprint) its fingerprint.
//   "candidates": fingerprints of every visible element of the page (repair candidates); the
//                 elements are kept in window.__harnessCandidates so a selector can be checked
//                 against the chosen one later.
//   "highlight":  outline elements the last probe or candidate pass found (and/or show a banner) for
//                 an evidence screenshot;
//   "unhighlight": remove it.
//   "fingerprint": the fingerprint of args.element (a journey step's resolved UI-map target).
(args) => {
  const MAX_TEXT = 200;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE", "BR", "WBR"]);
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const cut = (s, n = MAX_TEXT) => { s = norm(s); return s.length > n ? s.slice(0, n) : s; };
  const scrollX = () => window.scrollX || document.documentElement.scrollLeft || 0;
  const scrollY = () => window.scrollY || document.documentElement.scrollTop || 0;

  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { x: Math.round(r.left + scrollX()), y: Math.round(r.top + scrollY()),
             width: Math.round(r.width), height: Math.round(r.height) };
  };

  const isVisible = (el) => {
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return false;
    if (typeof el.checkVisibility === "function") {
      if (!el.checkVisibility({ visibilityProperty: true })) return false;
    } else {
      const st = getComputedStyle(el);
      if (st.visibility !== "visible" || st.display === "none") return false;
    }
    return true;
  };

  const isDisabled = (el) => {
    try { if (el.matches(":disabled")) return true; } catch (e) { /* not a form element */ }
    const aria = el.closest("[aria-disabled]");
    return !!aria && aria.getAttribute("aria-disabled") === "true";
  };

  // The DOM's own letters when the rendered text differs only in case (CSS text-transform): a
  // selector or a name taken from it then matches what Playwright and screen readers see.
  const domCase = (rendered, el) => {
    if (!rendered) return rendered;
    const raw = cut(el.textContent);
    return raw.toLowerCase() === rendered.toLowerCase() ? raw : rendered;
  };

  const textOf = (el) => {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return cut(el.value || "");
    if (el instanceof HTMLSelectElement) {
      const opt = el.selectedOptions && el.selectedOptions[0];
      return cut(opt ? opt.textContent : "");
    }
    return domCase(cut(el.innerText !== undefined ? el.innerText : el.textContent), el);
  };

  const implicitRole = (el) => {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "").toLowerCase();
    const inLandmark = () => !!el.parentElement && !!el.parentElement.closest("article,aside,main,nav,section");
    switch (tag) {
      case "a": case "area": return el.hasAttribute("href") ? "link" : null;
      case "button": return "button";
      case "input":
        if (["button", "submit", "reset", "image"].includes(type)) return "button";
        if (type === "checkbox") return "checkbox";
        if (type === "radio") return "radio";
        if (type === "range") return "slider";
        if (type === "number") return "spinbutton";
        if (type === "search") return el.hasAttribute("list") ? "combobox" : "searchbox";
        if (["hidden", "file", "password", "color", "date", "datetime-local", "month", "time", "week"].includes(type))
          return null;
        return el.hasAttribute("list") ? "combobox" : "textbox";
      case "textarea": return "textbox";
      case "select": return (el.multiple || el.size > 1) ? "listbox" : "combobox";
      case "option": return "option";
      case "img": return el.getAttribute("alt") === "" ? "presentation" : "img";
      case "h1": case "h2": case "h3": case "h4": case "h5": case "h6": return "heading";
      case "nav": return "navigation";
      case "main": return "main";
      case "aside": return "complementary";
      case "header": return inLandmark() ? null : "banner";
      case "footer": return inLandmark() ? null : "contentinfo";
      case "form": return null;
      case "table": return "table";
      case "tr": return "row";
      case "td": return "cell";
      case "th": return "columnheader";
      case "ul": case "ol": return "list";
      case "li": return "listitem";
      case "dialog": return "dialog";
      case "details": return "group";
      case "fieldset": return "group";
      case "p": return "paragraph";
      case "hr": return "separator";
      case "progress": return "progressbar";
      case "article": return "article";
      default: return null;
    }
  };

  const roleOf = (el) => {
    const explicit = norm(el.getAttribute("role")).split(" ")[0];
    return explicit || implicitRole(el);
  };

  const NAME_FROM_CONTENT = new Set(["button", "link", "heading", "cell", "columnheader", "option", "listitem",
    "checkbox", "radio", "tab", "menuitem", "row", "treeitem", "switch", "tooltip"]);

  const nameOf = (el, role) => {
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      const t = labelledby.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
        .map((n) => n.textContent).join(" ");
      if (norm(t)) return cut(t);
    }
    const aria = el.getAttribute("aria-label");
    if (norm(aria)) return cut(aria);
    const tag = el.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      const type = (el.getAttribute("type") || "").toLowerCase();
      if (tag === "INPUT" && ["button", "submit", "reset"].includes(type)) {
        return cut(el.value || (type === "submit" ? "Submit" : type === "reset" ? "Reset" : ""));
      }
      if (tag === "INPUT" && type === "image") return cut(el.getAttribute("alt") || "");
      const labels = el.labels ? Array.from(el.labels).map((l) => l.innerText || l.textContent).join(" ") : "";
      if (norm(labels)) return cut(labels);
      return cut(el.getAttribute("title") || el.getAttribute("placeholder") || "");
    }
    if (tag === "IMG" || tag === "AREA") return cut(el.getAttribute("alt") || el.getAttribute("title") || "");
    if (tag === "FIELDSET") {
      const legend = el.querySelector(":scope > legend");
      if (legend) return cut(legend.textContent);
    }
    if (tag === "TABLE") {
      const caption = el.querySelector(":scope > caption");
      if (caption) return cut(caption.textContent);
    }
    if ((role && NAME_FROM_CONTENT.has(role)) || tag === "SUMMARY") {
      let t = el.innerText !== undefined ? el.innerText : el.textContent;
      if (!norm(t)) {
        t = Array.from(el.querySelectorAll("img[alt]")).map((i) => i.getAttribute("alt")).join(" ");
      }
      if (norm(t)) return domCase(cut(t), el);
    }
    return cut(el.getAttribute("title") || "");
  };

  // Position of an element among its same-tag siblings (1-based); each parent's children are
  // counted once per pass, so the paths of many siblings cost linear, not quadratic, time.
  const siblingIndex = new Map();
  const indexOf = (n) => {
    let index = siblingIndex.get(n);
    if (index === undefined) {
      const counts = new Map();
      for (const child of n.parentElement ? n.parentElement.children : [n]) {
        const k = (counts.get(child.tagName) || 0) + 1;
        counts.set(child.tagName, k);
        siblingIndex.set(child, k);
      }
      index = siblingIndex.get(n) || 1;
    }
    return index;
  };

  const pathNodes = new Map();
  const pathOf = (el) => {
    const nodes = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      let node = pathNodes.get(n);
      if (!node) {
        node = { tag: n.tagName.toLowerCase(), id: n.id || null, classes: Array.from(n.classList).slice(0, 6),
                 index: indexOf(n) };
        pathNodes.set(n, node);
      }
      nodes.push(node);
    }
    return nodes.reverse();
  };

  const shortText = (n) => {
    if (!n) return "";
    const t = norm(n.innerText !== undefined ? n.innerText : n.textContent);
    return t.length > 80 ? t.slice(0, 80) : t;
  };

  const neighboursOf = (el) => {
    const out = [];
    const add = (t) => { if (t && !out.includes(t) && out.length < 4) out.push(t); };
    if (el.labels) Array.from(el.labels).forEach((l) => add(shortText(l)));
    add(shortText(el.previousElementSibling));
    add(shortText(el.nextElementSibling));
    let scope = el.parentElement;
    for (let depth = 0; scope && depth < 5 && out.length < 4; depth++, scope = scope.parentElement) {
      const heading = scope.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > legend");
      if (heading && heading !== el && !heading.contains(el)) { add(shortText(heading)); break; }
    }
    return out;
  };

  const attributesOf = (el) => {
    const out = {};
    for (const a of Array.from(el.attributes)) {
      if (a.name === "id" || a.name === "class" || a.name === "style") continue;
      if (Object.keys(out).length >= 30) break;
      out[a.name] = a.value.length > MAX_TEXT ? a.value.slice(0, MAX_TEXT) : a.value;
    }
    return out;
  };

  const fingerprint = (el) => {
    const role = roleOf(el);
    return {
      tag: el.tagName.toLowerCase(), id: el.id || null, classes: Array.from(el.classList),
      text: textOf(el), role: role || null, name: nameOf(el, role) || null,
      attributes: attributesOf(el), path: pathOf(el), box: box(el),
      viewport: { width: window.innerWidth, height: window.innerHeight },
      neighbours: neighboursOf(el), visible: isVisible(el), disabled: isDisabled(el),
    };
  };

  const describeNode = (n) => ({ tag: n.tagName.toLowerCase(), id: n.id || null,
    classes: Array.from(n.classList).slice(0, 4), text: cut(n.innerText || n.textContent, 80), box: box(n) });

  // Outside the page's scrollable area, or clipped away by an overflow:hidden ancestor.
  const isOffscreen = (el) => {
    const b = box(el);
    const doc = document.documentElement;
    const width = Math.max(doc.scrollWidth, document.body ? document.body.scrollWidth : 0);
    const height = Math.max(doc.scrollHeight, document.body ? document.body.scrollHeight : 0);
    if (b.x + b.width <= 0 || b.y + b.height <= 0 || b.x >= width || b.y >= height) return true;
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body && a !== doc; a = a.parentElement) {
      const st = getComputedStyle(a);
      if (st.overflowX === "visible" && st.overflowY === "visible") continue;
      if (st.overflowX === "auto" || st.overflowX === "scroll" || st.overflowY === "auto" || st.overflowY === "scroll") continue;
      const ar = a.getBoundingClientRect();
      if (r.right <= ar.left || r.left >= ar.right || r.bottom <= ar.top || r.top >= ar.bottom) return true;
    }
    return false;
  };

  const coveredBy = (el) => {
    el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
    const y = Math.min(Math.max(r.top + r.height / 2, 0), window.innerHeight - 1);
    let hit = document.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    if (!hit || hit === el || el.contains(hit) || hit.contains(el)) return null;
    // A <label> for the element is part of it (clicking it focuses the element).
    if (el.labels && Array.from(el.labels).some((l) => l === hit || l.contains(hit))) return null;
    return hit;
  };

  if (args.mode === "highlight") {
    // items: [{ref: {anchor, match} | {anchor, cover: true} | {candidate}, colour, label}]; the first
    // element found is scrolled to the middle of the viewport, then outlines are drawn where the
    // elements are now (so fixed and sticky elements are outlined where the screenshot shows them).
    const probe = window.__harnessProbe || {};
    const resolve = (ref) => {
      if (ref.candidate !== undefined) return (window.__harnessCandidates || [])[ref.candidate] || null;
      const kept = probe[ref.anchor];
      if (!kept) return null;
      return ref.cover ? kept.cover : (kept.matches[ref.match || 0] || null);
    };
    const items = (args.items || []).map((it) => ({ ...it, el: resolve(it.ref) })).filter((it) => it.el);
    const first = items.find((it) => isVisible(it.el));
    if (first) first.el.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
    else window.scrollTo(0, 0);
    const layer = document.createElement("div");
    layer.id = "__harness_highlight";
    layer.setAttribute("style", "position:absolute;left:0;top:0;width:0;height:0;z-index:2147483647;pointer-events:none");
    for (const it of items) {
      const b = box(it.el);
      const d = document.createElement("div");
      d.setAttribute("style", `position:absolute;left:${b.x - 3}px;top:${b.y - 3}px;width:${b.width + 2}px;` +
        `height:${b.height + 2}px;border:3px ${it.label === "suggested" ? "dashed" : "solid"} ${it.colour};` +
        "box-sizing:content-box;border-radius:3px");
      const tag = document.createElement("span");
      tag.textContent = it.label;
      tag.setAttribute("style", `position:absolute;left:-3px;top:-22px;background:${it.colour};color:#fff;` +
        "font:bold 12px sans-serif;padding:2px 5px;border-radius:3px;white-space:nowrap");
      d.appendChild(tag);
      layer.appendChild(d);
    }
    if (args.banner) {
      const b = document.createElement("div");
      b.textContent = args.banner;
      b.setAttribute("style", "position:fixed;left:0;right:0;top:0;background:#b00020;color:#fff;" +
        "font:bold 14px sans-serif;padding:6px 10px;z-index:2147483647;pointer-events:none");
      layer.appendChild(b);
    }
    document.documentElement.appendChild(layer);
    return items.length;
  }
  if (args.mode === "unhighlight") {
    const layer = document.getElementById("__harness_highlight");
    if (layer) layer.remove();
    return true;
  }

  if (args.mode === "fingerprint") return JSON.stringify(fingerprint(args.element));

  if (args.mode === "candidates") {
    const kept = [];
    const out = [];
    const limit = args.limit || 5000;
    for (const el of document.body ? document.body.querySelectorAll("*") : []) {
      if (SKIP.has(el.tagName) || el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
      if (el.id === "__harness_highlight") continue;
      if (!isVisible(el)) continue;
      kept.push(el);
      out.push(fingerprint(el));
      if (kept.length >= limit) break;
    }
    window.__harnessCandidates = kept;
    return JSON.stringify(out);  // one string crosses to Python much faster than nested objects
  }

  // mode "probe"
  const startX = scrollX();
  const startY = scrollY();
  const results = [];
  window.__harnessProbe = {};
  for (const anchor of args.anchors) {
    let matches;
    let error = null;
    try {
      matches = anchor.css !== null && anchor.css !== undefined
        ? Array.from(document.querySelectorAll(anchor.css)) : (anchor.elements || []);
    } catch (e) {
      matches = [];
      error = String(e && e.message || e);
    }
    const result = { key: anchor.key, count: matches.length, error, visible: null, disabled: null, offscreen: null,
      covered_by: null, box: null, text: null, name: null, fingerprint: null, boxes: [] };
    results.push(result);
    if (!matches.length) continue;
    result.boxes = matches.slice(0, 5).map(box);
    const el = matches[0];
    const fp = fingerprint(el);
    result.visible = fp.visible;
    result.disabled = fp.disabled;
    result.text = fp.text;
    result.name = fp.name;
    result.placeholder = el.getAttribute("placeholder");
    result.title = el.getAttribute("title");
    result.box = fp.box;  // measured at the page's own scroll position, like every other anchor
    const kept = { matches: matches.slice(0, 5), cover: null };
    window.__harnessProbe[anchor.key] = kept;
    // one match, or several when the guide's runtime attaches to the first (querySelector)
    if (fp.visible && (matches.length === 1 || anchor.first)) {
      result.offscreen = isOffscreen(el);
      if (!result.offscreen) {
        kept.cover = coveredBy(el);  // scrolls the element into view to look at its centre
        window.scrollTo(startX, startY);
        if (kept.cover) result.covered_by = describeNode(kept.cover);
      }
    }
    if (args.fingerprint) result.fingerprint = fp;
  }
  window.scrollTo(startX, startY);
  return JSON.stringify(results);
}
