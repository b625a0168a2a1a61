// Alert list helpers: filtering, ordering and merging live updates (pure, unit-tested).
import type { Alert, AlertStatus, Severity } from '../api/types';

export interface AlertFilter { severity: Severity | ''; status: AlertStatus | '' }

export const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1 };

export function filterAlerts(alerts: Alert[], f: AlertFilter): Alert[] {
  return alerts.filter((a) => (!f.severity || a.severity === f.severity) && (!f.status || a.status === f.status));
}

/** Newest first (by last activity), then by severity, then id for a stable order. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) =>
    (b.last_seen_ms - a.last_seen_ms) ||
    ((SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0)) ||
    a.id.localeCompare(b.id));
}

/**
 * Which of two states of the same alert (same id) is the newer one. Live updates may arrive
 * out of order (stream vs. REST answers, reconnects), so the newest state must win, not the
 * last one received. Rule, in this order:
 *   1. higher `last_seen_ms` wins;
 *   2. same `last_seen_ms`: `resolved` beats `open` (the sensor never reopens an alert id);
 *   3. same status: higher `count` wins (a missing count counts as 0);
 *   4. still equal: the `update` (b) wins, so re-sending the same state is harmless.
 */
export function newerAlert(current: Alert, update: Alert): Alert {
  const d = (update.last_seen_ms - current.last_seen_ms) ||
    (statusRank(update) - statusRank(current)) ||
    ((update.count ?? 0) - (current.count ?? 0));
  return d < 0 ? current : update;
}

function statusRank(a: Alert): number { return a.status === 'resolved' ? 1 : 0; }

/** Inserts or replaces one alert (by id, keeping its newest state) and returns a new, sorted list. */
export function mergeAlert(alerts: Alert[], update: Alert): Alert[] {
  return mergeAlerts(alerts, [update]);
}

/**
 * Merges a batch of updates (in arrival order) into a list, keeping the newest state per id
 * (see newerAlert); returns a new list, sorted, at most `max` long (the most recent ones).
 */
export function mergeAlerts(alerts: Alert[], updates: readonly Alert[], max = Infinity): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of alerts) byId.set(a.id, a);
  for (const u of updates) {
    const cur = byId.get(u.id);
    byId.set(u.id, cur ? newerAlert(cur, u) : u);
  }
  const sorted = sortAlerts([...byId.values()]);
  return sorted.length > max ? sorted.slice(0, max) : sorted;
}

/**
 * A fresh REST snapshot replacing a list: the snapshot decides which alerts are listed, but an
 * alert the list already holds in a newer state (a live update that overtook the request)
 * keeps that state.
 */
export function refreshAlerts(snapshot: readonly Alert[], current: readonly Alert[] | null): Alert[] {
  if (!current?.length) return sortAlerts([...snapshot]);
  const byId = new Map(current.map((a) => [a.id, a]));
  return sortAlerts(snapshot.map((a) => { const cur = byId.get(a.id); return cur ? newerAlert(a, cur) : a; }));
}

export function countBySeverity(alerts: Alert[]): Record<Severity, number> {
  const out: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const a of alerts) if (a.severity in out) out[a.severity]++;
  return out;
}
