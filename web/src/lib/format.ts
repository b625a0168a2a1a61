// Number and time formatting for the dashboard (pure functions, unit-tested).

const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P'];

/** 1234 -> "1.23 k", 0.5 -> "0.50", NaN/undefined -> "—" (SI, base 1000). */
export function formatSI(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < PREFIXES.length - 1) { v /= 1000; i++; }
  const digits = v >= 100 || (i === 0 && Number.isInteger(v)) ? 0 : v >= 10 ? 1 : 2;
  const sign = value < 0 ? '-' : '';
  const prefixUnit = `${PREFIXES[i]}${unit}`;
  return `${sign}${v.toFixed(digits)}${prefixUnit ? ' ' + prefixUnit : ''}`;
}

export const formatPps = (pps: number | null | undefined) => formatSI(pps, 'pps');
export const formatBps = (bps: number | null | undefined) => formatSI(bps, 'bit/s');
export const formatBytes = (bytes: number | null | undefined) => formatSI(bytes, 'B');

/** Integer with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds -> "45s", "3m 05s", "2h 07m", "3d 04h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** Epoch ms relative to now: "just now", "12s ago", "5m ago", "3h ago", "2d ago". */
export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return '—';
  const d = Math.max(0, (now - ms) / 1000);
  if (d < 2) return 'just now';
  if (d < 60) return `${Math.floor(d)}s ago`;
  if (d < 3600) return `${Math.floor(d / 60)}m ago`;
  if (d < 86400) return `${Math.floor(d / 3600)}h ago`;
  return `${Math.floor(d / 86400)}d ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms -> local "YYYY-MM-DD HH:MM:SS". */
export function formatTimestamp(ms: number | null | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Percentages of a counter map, largest first; empty when the total is 0. */
export function shares(counts: Record<string, number> | undefined): { key: string; count: number; pct: number }[] {
  if (!counts) return [];
  const entries = Object.entries(counts).filter(([, v]) => Number.isFinite(v) && v > 0);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  if (total <= 0) return [];
  return entries
    .map(([key, count]) => ({ key, count, pct: (100 * count) / total }))
    .sort((a, b) => b.count - a.count);
}

/** "12s ago" when within a day of now, else the timestamp (replayed captures carry old times). */
export function formatSeen(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return '—';
  return Math.abs(now - ms) < 86_400_000 ? formatAgo(ms, now) : formatTimestamp(ms);
}
