// A tiny element builder: h('a', {href, class: 'x', dataset: {uid}}, 'text', child...).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// The partial-answer banner at the top of the view: shown with the missing regions, or removed.
export function setPartialBanner(container, partials) {
  let banner = container.querySelector('[data-testid=partial-banner]');
  // Each partial is an X-Meridian-Partial value, "us (timeout), ap (down)": one entry per region
  // across the dashboard's requests, with the first reason seen.
  const regions = new Map();
  for (const p of partials.filter(Boolean)) {
    for (const entry of p.split(/, (?=[^,()]+(?: \(|$))/)) {
      const name = entry.replace(/ \(.*$/, '').trim();
      if (name && !regions.has(name)) regions.set(name, entry.trim());
    }
  }
  const text = [...regions.values()].join(', ');
  if (!text) {
    if (banner) banner.remove();
    return;
  }
  if (!banner) {
    banner = h('div', {class: 'banner warn', role: 'status', dataset: {testid: 'partial-banner'}});
    container.prepend(banner);
  }
  banner.textContent = `Partial data — regions that did not answer: ${text}`;
}

// el.replaceChildren without the null/false placeholders of conditional children.
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
}
