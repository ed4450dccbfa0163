// The dashboards list (GET /dashboards/) from /api/dashboards; broken files flagged with errors.
import {getJSON, markReady} from './api.js';
import {h, fill} from './dom.js';

function errorList(errors) {
  return h('ul', {class: 'errors', dataset: {testid: 'dashboard-errors'}},
    errors.map((e) => h('li', {}, `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`)));
}

export async function showList(view) {
  document.title = 'Dashboards — Meridian';
  try {
    const {data} = await getJSON('/api/dashboards');
    const items = (data.dashboards || []).map((d) => h('li', {class: 'card dash-item'},
      h('a', {href: `/dashboards/${encodeURIComponent(d.uid)}`, dataset: {testid: 'dashboard-link', uid: d.uid}}, d.title),
      h('span', {class: 'muted'}, ` ${d.panels ?? 0} panel${d.panels === 1 ? '' : 's'}`, d.file ? ` · ${d.file}` : ''),
      (d.tags || []).length ? h('span', {class: 'tags'}, d.tags.map((t) => h('span', {class: 'tag'}, t))) : null,
      (d.errors || []).length ? errorList(d.errors) : null));
    fill(view, 
      h('h1', {}, 'Dashboards'),
      (data.errors || []).length ? errorList(data.errors) : null,
      items.length ? h('ul', {class: 'dash-list'}, items) :
        h('p', {class: 'muted'}, data.dir ? `No dashboard files in ${data.dir}.` :
          'No dashboards directory configured (dashboards.dir).'));
  } catch (e) {
    fill(view, h('h1', {}, 'Dashboards'), h('p', {class: 'error banner'}, e.message));
  }
  markReady();
}
