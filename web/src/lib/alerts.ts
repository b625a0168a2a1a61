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

/** Inserts or replaces one alert (by id) and returns a new, sorted list. */
export function mergeAlert(alerts: Alert[], update: Alert): Alert[] {
  const rest = alerts.filter((a) => a.id !== update.id);
  return sortAlerts([update, ...rest]);
}

export function countBySeverity(alerts: Alert[]): Record<Severity, number> {
  const out: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const a of alerts) if (a.severity in out) out[a.severity]++;
  return out;
}
