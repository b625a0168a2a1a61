import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import type { HostDetail } from '../api/types';
import { TimeChart } from '../components/TimeChart';
import { Card, Empty, ErrorBanner, Stat } from '../components/ui';
import { formatSeen, formatBps, formatBytes, formatCount, formatPps, formatSI, formatTimestamp, shares } from '../lib/format';
import { Link } from '../lib/router';
import { sortAlerts } from '../lib/alerts';
import { AlertTable } from './Alerts';

interface Pt { t: number; pps: number; bps: number }

export function HostView({ ip }: { ip: string }) {
  const api = useApi();
  const [host, setHost] = useState<HostDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [points, setPoints] = useState<Pt[]>([]);

  useEffect(() => {
    let stop = false;
    setHost(null); setPoints([]); setError(null);
    const load = () => api.host(ip).then((h) => {
      if (stop) return;
      setHost({ ...h, alerts: h.alerts ?? [], protocols: h.protocols ?? {} }); setError(null);
      setPoints((p) => [...p, { t: Date.now(), pps: h.pps, bps: h.bps }].slice(-600));
    }).catch((e: ApiError) => !stop && setError(e.status === 404 ? `Host ${ip} is not (or no longer) tracked.` : e.message));
    load();
    const t = setInterval(load, 2000);
    return () => { stop = true; clearInterval(t); };
  }, [api, ip]);

  const onResolved = (id: string) => api.resolveAlert(id).then((a) =>
    setHost((h) => h && { ...h, alerts: h.alerts.map((x) => (x.id === a.id ? a : x)) }));

  return (
    <div className="page">
      <div className="crumbs"><Link to="/hosts">Top talkers</Link> / <span className="mono" data-testid="host-ip">{ip}</span></div>
      <ErrorBanner error={error} />
      {host && (
        <>
          <div className="stats">
            <Stat label="Packets / s" value={formatPps(host.pps)} testId="host-pps" />
            <Stat label="Throughput" value={formatBps(host.bps)} testId="host-bps" />
            <Stat label="Sent" value={formatBytes(host.bytes_sent)} sub={`${formatCount(host.packets_sent)} packets`} />
            <Stat label="Received" value={formatBytes(host.bytes_recv)} sub={`${formatCount(host.packets_recv)} packets`} />
            <Stat label="SYN / min" value={formatSI(host.syn_per_min)} />
            <Stat label="Blacklisted (sent + received)" value={formatCount(host.blacklisted_packets)} tone={host.blacklisted_packets ? 'warn' : undefined} />
            <Stat label="Blacklisted sent" value={formatCount(host.blacklisted_sent ?? 0)} tone={host.blacklisted_sent ? 'warn' : undefined} />
            <Stat label="From reflector ports" value={formatCount(host.reflection_recv ?? 0)} />
          </div>
          <div className="grid-2 wide-left">
            <Card title="Rates (since this view opened)">
              <TimeChart times={points.map((p) => p.t)} unit="pps" height={200} series={[
                { label: 'pps', color: '#4f9dff', values: points.map((p) => p.pps) },
              ]} />
            </Card>
            <Card title="Details">
              <dl className="kv">
                <dt>Side</dt><dd><span className={`tag tag-${host.direction}`}>{host.direction}</span></dd>
                <dt>First seen</dt><dd>{formatTimestamp(host.first_seen_ms)}</dd>
                <dt>Last seen</dt><dd>{formatSeen(host.last_seen_ms)}</dd>
                <dt>Protocols</dt>
                <dd>{shares(host.protocols).map((s) => `${s.key.toUpperCase()} ${s.pct.toFixed(0)}%`).join(' · ') || '—'}</dd>
              </dl>
            </Card>
          </div>
          <Card title={`Alerts for ${ip}`}>
            {host.alerts.length === 0 ? <Empty>No alerts for this host</Empty> :
              <AlertTable alerts={sortAlerts(host.alerts)} onResolve={onResolved} />}
          </Card>
        </>
      )}
    </div>
  );
}
