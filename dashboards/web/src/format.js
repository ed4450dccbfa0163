// Number, unit, time and duration formatting (Grafana's unit names).

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

function fixed(v, decimals) {
  if (decimals != null) return v.toFixed(decimals);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

// v scaled by powers of `base` with `names` as suffixes.
function scaled(v, base, names, decimals, sep = ' ') {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  const s = names[i];
  return s ? `${fixed(x, decimals)}${sep}${s}` : fixed(x, decimals);
}

function duration(v, unitSeconds, decimals) {
  let s = v * unitSeconds;
  const a = Math.abs(s);
  if (a === 0) return '0';
  if (a < 1e-3) return `${fixed(s * 1e6, decimals)} µs`;
  if (a < 1) return `${fixed(s * 1e3, decimals)} ms`;
  if (a < 60) return `${fixed(s, decimals)} s`;
  if (a < 3600) return `${fixed(s / 60, decimals)} min`;
  if (a < 86400) return `${fixed(s / 3600, decimals)} h`;
  return `${fixed(s / 86400, decimals)} d`;
}

// A value in a panel's unit: none short percent percentunit bytes bits bps Bps s ms ops reqps.
export function formatValue(v, unit, decimals) {
  if (v == null || Number.isNaN(v)) return '–';
  switch (unit) {
    case 'short':
      return scaled(v, 1000, SI, decimals, '');
    case 'percent':
      return `${fixed(v, decimals)}%`;
    case 'percentunit':
      return `${fixed(v * 100, decimals)}%`;
    case 'bytes':
      return scaled(v, 1024, IEC, decimals);
    case 'bits':
      return scaled(v, 1000, SI.map((p) => `${p}b`), decimals);
    case 'bps':
      return scaled(v, 1000, SI.map((p) => `${p}b/s`), decimals);
    case 'Bps':
      return scaled(v, 1000, SI.map((p) => `${p}B/s`), decimals);
    case 's':
      return duration(v, 1, decimals);
    case 'ms':
      return duration(v, 1e-3, decimals);
    case 'ops':
      return `${scaled(v, 1000, SI, decimals, '')} ops/s`;
    case 'reqps':
      return `${scaled(v, 1000, SI, decimals, '')} req/s`;
    default:
      return fixed(v, decimals);
  }
}

// "5m", "2h 10m", "3d 4h": how long since `since` (epoch s) at `now` (epoch s).
export function formatAge(since, now) {
  let s = Math.max(0, Math.round(now - since));
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

export function formatTime(epoch) {
  return new Date(epoch * 1000).toLocaleString();
}

// Graphite's absolute time format (HH:MM_YYYYMMDD, local time), for zoomed ranges.
export function graphiteTime(epoch) {
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}_${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

// A count of things (series): whole numbers, SI-scaled past 10k.
export function formatCount(v) {
  if (v == null) return '–';
  return v < 10000 ? String(Math.round(v)) : scaled(v, 1000, SI, undefined, '');
}

export function formatRate(v) {
  return v == null ? '–' : scaled(v, 1000, SI, v < 10 ? 2 : undefined, '');
}
