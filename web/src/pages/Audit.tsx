// The audit log (GET /api/audit, admin only): who did what, when, from where; newest first,
// one page at a time ("Older" follows next_before).
import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import type { AuditEntry } from '../api/types';
import { Card, Empty, ErrorBanner } from '../components/ui';
import { formatTimestamp } from '../lib/format';

const LABELS: Record<AuditEntry['action'], string> = {
  config_change: 'Config change',
  alert_resolve: 'Alert resolved',
  metrics_reset: 'Counters reset',
  login_success: 'Login',
  login_failure: 'Failed login',
  logout: 'Logout',
  block: 'Block',
  unblock: 'Unblock',
  block_refused: 'Block refused',
  capture_analysed: 'Capture analysed',
};

/** One line saying what changed: the config fields whose values differ, the alert, the reason. */
export function describe(e: AuditEntry): string {
  const d = e.details ?? {};
  if (e.action === 'config_change') {
    const before = (d.before ?? {}) as Record<string, unknown>;
    const after = (d.after ?? {}) as Record<string, unknown>;
    const changed = Object.keys(after).filter((k) => k !== 'updated_at_ms' &&
      JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return changed.length ? changed.map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`).join('; ')
      : 'no field changed';
  }
  if (e.action === 'alert_resolve') return `${String(d.kind ?? 'alert')} on ${String(d.host ?? '?')} (${String(d.alert_id ?? '')})`;
  if (e.action === 'login_failure') return `reason: ${String(d.reason ?? 'unknown')}`;
  if (e.action === 'login_success') return `role: ${String(d.role ?? 'viewer')}`;
  if (e.action === 'capture_analysed') {
    return `${String(d.outcome ?? '?')}: ${String(d.file_bytes ?? 0)} bytes, ${String(d.packets ?? 0)} packets, ${String(d.alerts ?? 0)} alert(s)`;
  }
  if (e.action === 'block' || e.action === 'unblock' || e.action === 'block_refused') {
    const alertId = d.alert_id ? ` (alert ${String(d.alert_id)})` : '';
    return `${String(d.ip ?? '?')} by ${String(d.mode ?? '?')}: ${String(d.reason ?? '')}${alertId}`;
  }
  if (e.action === 'logout') return `${String(d.refresh_tokens_revoked ?? 0)} refresh token(s) revoked`;
  return '';
}

export function Audit() {
  const api = useApi();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (before?: string) => {
    api.audit({ limit: 100, before }).then((p) => {
      setEntries((l) => (before && l ? [...l, ...p.entries] : p.entries));
      setNext(p.next_before);
      setError(null);
    }, (e: Error) => setError(e.message));
  };
  useEffect(() => { load(); }, [api]);  // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="page">
      <ErrorBanner error={error} />
      <Card title="Audit log">
        {!entries ? <Empty>Loading…</Empty> : entries.length === 0 ? <Empty>No entries yet</Empty> : (
          <table className="table" data-testid="audit-table">
            <thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>What</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td>{formatTimestamp(e.at_ms)}</td>
                  <td>{e.actor_email ?? e.actor_id ?? '—'}</td>
                  <td className="mono">{e.source_addr ?? '—'}</td>
                  <td data-testid="audit-action">{LABELS[e.action] ?? e.action}</td>
                  <td className="small">{describe(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && <button className="btn btn-ghost" data-testid="audit-older" onClick={() => load(next)}>Older</button>}
      </Card>
    </div>
  );
}
