import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import { useAlertUpdates, useLive } from '../api/live';
import type { Alert } from '../api/types';
import { mergeAlerts, refreshAlerts } from '../lib/alerts';
import type { Status } from '../api/types';
import { SEVERITIES } from '../api/types';
import { TimeChart } from '../components/TimeChart';
import { Card, Empty, Stat, StateDot } from '../components/ui';
import { formatAgo, formatBps, formatBytes, formatCount, formatDuration, formatPps, formatSI, shares } from '../lib/format';
import { useRole } from '../lib/roles';
import { Link } from '../lib/router';

const PROTO_COLORS: Record<string, string> = {
  tcp: '#4f9dff', udp: '#34c7a5', icmp: '#f5a524', igmp: '#c084fc', other: '#8b98a9',
};

/** Packets seen inside encapsulations, and the busiest kinds ("vxlan 12k · mpls 40"). */
function encapTotal(status: Status): number {
  return Object.values(status.totals.encapsulations ?? {}).reduce((a, b) => a + b, 0);
}
function encapSummary(status: Status): string {
  const kinds = Object.entries(status.totals.encapsulations ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return kinds.length ? kinds.slice(0, 3).map(([k, n]) => `${k} ${formatCount(n)}`).join(' · ') : 'none seen';
}

function Health({ status, error }: { status: Status | null; error: string | null }) {
  if (!status) return <Card title="Sensor health"><Empty>{error ?? 'Loading…'}</Empty></Card>;
  const dp = status.dataplane;
  const db = status.database;
  const dpTone = dp.state === 'up' ? 'ok' : dp.state === 'stale' ? 'warn' : 'bad';
  const dbTone = db.state === 'connected' ? 'ok' : db.state === 'disabled' ? 'idle' : 'bad';
  const drops = status.rates.drops_per_s;
  return (
    <Card title="Sensor health" testId="health">
      <div className="health">
        <div className="health-item">
          <div className="health-label">Dataplane</div>
          <StateDot tone={dpTone} label={dp.state.toUpperCase()} testId="health-dataplane" />
          <div className="health-sub">
            {dp.workers ?? '?'} worker{dp.workers === 1 ? '' : 's'} · up {formatDuration(dp.uptime_s)}
            {dp.heartbeat_age_ms != null && <> · heartbeat {formatSI(dp.heartbeat_age_ms)} ms</>}
          </div>
        </div>
        <div className="health-item">
          <div className="health-label">Source</div>
          <div className="health-value" data-testid="health-source">{dp.source ?? '—'}</div>
          <div className="health-sub mono" title={dp.source_name}>{dp.source_name ?? ''}</div>
        </div>
        <div className="health-item">
          <div className="health-label">Drops</div>
          <div className={`health-value ${drops > 0 ? 'text-bad' : ''}`} data-testid="health-drops">{formatSI(drops)}/s</div>
          <div className="health-sub">{formatCount(status.totals.source_drops)} total · {formatCount(status.totals.parse_errors)} parse errors</div>
        </div>
        <div className="health-item">
          <div className="health-label">Tunnels</div>
          <div className="health-value" data-testid="health-encap">{formatCount(encapTotal(status))}</div>
          <div className="health-sub" data-testid="health-encap-kinds">{encapSummary(status)}</div>
        </div>
        <div className="health-item">
          <div className="health-label">Database</div>
          <StateDot tone={dbTone} label={db.state} testId="health-database" />
          <div className={`health-sub ${db.spool_backlog > 0 ? 'text-warn' : ''}`} data-testid="health-spool">
            spool backlog {formatCount(db.spool_backlog)}
          </div>
        </div>
        <div className="health-item">
          <div className="health-label">Control</div>
          <div className="health-value">v{status.control.version}</div>
          <div className="health-sub">up {formatDuration(status.control.uptime_s)} · tick {status.control.tick_ms} ms</div>
        </div>
      </div>
      <Interfaces status={status} />
    </Card>
  );
}

/** The newest open alerts, kept current by the stream. */
function RecentAlerts() {
  const api = useApi();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  useEffect(() => {
    let stop = false;
    const load = () => api.alerts({ status: 'open', limit: 6 }).then((a) => !stop && setAlerts((cur) => refreshAlerts(a, cur))).catch(() => {});
    load();
    const t = setInterval(load, 10000);
    return () => { stop = true; clearInterval(t); };
  }, [api]);
  useAlertUpdates((updates) => setAlerts((l) => mergeAlerts(l, updates, 200)));
  const open = alerts.filter((a) => a.status === 'open').slice(0, 6);
  if (open.length === 0) return <div className="recent-empty">No open alerts</div>;
  return (
    <ul className="recent" data-testid="recent-alerts">
      {open.map((a) => (
        <li key={a.id} className={`sev-${a.severity.toLowerCase()}`}>
          <span className="recent-desc" title={a.description}>{a.description}</span>
          <span className="muted small">{formatAgo(a.last_seen_ms)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Per-interface counters when the dataplane reads several interfaces (--target eth1,eth2). */
export function Interfaces({ status }: { status: Status }) {
  const list = status.dataplane.interfaces ?? [];
  if (list.length < 2) return null;
  return (
    <table className="table" data-testid="health-interfaces">
      <thead>
        <tr><th>Interface</th><th className="num">Workers</th><th className="num">Packets</th><th className="num">Bytes</th>
          <th className="num">Drops</th><th className="num">Duplicates</th></tr>
      </thead>
      <tbody>
        {list.map((i) => (
          <tr key={i.name} data-testid={`interface-${i.name}`}>
            <td className="mono">{i.name}</td>
            <td className="num">{i.workers}</td>
            <td className="num">{formatCount(i.packets)}</td>
            <td className="num">{formatBytes(i.bytes)}</td>
            <td className={`num ${i.source_drops > 0 ? 'text-bad' : ''}`} data-testid={`interface-drops-${i.name}`}>{formatCount(i.source_drops)}</td>
            <td className="num">{formatCount(i.duplicates ?? 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One-line warnings that must be seen at a glance (sensor not healthy). */
export function healthWarnings(status: Status | null): string[] {
  if (!status) return [];
  const out: string[] = [];
  const dp = status.dataplane;
  if (dp.state === 'down') out.push('The dataplane is down: no packets are being counted.');
  else if (dp.state === 'stale') out.push(`The dataplane is not responding (heartbeat ${formatSI((dp.heartbeat_age_ms ?? 0) / 1000)} s old): rates may be stale.`);
  if (status.rates.drops_per_s > 0) out.push(`The capture source is dropping ${formatSI(status.rates.drops_per_s)} packets/s.`);
  if (status.database.state === 'disconnected') {
    out.push(`The database is disconnected; ${formatCount(status.database.spool_backlog)} records are spooled on disk.`);
  }
  return out;
}

// Resets the counters the API reports (admin only; hidden for other roles).
function ResetCounters() {
  const api = useApi();
  const { can } = useRole();
  const [state, setState] = useState<string | null>(null);
  if (!can('reset')) return null;
  const reset = () => {
    if (!window.confirm('Reset the counters the dashboard shows? (The dataplane keeps its own.)')) return;
    setState('Resetting…');
    api.resetMetrics().then(() => setState('Counters reset.'), (e: Error) => setState(e.message));
  };
  return (
    <div className="toolbar">
      <span className="spacer" />
      {state && <span className="muted" data-testid="reset-state">{state}</span>}
      <button className="btn btn-ghost btn-small" onClick={reset} data-testid="reset-metrics">Reset counters</button>
    </div>
  );
}

export function Overview() {
  const { metrics, history, status, statusError } = useLive();
  const times = history.map((p) => p.ts_ms);
  const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  const window_ = span >= 90 ? `last ${Math.round(span / 60)} min` : `last ${formatDuration(span)}`;
  const mix = shares(metrics?.protocols);
  const anomalies = metrics?.anomalies ?? {};
  const talkers = (metrics?.top_talkers ?? []).slice(0, 10);
  return (
    <div className="page">
      <ResetCounters />
      {healthWarnings(status).map((w) => (
        <div key={w} className="banner banner-warn" data-testid="health-warning">{w}</div>
      ))}
      <div className="stats">
        <Stat label="Packets / s" value={formatPps(metrics?.rates.pps)} raw={metrics?.rates.pps} testId="stat-pps"
          sub={`${formatCount(metrics?.totals.packets)} packets`} />
        <Stat label="Throughput" value={formatBps(metrics?.rates.bps)} raw={metrics?.rates.bps} testId="stat-bps"
          sub={`${formatBytes(metrics?.totals.bytes)} total`} />
        <Stat label="Active hosts" value={formatCount(metrics?.active_hosts)} testId="stat-hosts" />
        <Stat label="Connections / min" value={formatSI(metrics?.connections_per_min)} testId="stat-conn"
          sub={`${formatCount(metrics?.totals.tcp_syn)} SYNs`} />
        <Stat label="Blacklisted packets" value={formatCount(metrics?.totals.blacklisted)} testId="stat-blacklisted"
          tone={(metrics?.totals.blacklisted ?? 0) > 0 ? 'warn' : undefined} />
      </div>

      <Health status={status} error={statusError} />

      <div className="grid-2">
        <Card title="Packets per second" extra={<span className="muted">{window_}</span>}>
          <TimeChart testId="chart-pps" times={times} unit="pps"
            series={[{ label: 'pps', color: '#4f9dff', values: history.map((p) => p.pps) }]} />
        </Card>
        <Card title="Bits per second" extra={<span className="muted">{window_}</span>}>
          <TimeChart testId="chart-bps" times={times} unit="bit/s"
            series={[{ label: 'bit/s', color: '#34c7a5', values: history.map((p) => p.bps) }]} />
        </Card>
      </div>

      <div className="grid-3">
        <Card title="Alerts by severity" extra={<Link to="/alerts" className="muted">all alerts →</Link>}>
          <div className="sev-grid" data-testid="alert-counts">
            {SEVERITIES.map((s) => (
              <div key={s} className={`sev-tile sev-${s.toLowerCase()}`}>
                <div className="sev-count" data-testid={`alert-count-${s}`}>{formatCount(anomalies[s] ?? 0)}</div>
                <div className="sev-name">{s}</div>
              </div>
            ))}
          </div>
          <h3 className="subhead">Newest open alerts</h3>
          <RecentAlerts />
        </Card>
        <Card title="Protocol mix" testId="protocol-mix">
          {mix.length === 0 ? <Empty>No traffic yet</Empty> : (
            <>
              <div className="mixbar">
                {mix.map((m) => (
                  <span key={m.key} style={{ width: `${m.pct}%`, background: PROTO_COLORS[m.key] ?? '#8b98a9' }} title={`${m.key} ${m.pct.toFixed(1)}%`} />
                ))}
              </div>
              <ul className="legend">
                {mix.map((m) => (
                  <li key={m.key}>
                    <i style={{ background: PROTO_COLORS[m.key] ?? '#8b98a9' }} />
                    <span className="legend-key">{m.key.toUpperCase()}</span>
                    <span className="legend-pct">{m.pct.toFixed(1)}%</span>
                    <span className="muted">{formatCount(m.count)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Card>
        <Card title="Top talkers" extra={<Link to="/hosts" className="muted">all hosts →</Link>}>
          {talkers.length === 0 ? <Empty>No hosts yet</Empty> : (
            <table className="table compact">
              <thead><tr><th>Host</th><th className="num">pps</th><th className="num">bit/s</th></tr></thead>
              <tbody>
                {talkers.map((t) => (
                  <tr key={t.ip}>
                    <td><Link to={`/hosts/${t.ip}`} className="mono">{t.ip}</Link></td>
                    <td className="num">{formatSI(t.pps)}</td>
                    <td className="num">{formatSI(t.bps)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </div>
  );
}
