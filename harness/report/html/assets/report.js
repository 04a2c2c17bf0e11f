/* adoption-harness report: tabs, filters, charts (ECharts, drawn when first seen), expand/collapse
   and copy buttons. Everything still reads without this script: the sections then stack, every
   chart's figures are in the tables beside it. Text from the run is never parsed as HTML. */
(function () {
  'use strict';
  var doc = document;

  function all(selector, root) {
    return Array.prototype.slice.call((root || doc).querySelectorAll(selector));
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function fmtMs(ms) {
    if (ms === null || ms === undefined || ms === '-') { return '–'; }
    if (Math.abs(ms) < 1000) { return Math.round(ms) + ' ms'; }
    return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  }

  /* --- tabs (WAI-ARIA tabs pattern; the location hash picks the tab) ------------------------- */
  var tabList = doc.querySelector('[role="tablist"]');
  var tabs = all('[role="tab"]');
  var panels = all('[role="tabpanel"]');

  function panelOf(el) {
    while (el && el !== doc.body) {
      if (el.getAttribute && el.getAttribute('role') === 'tabpanel') { return el; }
      el = el.parentNode;
    }
    return null;
  }

  function select(panel, focus) {
    if (!panel || !tabList) { return; }
    tabs.forEach(function (tab) {
      var on = tab.getAttribute('aria-controls') === panel.id;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      if (on && focus) { tab.focus(); }
    });
    panels.forEach(function (p) { p.hidden = p !== panel; });
  }

  function go(hash, scroll) {
    var id = decodeURIComponent((hash || '').replace(/^#/, ''));
    var target = id ? doc.getElementById(id) : null;
    var panel = target ? panelOf(target) : null;
    select(panel || panels[0], false);
    if (!target || target === panel) { return; }
    for (var el = target; el && el !== doc.body; el = el.parentNode) {
      if (el.tagName === 'DETAILS') { el.open = true; }
      if (el.hidden && el.hasAttribute('data-filter-item')) { el.hidden = false; }
    }
    if (scroll) { target.scrollIntoView(); }
  }

  if (tabList && tabs.length) {
    tabList.hidden = false;
    doc.body.classList.add('tabbed');
    tabs.forEach(function (tab, n) {
      tab.addEventListener('click', function () {
        var panel = doc.getElementById(tab.getAttribute('aria-controls'));
        select(panel, false);
        history.replaceState(null, '', '#' + panel.id);
      });
      tab.addEventListener('keydown', function (event) {
        var step = {ArrowRight: 1, ArrowLeft: -1}[event.key];
        var to = event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : null;
        if (step) { to = (n + step + tabs.length) % tabs.length; }
        if (to === null) { return; }
        event.preventDefault();
        tabs[to].click();
        tabs[to].focus();
      });
    });
    go(location.hash, true);
    window.addEventListener('hashchange', function () { go(location.hash, true); });
    doc.addEventListener('click', function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (link && link.getAttribute('href') === location.hash) { go(location.hash, true); }
    });
  }

  /* --- expand / collapse all, copy ------------------------------------------------------------ */
  all('[data-toggle]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var open = button.getAttribute('data-toggle') === 'open';
      var scope = doc.getElementById(button.getAttribute('data-scope')) || doc;
      all('details.case', scope).forEach(function (d) {
        if (!d.closest('[hidden]')) { d.open = open; }
      });
    });
  });
  if (navigator.clipboard) {
    all('[data-copy]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        var source = doc.getElementById(button.getAttribute('data-copy'));
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = 'Copied';
          setTimeout(function () { button.textContent = 'Copy'; }, 1500);
        });
      });
    });
  }

  /* --- filters ---------------------------------------------------------------------------------- */
  all('form[data-filters]').forEach(function (form) {
    var scope = doc.getElementById(form.getAttribute('data-filters'));
    var items = all('[data-filter-item]', scope);
    var count = form.querySelector('output');
    function apply() {
      var wanted = all('[data-filter]', form).map(function (field) {
        return [field.getAttribute('data-filter'), field.value.trim().toLowerCase()];
      });
      var shown = 0;
      items.forEach(function (item) {
        var ok = wanted.every(function (pair) {
          if (!pair[1]) { return true; }
          var have = (item.getAttribute('data-' + pair[0]) || '').toLowerCase();
          return pair[0] === 'text' ? have.indexOf(pair[1]) >= 0 : (' ' + have + ' ').indexOf(' ' + pair[1] + ' ') >= 0;
        });
        item.hidden = !ok;
        shown += ok ? 1 : 0;
      });
      all('[data-filter-group]', scope).forEach(function (group) {
        group.hidden = !group.querySelector('[data-filter-item]:not([hidden])');
      });
      if (count) { count.textContent = shown + ' of ' + items.length + ' shown'; }
    }
    form.hidden = false;
    form.addEventListener('input', apply);
    form.addEventListener('change', apply);
    form.addEventListener('submit', function (event) { event.preventDefault(); });
    form.addEventListener('reset', function () { setTimeout(apply, 0); });
  });

  /* --- charts ----------------------------------------------------------------------------------- */
  var lib = window.echarts;
  var data = doc.getElementById('chart-data');
  if (!lib || !data) { return; }
  var specs = JSON.parse(data.textContent);
  /* Each status has its own fill pattern (decal) as well as its colour, and bar labels carry marks. */
  var PLAIN = {symbol: 'none'};
  var STRIPES = {symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -0.785,
                 color: 'rgba(255,255,255,0.6)'};
  var DOTS = {symbol: 'circle', symbolSize: 0.7, dashArrayX: [4, 3], dashArrayY: [4, 3], color: 'rgba(255,255,255,0.75)'};
  var DASHES = {symbol: 'rect', symbolSize: 1, dashArrayX: [[5, 3]], dashArrayY: [2, 3], color: 'rgba(255,255,255,0.75)'};
  var RINGS = {symbol: 'emptyCircle', symbolSize: 0.8, dashArrayX: [6, 2], dashArrayY: [6, 2], color: 'rgba(255,255,255,0.8)'};
  var STATUS = {
    passed: {label: 'passed', color: '#2563eb', decal: PLAIN},
    over: {label: 'passed, over budget', color: '#b45309', decal: STRIPES},
    healed: {label: 'healed (--heal)', color: '#6d28d9', decal: RINGS},
    failed: {label: 'failed', color: '#b91c1c', decal: DOTS},
    not_run: {label: 'not run', color: '#6b7280', decal: DASHES},
    skipped: {label: 'skipped', color: '#6b7280', decal: DASHES}
  };
  var SYMBOLS = ['circle', 'rect', 'triangle', 'diamond', 'pin', 'arrow', 'roundRect'];
  var LINES = ['solid', 'dashed', 'dotted'];
  var PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0f766e', '#4b5563'];

  function base(spec) {
    return {
      animation: false,
      color: PALETTE,
      aria: {enabled: true, label: {description: spec.label}, decal: {show: true}},
      textStyle: {fontFamily: 'system-ui, -apple-system, "Segoe UI", sans-serif', fontSize: 11, color: '#1f2937'},
      grid: {left: 8, right: 96, top: 34, bottom: 30, containLabel: true},
      legend: {top: 0, left: 0, itemWidth: 18, itemHeight: 10, textStyle: {fontSize: 11}},
      tooltip: {trigger: 'item', confine: true}
    };
  }

  function tip(lines) { return lines.map(esc).join('<br>'); }

  var labelWidth = 300;

  function stepAxis(names) {
    return {type: 'category', data: names, inverse: true, axisTick: {show: false},
            axisLabel: {width: labelWidth, overflow: 'truncate', fontSize: 11}};
  }

  function tick(ms) {
    if (ms === 0) { return '0'; }
    return Math.abs(ms) < 1000 ? ms + ' ms' : +(ms / 1000).toFixed(1) + ' s';
  }

  function msAxis(name) {
    return {type: 'value', name: name, nameLocation: 'middle', nameGap: 22, splitNumber: 4,
            splitLine: {lineStyle: {color: '#e5e7eb'}}, axisLabel: {formatter: tick, hideOverlap: true}};
  }

  function waterfall(spec) {
    var option = base(spec);
    var names = spec.steps.map(function (s) { return s.name; });
    var series = [{
      type: 'bar', stack: 'w', name: 'start', silent: true, legendHoverLink: false,
      itemStyle: {color: 'rgba(0,0,0,0)', decal: {symbol: 'none'}}, tooltip: {show: false},
      data: spec.steps.map(function (s) { return s.start; })
    }];
    var present = [];
    Object.keys(STATUS).forEach(function (key) {
      var steps = spec.steps.filter(function (s) { return s.kind === key; });
      if (!steps.length) { return; }
      present.push(STATUS[key].label);
      series.push({
        type: 'bar', stack: 'w', name: STATUS[key].label, barMaxWidth: 16,
        itemStyle: {color: STATUS[key].color, decal: STATUS[key].decal},
        label: {show: true, position: 'right', fontSize: 10, color: '#374151',
                formatter: function (p) {
                  if (key === 'not_run' || key === 'skipped') { return STATUS[key].label; }
                  return fmtMs(p.value) + (key === 'over' ? ' ⚠' : key === 'failed' ? ' ✗' : key === 'healed' ? ' ✚' : '');
                }},
        tooltip: {formatter: function (p) {
          var s = spec.steps[p.dataIndex];
          return tip([s.name, STATUS[key].label + ': ' + fmtMs(s.ms), 'starts at ' + fmtMs(s.start)]
                     .concat(s.budget ? ['budget ' + fmtMs(s.budget)] : []));
        }},
        data: spec.steps.map(function (s) { return s.kind === key ? s.ms : '-'; })
      });
    });
    option.legend.data = present;
    option.xAxis = msAxis('ms from the start of the scenario' + (spec.repeats > 1 ? ' (medians)' : ''));
    option.yAxis = stepAxis(names);
    option.series = series;
    return option;
  }

  function strip(spec) {
    var option = base(spec);
    var groups = {passed: [], failed: []};
    spec.runs.forEach(function (r) { (r[2] === 'failed' ? groups.failed : groups.passed).push(r); });
    option.series = [
      {type: 'scatter', name: 'replays that passed', symbol: 'circle', symbolSize: 7,
       itemStyle: {color: 'rgba(37,99,235,0.15)', borderColor: '#2563eb', borderWidth: 1},
       data: groups.passed.map(function (r) { return [r[1], r[0], r[3]]; })},
      {type: 'scatter', name: 'replays that failed', symbol: 'triangle', symbolSize: 9,
       itemStyle: {color: '#b91c1c'}, data: groups.failed.map(function (r) { return [r[1], r[0], r[3]]; })},
      {type: 'scatter', name: 'median', symbol: 'rect', symbolSize: [3, 16], itemStyle: {color: '#111827'},
       data: spec.medians.map(function (m, i) { return m === null ? null : [m, i]; }).filter(Boolean)}
    ].filter(function (s) { return s.data.length; });
    option.series.forEach(function (s) {
      s.tooltip = {formatter: function (p) {
        var lines = [spec.steps[p.value[1]], s.name === 'median' ? 'median ' + fmtMs(p.value[0])
                     : 'replay ' + (p.value[2] + 1) + ': ' + fmtMs(p.value[0])];
        return tip(lines);
      }};
    });
    option.xAxis = msAxis('step duration in each replay');
    option.yAxis = stepAxis(spec.steps);
    return option;
  }

  function bars(spec) {
    var option = base(spec);
    option.series = spec.series.map(function (s, n) {
      return {type: 'bar', stack: 'b', name: s.name, barMaxWidth: 16, data: s.values,
              itemStyle: {decal: n === 0 ? STRIPES : PLAIN},
              label: {show: s.total === true, position: 'right', fontSize: 10, color: '#374151',
                      formatter: function (p) { return fmtMs(spec.totals[p.dataIndex]); }},
              tooltip: {formatter: function (p) {
                return tip([spec.cats[p.dataIndex], s.name + ': ' + fmtMs(p.value), 'total ' + fmtMs(spec.totals[p.dataIndex])]);
              }}};
    });
    option.xAxis = msAxis(spec.axis);
    option.yAxis = stepAxis(spec.cats);
    return option;
  }

  function lines(spec) {
    var option = base(spec);
    option.grid.right = 24;
    option.grid.bottom = 20;
    option.xAxis = {type: 'category', data: spec.x, axisLabel: {fontSize: 10, hideOverlap: true}};
    option.yAxis = spec.unit === 'ms' ? msAxis('') : {type: 'value', min: spec.min, max: spec.max,
                                                      axisLabel: {formatter: '{value}' + spec.unit},
                                                      splitLine: {lineStyle: {color: '#e5e7eb'}}};
    option.tooltip = {trigger: 'axis', confine: true, formatter: function (items) {
      var out = [items.length ? spec.x[items[0].dataIndex] : ''];
      items.forEach(function (p) {
        out.push(p.seriesName + ': ' + (p.value === null || p.value === undefined ? '–' : spec.unit === 'ms' ? fmtMs(p.value) : p.value + spec.unit));
      });
      return tip(out);
    }};
    option.series = spec.series.map(function (s, n) {
      return {type: 'line', name: s.name, data: s.values, connectNulls: false,
              symbol: SYMBOLS[n % SYMBOLS.length], symbolSize: 7,
              lineStyle: {type: LINES[Math.floor(n / SYMBOLS.length) % LINES.length], width: 1.6}};
    });
    return option;
  }

  var BUILD = {waterfall: waterfall, strip: strip, bars: bars, lines: lines};
  var drawn = [];

  function draw(el) {
    var spec = specs[el.getAttribute('data-chart')];
    if (!spec || !BUILD[spec.kind]) { return; }
    el.style.height = spec.height + 'px';
    labelWidth = Math.max(120, Math.min(300, Math.round(el.clientWidth * 0.38)));
    var chart = lib.init(el, null, {renderer: 'svg'});
    chart.setOption(BUILD[spec.kind](spec));
    el.setAttribute('data-drawn', 'true');
    drawn.push(chart);
  }

  var charts = all('[data-chart]');
  charts.forEach(function (el) { el.hidden = false; });
  if ('IntersectionObserver' in window) {
    var watcher = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { watcher.unobserve(entry.target); draw(entry.target); }
      });
    }, {rootMargin: '300px'});
    charts.forEach(function (el) { watcher.observe(el); });
  } else {
    charts.forEach(draw);
  }
  var pending = null;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () { drawn.forEach(function (c) { c.resize(); }); }, 150);
  });
}());
