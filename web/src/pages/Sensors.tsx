// The fleet (GET /api/sensors): every sensor of this user from the database, with its
// heartbeat, rates and open alerts; below, the stored history (alerts and metrics from the
// database) of one sensor picked from the fleet, or of all of them.
import { useState } from 'react';
import { useApi } from '../api/context';
import type { FleetSensor, Severity } from '../api/types';
import { SEVERITIES } from '../api/types';
import { TimeChart } from '../components/TimeChart';
import { Card, Empty, ErrorBanner, SeverityBadge, StateDot } from '../components/ui';
import { formatAgo, formatBps, formatPps, formatTimestamp } from '../lib/format';
import { usePoll } from '../lib/usePoll';

/** "2 HIGH · 1 LOW", or "none". */
export function openAlertsText(s: FleetSensor): string {
  const parts = SEVERITIES.filter((sev) => s.open_alerts[sev] > 0)
    .map((sev) => `${s.open_alerts[sev]} ${sev}`);
  return parts.length ? parts.join(' · ') : 'none';
}

/** The highest severity among a sensor's open alerts, or null. */
export function worstSeverity(s: FleetSensor): Severity | null {
  return SEVERITIES.find((sev) => s.open_alerts[sev] > 0) ?? null;
}

function SensorTable({ sensors, staleAfter }: { sensors: FleetSensor[]; staleAfter: number }) {
  return (
    <table className="table" data-testid="sensors-table">
      <thead>
        <tr><th>Sensor</th><th>Status</th><th>Interface</th><th>Version</th><th>Last seen</th>
          <th className="num">pps</th><th className="num">bit/s</th><th>Open alerts</th></tr>
      </thead>
      <tbody>
        {sensors.map((s) => {
          const worst = worstSeverity(s);
          return (
            <tr key={s.id} data-testid="sensor-row">
              <td><div data-testid="sensor-name">{s.name}</div><div className="mono small muted">{s.id}</div></td>
              <td>
                <StateDot tone={s.status === 'up' ? 'ok' : 'bad'} testId="sensor-status"
                  label={s.status === 'up' ? 'up' : `stale (no heartbeat for ${staleAfter}s)`} />
              </td>
              <td className="mono">{s.interface ?? '—'}</td>
              <td>{s.version ?? '—'}</td>
              <td title={formatTimestamp(s.last_seen_ms)}>{formatAgo(s.last_seen_ms)}</td>
              <td className="num">{formatPps(s.pps)}</td>
              <td className="num">{formatBps(s.bps)}</td>
              <td data-testid="sensor-alerts">
                {worst && <SeverityBadge severity={worst} />} {openAlertsText(s)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const PERIODS = [{ s: 3600, label: '1 hour' }, { s: 86400, label: '24 hours' }, { s: 7 * 86400, label: '7 days' }];

function StoredHistory({ sensors }: { sensors: FleetSensor[] }) {
  const api = useApi();
  const [sensor, setSensor] = useState('');
  const [seconds, setSeconds] = useState(3600);
  const alerts = usePoll(() => api.storedAlerts({ sensor: sensor || undefined, limit: 100 }), 10000, [sensor]);
  const points = usePoll(() => api.storedHistory(seconds, sensor || undefined), 10000, [sensor, seconds]);
  const nameOf = (id: string | null | undefined) => sensors.find((s) => s.id === id)?.name ?? id ?? '—';
  const error = alerts.error?.message ?? points.error?.message ?? null;
  const pts = points.data ?? [];
  return (
    <Card title="Stored history" testId="stored-history" extra={
      <div className="toolbar">
        <label className="inline">Sensor
          <select value={sensor} data-testid="sensor-picker" onChange={(e) => setSensor(e.target.value)}>
            <option value="">All sensors</option>
            {sensors.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
        <label className="inline">Period
          <select value={seconds} data-testid="history-period" onChange={(e) => setSeconds(Number(e.target.value))}>
            {PERIODS.map((p) => <option key={p.s} value={p.s}>{p.label}</option>)}
          </select>
        </label>
      </div>
    }>
      <ErrorBanner error={error} />
      {pts.length === 0 ? <Empty>No stored metrics in this period</Empty> : (
        <TimeChart testId="stored-chart" unit="pps" times={pts.map((p) => p.ts_ms)}
          series={[{ label: 'pps', color: '#4f8cff', values: pts.map((p) => p.pps) }]} />
      )}
      {alerts.data === null ? <Empty>Loading…</Empty> : alerts.data.length === 0 ? <Empty>No stored alerts</Empty> : (
        <table className="table" data-testid="stored-alerts">
          <thead><tr><th>Severity</th><th>Sensor</th><th>Kind</th><th>Host</th><th>Status</th><th>Last seen</th><th>Description</th></tr></thead>
          <tbody>
            {alerts.data.map((a) => (
              <tr key={a.id} data-testid="stored-alert-row">
                <td><SeverityBadge severity={a.severity} /></td>
                <td data-testid="stored-alert-sensor">{nameOf(a.sensor_id)}</td>
                <td>{a.kind}</td>
                <td className="mono">{a.host ?? '—'}</td>
                <td>{a.status}</td>
                <td>{formatTimestamp(a.last_seen_ms)}</td>
                <td className="small">{a.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

export function Sensors() {
  const api = useApi();
  const fleet = usePoll(() => api.sensors(), 5000);
  const sensors = fleet.data?.sensors ?? [];
  const up = sensors.filter((s) => s.status === 'up').length;
  return (
    <div className="page">
      <ErrorBanner error={fleet.error?.message ?? null} />
      <Card title="Sensors" testId="sensors-card" extra={
        fleet.data && <span className="muted" data-testid="sensors-summary">{up} of {sensors.length} up</span>
      }>
        {!fleet.data ? <Empty>Loading…</Empty> : sensors.length === 0 ? <Empty>No sensors have written to the database yet</Empty> :
          <SensorTable sensors={sensors} staleAfter={fleet.data.stale_after_s} />}
      </Card>
      {fleet.data && <StoredHistory sensors={sensors} />}
    </div>
  );
}
