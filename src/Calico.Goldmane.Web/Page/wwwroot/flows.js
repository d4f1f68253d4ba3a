// Live flows from the whisker-backend API beside this page (GET flows?watch=true, server-sent events), newest
// first, filtered in the browser. Filters live in the URL query (namespace, name, action, policy, port), so a link
// reproduces the view; "since" sets how far back the stream starts (seconds, default 3600).
'use strict';
(function () {
  const FILTERS = ['namespace', 'name', 'action', 'policy', 'port'];
  const MAX_ROWS = 2000;
  const query = new URLSearchParams(window.location.search);
  const inputs = {};
  const flows = new Map();
  let arrivals = 0;
  let renderPending = false;

  for (const name of FILTERS) {
    inputs[name] = document.getElementById('f-' + name);
    inputs[name].value = query.get(name) || '';
    inputs[name].addEventListener('input', filtersChanged);
    inputs[name].addEventListener('change', filtersChanged);
  }
  document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());

  function filtersChanged() {
    const next = new URLSearchParams(window.location.search);
    for (const name of FILTERS) {
      const value = inputs[name].value.trim();
      if (value) { next.set(name, value); } else { next.delete(name); }
    }
    const qs = next.toString();
    window.history.replaceState(null, '', qs ? '?' + qs : window.location.pathname);
    scheduleRender();
  }

  function currentFilters() {
    const f = {};
    for (const name of FILTERS) { f[name] = inputs[name].value.trim().toLowerCase(); }
    return f;
  }

  function hits(flow, which) {
    const p = flow.policies || {};
    return p[which] || [];
  }

  function contains(value, needle) {
    return (value || '').toLowerCase().includes(needle);
  }

  function matches(flow, f) {
    if (f.namespace && !contains(flow.source_namespace, f.namespace) && !contains(flow.dest_namespace, f.namespace)) { return false; }
    if (f.name && !contains(flow.source_name, f.name) && !contains(flow.dest_name, f.name)) { return false; }
    if (f.action && (flow.action || '').toLowerCase() !== f.action) { return false; }
    if (f.port && String(flow.dest_port) !== f.port) { return false; }
    if (f.policy) {
      const all = hits(flow, 'enforced').concat(hits(flow, 'pending'));
      const found = all.some((h) => contains(h.name, f.policy) || contains(h.tier, f.policy) ||
        contains((h.namespace ? h.namespace + '/' : '') + h.name, f.policy) || contains(h.tier + '/' + h.name, f.policy));
      if (!found) { return false; }
    }
    return true;
  }

  // One row per flow key and interval: an update of the same flow in the same interval replaces its row.
  function keyOf(flow) {
    return [flow.start_time, flow.source_namespace, flow.source_name, flow.dest_namespace, flow.dest_name,
      flow.protocol, flow.dest_port, flow.reporter, flow.action, JSON.stringify(flow.policies)].join('\u0001');
  }

  function verdict(trace) {
    return trace.length ? trace[trace.length - 1].action : null;
  }

  function yamlCommand(hit) {
    const ns = hit.namespace ? ' -n ' + hit.namespace : '';
    switch (hit.kind) {
      case 'CalicoNetworkPolicy': return 'calicoctl get networkpolicy ' + hit.name + ns + ' -o yaml';
      case 'GlobalNetworkPolicy': return 'calicoctl get globalnetworkpolicy ' + hit.name + ' -o yaml';
      case 'StagedNetworkPolicy': return 'calicoctl get stagednetworkpolicy ' + hit.name + ns + ' -o yaml';
      case 'StagedGlobalNetworkPolicy': return 'calicoctl get stagedglobalnetworkpolicy ' + hit.name + ' -o yaml';
      case 'StagedKubernetesNetworkPolicy': return 'calicoctl get stagedkubernetesnetworkpolicy ' + hit.name + ns + ' -o yaml';
      case 'NetworkPolicy': return 'calicoctl get networkpolicy.networking.k8s.io ' + hit.name.replace(/^knp\.default\./, '') + ns + ' -o yaml';
      case 'ClusterNetworkPolicy': return 'kubectl get clusternetworkpolicy ' + hit.name + ' -o yaml';
      case 'Profile': return 'calicoctl get profile ' + hit.name + ' -o yaml';
      case 'EndOfTier': return 'calicoctl get tier ' + hit.tier + ' -o yaml';
      default: return '';
    }
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function hitItem(hit) {
    const li = el('li', 'hit hit-action-' + (hit.action || '').toLowerCase());
    li.dataset.kind = hit.kind;
    li.appendChild(el('span', 'tier', hit.tier || '-'));
    li.appendChild(document.createTextNode(' / '));
    const label = hit.kind === 'EndOfTier' ? 'end of tier' : (hit.namespace ? hit.namespace + '/' : '') + hit.name;
    const details = el('details', 'policy');
    details.appendChild(el('summary', 'policy-name', label));
    details.appendChild(el('code', 'yaml-cmd', yamlCommand(hit)));
    li.appendChild(details);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(el('span', 'kind', hit.kind));
    if (hit.rule_index >= 0 && hit.kind !== 'EndOfTier') {
      li.appendChild(document.createTextNode(' rule '));
      li.appendChild(el('span', 'rule', hit.rule_index));
    }
    if (hit.trigger) {
      li.appendChild(document.createTextNode(' (selected by ' + hit.trigger.name + ')'));
    }
    li.appendChild(document.createTextNode(' \u2192 '));
    li.appendChild(el('span', 'hit-action', hit.action));
    return li;
  }

  function traceBlock(kind, trace, extraClass) {
    const div = el('div', 'trace ' + kind + (extraClass ? ' ' + extraClass : ''));
    div.appendChild(el('span', 'trace-label', kind));
    const ol = el('ol');
    for (const hit of trace) { ol.appendChild(hitItem(hit)); }
    div.appendChild(ol);
    return div;
  }

  function row(flow) {
    const tr = el('tr', 'flow action-' + (flow.action || '').toLowerCase());
    tr.dataset.action = flow.action;
    tr.appendChild(el('td', 'time', flow.end_time));
    const end = (cls, ns, name) => {
      const td = el('td', cls);
      if (ns) { td.appendChild(el('span', 'ns', ns + '/')); }
      td.appendChild(el('span', 'name', name));
      return td;
    };
    tr.appendChild(end('src', flow.source_namespace, flow.source_name));
    tr.appendChild(end('dst', flow.dest_namespace, flow.dest_name));
    tr.appendChild(el('td', 'port', flow.dest_port + '/' + flow.protocol));
    tr.appendChild(el('td', 'action', flow.action));
    tr.appendChild(el('td', 'reporter', flow.reporter));
    tr.appendChild(el('td', 'packets', flow.packets_in + ' / ' + flow.packets_out));
    tr.appendChild(el('td', 'bytes', flow.bytes_in + ' / ' + flow.bytes_out));

    const td = el('td', 'traces');
    const enforced = hits(flow, 'enforced');
    const pending = hits(flow, 'pending');
    td.appendChild(traceBlock('enforced', enforced));
    const same = pending.length === 0 || JSON.stringify(pending) === JSON.stringify(enforced);
    const pendingVerdict = verdict(pending);
    const verdictDiffers = pendingVerdict !== null && pendingVerdict !== flow.action;
    const block = traceBlock('pending', same ? [] : pending, same ? 'same' : 'differs' + (verdictDiffers ? ' verdict-differs' : ''));
    if (verdictDiffers) {
      block.insertBefore(el('span', 'verdict-change', 'staged policy would ' + pendingVerdict.toLowerCase()), block.children[1]);
    }
    td.appendChild(block);
    tr.appendChild(td);
    return tr;
  }

  function scheduleRender() {
    if (!renderPending) {
      renderPending = true;
      window.setTimeout(render, 50);
    }
  }

  function render() {
    renderPending = false;
    const f = currentFilters();
    const all = Array.from(flows.values());
    // Newest first: by the end of the flow's interval, then by arrival.
    all.sort((a, b) => (a.flow.end_time < b.flow.end_time ? 1 : a.flow.end_time > b.flow.end_time ? -1 : b.seq - a.seq));
    const body = document.createElement('tbody');
    body.id = 'rows';
    let shown = 0;
    for (const entry of all) {
      if (shown >= MAX_ROWS) { break; }
      if (matches(entry.flow, f)) {
        body.appendChild(row(entry.flow));
        shown++;
      }
    }
    document.getElementById('rows').replaceWith(body);
    document.getElementById('count').textContent = 'showing ' + shown + ' of ' + flows.size + ' flows';
    document.getElementById('empty').hidden = shown > 0;
  }

  function setStatus(text, cls) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  const since = /^\d+$/.test(query.get('since') || '') ? query.get('since') : '3600';
  let source = null;

  function connect() {
    source = new EventSource('flows?watch=true&startTimeGte=-' + since);
    source.onopen = () => setStatus('live', 'live');
    source.onerror = () => setStatus('reconnecting', 'down');
    source.onmessage = (event) => {
      let flow;
      try { flow = JSON.parse(event.data); } catch (e) { return; }
      const key = keyOf(flow);
      flows.set(key, { flow: flow, seq: ++arrivals });
      if (flows.size > MAX_ROWS * 2) {
        const oldest = Array.from(flows.entries()).sort((a, b) => a[1].seq - b[1].seq).slice(0, flows.size - MAX_ROWS);
        for (const [k] of oldest) { flows.delete(k); }
      }
      scheduleRender();
    };
  }

  // A page left for another (kept in the back/forward cache) must not hold its stream open: browsers allow only
  // six HTTP/1.1 connections per server, and the next page would wait for one.
  window.addEventListener('pagehide', () => {
    if (source) { source.close(); source = null; }
  });
  window.addEventListener('pageshow', () => {
    if (!source) { connect(); }
  });
  connect();
  render();
}());
