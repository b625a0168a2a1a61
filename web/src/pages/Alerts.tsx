import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import { useAlertUpdates } from '../api/live';
import type { Alert, AlertStatus, BlockList, Severity } from '../api/types';
import { SEVERITIES } from '../api/types';
import { Card, Empty, ErrorBanner, SeverityBadge } from '../components/ui';
import { countBySeverity, filterAlerts, mergeAlert, mergeAlerts, refreshAlerts, type AlertFilter } from '../lib/alerts';
import { formatAgo, formatCount, formatSI, formatTimestamp } from '../lib/format';
import { useRole } from '../lib/roles';
import { Link } from '../lib/router';

/** BGP blocks on the alerts page (API.md "Blocks"): which hosts are blocked, and the admin's buttons. */
export interface BlockActions {
  list: BlockList;
  onBlock: (ip: string) => Promise<unknown>;
  onUnblock: (ip: string) => Promise<unknown>;
}

export function AlertTable({ alerts, onResolve, blocking }: {
  alerts: Alert[]; onResolve: (id: string) => Promise<unknown>; blocking?: BlockActions;
}) {
  const { can } = useRole();
  const [busy, setBusy] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const now = Date.now();
  const resolve = (id: string) => {
    setBusy(id); setErr(null);
    onResolve(id).catch((e: Error) => setErr(e.message)).finally(() => setBusy(null));
  };
  const blocked = new Set(blocking?.list.blocks.map((b) => b.ip) ?? []);
  const drops = new Map((blocking?.list.blocks ?? []).filter((b) => b.mode === 'xdp').map((b) => [b.ip, b.drops]));
  const xdp = blocking?.list.mode === 'xdp';
  const canBlock = !!blocking?.list.enabled && can('block');
  const toggleBlock = (a: Alert) => {
    if (!blocking || !a.host) return;
    setBusy(a.id); setErr(null);
    (blocked.has(a.host) ? blocking.onUnblock(a.host) : blocking.onBlock(a.host))
      .catch((e: Error) => setErr(e.message)).finally(() => setBusy(null));
  };
  return (
    <>
      <ErrorBanner error={err} />
      <div className="table-scroll">
        <table className="table alerts" data-testid="alerts-table">
          <thead>
            <tr>
              <th>Severity</th><th>Alert</th><th>Host</th><th className="num">Value</th>
              <th className="num">Count</th><th>Last seen</th><th>Status</th><th />
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id} className={`sev-row sev-${a.severity.toLowerCase()} ${a.status}`} data-testid="alert-row"
                data-id={a.id} data-kind={a.kind} data-protocol={a.protocol ?? ''} data-status={a.status}>
                <td><SeverityBadge severity={a.severity} /></td>
                <td>
                  <div className="alert-desc"><Link to={`/alerts/${a.id}`} testId="alert-link">{a.description}</Link></div>
                  <div className="muted small">{a.kind}{a.protocol ? ` · ${a.protocol}` : ''}
                    {a.role ? <span className={`tag tag-${a.role}`} data-testid="alert-role"> · {a.role} ({a.direction})</span> : null}
                    {' '}· first {formatTimestamp(a.first_seen_ms)}
                    {a.detected_ms != null && a.detected_ms !== a.first_seen_ms
                      ? <span data-testid="alert-detected"> · detected {a.detected_ms - a.first_seen_ms} ms later</span> : null}</div>
                </td>
                <td>{a.host ? <Link to={`/hosts/${a.host}`} className="mono">{a.host}</Link> : <span className="muted">—</span>}
                  {a.host && blocked.has(a.host) ? <span className="tag tag-blocked" data-testid="alert-blocked">blocked</span> : null}
                  {a.host && drops.has(a.host) ? <div className="muted small" data-testid="alert-drops">
                    {formatCount(drops.get(a.host) ?? 0)} packets dropped inline</div> : null}</td>
                <td className="num" title={a.peak != null ? `peak ${a.peak}` : undefined}>
                  {a.value != null ? formatSI(a.value) : '—'}
                  {a.threshold != null && <span className="muted"> / {formatSI(a.threshold)}</span>}
                </td>
                <td className="num">{formatCount(a.count ?? 1)}</td>
                <td title={formatTimestamp(a.last_seen_ms)}>{formatAgo(a.last_seen_ms, now)}</td>
                <td>
                  <span className={`tag tag-${a.status}`} data-testid="alert-status">{a.status}</span>
                  {a.resolved_at_ms ? <div className="muted small">{formatAgo(a.resolved_at_ms, now)}</div> : null}
                </td>
                <td className="actions">
                  {a.status === 'open' && can('resolve') && (
                    <button className="btn btn-small" disabled={busy === a.id} onClick={() => resolve(a.id)} data-testid="resolve-button">
                      {busy === a.id ? 'Resolving…' : 'Resolve'}
                    </button>
                  )}
                  {canBlock && a.host && (
                    <button className="btn btn-small" disabled={busy === a.id} onClick={() => toggleBlock(a)}
                      data-testid={blocked.has(a.host) ? 'unblock-button' : 'block-button'}
                      title={blocked.has(a.host) ? 'Withdraw the block of this host'
                        : xdp ? 'Drop this source inline (XDP drop list)' : 'Announce a BGP block (blackhole/FlowSpec) for this host'}>
                      {blocked.has(a.host) ? 'Unblock' : 'Block'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function Alerts() {
  const api = useApi();
  const [filter, setFilter] = useState<AlertFilter>({ severity: '', status: 'open' });
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [blocks, setBlocks] = useState<BlockList | null>(null);

  useEffect(() => {
    let stop = false;
    const load = () => api.alerts({ limit: 500, ...filter })
      .then((a) => { if (!stop) { setAlerts((cur) => refreshAlerts(a, cur)); setError(null); } })
      .catch((e: Error) => !stop && setError(e.message));
    const loadBlocks = () => api.blocks().then((b) => !stop && setBlocks(b)).catch(() => undefined);
    load();
    loadBlocks();
    const t = setInterval(() => { load(); loadBlocks(); }, 5000);
    return () => { stop = true; clearInterval(t); };
  }, [api, filter]);

  useAlertUpdates((updates) => setAlerts((list) => (list ? mergeAlerts(list, updates, 1000) : list)));

  const shown = alerts ? filterAlerts(alerts, filter) : [];
  const counts = countBySeverity(shown);
  const onResolve = (id: string) => api.resolveAlert(id).then((a) => setAlerts((l) => (l ? mergeAlert(l, a) : l)));
  const blocking: BlockActions | undefined = blocks ? {
    list: blocks,
    onBlock: (ip) => api.block(ip).then(setBlocks),
    onUnblock: (ip) => api.unblock(ip).then(setBlocks),
  } : undefined;

  return (
    <div className="page">
      <ErrorBanner error={error} />
      <Card title="Alerts" testId="alerts-card" extra={
        <div className="toolbar">
          <span className="muted" data-testid="alerts-summary">
            {shown.length} shown{SEVERITIES.filter((s) => counts[s]).map((s) => ` · ${counts[s]} ${s.toLowerCase()}`).join('')}
          </span>
          <label className="inline">Severity
            <select value={filter.severity} data-testid="filter-severity"
              onChange={(e) => setFilter((f) => ({ ...f, severity: e.target.value as Severity | '' }))}>
              <option value="">All</option>
              {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label className="inline">Status
            <select value={filter.status} data-testid="filter-status"
              onChange={(e) => setFilter((f) => ({ ...f, status: e.target.value as AlertStatus | '' }))}>
              <option value="">All</option>
              <option value="open">Open</option>
              <option value="resolved">Resolved</option>
            </select>
          </label>
        </div>
      }>
        {alerts === null ? <Empty>Loading…</Empty> :
          shown.length === 0 ? <Empty>No alerts match these filters</Empty> :
            <AlertTable alerts={shown} onResolve={onResolve} blocking={blocking} />}
      </Card>
    </div>
  );
}
