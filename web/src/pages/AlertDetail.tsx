// One alert (issue 16 item 2): its value against the threshold, the host's rates and top
// peers and ports in the attack capture, the captured packets (decoded by the sensor), the
// pcap download (operator role) and the actions taken for it (when the sensor reports them).
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import type { Alert, AlertAction, AlertBreakdown, BlockList, CaptureView } from '../api/types';
import { TimeChart } from '../components/TimeChart';
import { Card, Empty, ErrorBanner, SeverityBadge, Stat } from '../components/ui';
import { formatBps, formatBytes, formatCount, formatPps, formatSI, formatTimestamp } from '../lib/format';
import { useRole } from '../lib/roles';
import { Link } from '../lib/router';

function nsTime(ns: number): string {
  const d = new Date(ns / 1e6);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(Math.floor((ns % 1e9) / 1e3)).padStart(6, '0')}`;
}

function TopTable({ title, rows, testId }: { title: string; rows: CaptureView['top_peers']; testId: string }) {
  return (
    <Card title={title} testId={testId}>
      {rows.length === 0 ? <Empty>None</Empty> : (
        <table className="table"><tbody>
          {rows.map((r) => (
            <tr key={r.key}><td className="mono">{r.key}</td><td className="num">{formatCount(r.packets)} pkts</td>
              <td className="num">{formatBytes(r.bytes)}</td></tr>
          ))}
        </tbody></table>
      )}
    </Card>
  );
}

function Packets({ view }: { view: CaptureView }) {
  return (
    <Card title={`Packets (${formatCount(view.packets.length)} of ${formatCount(view.total)})`} testId="capture-packets">
      <div className="table-scroll" style={{ maxHeight: 480, overflowY: 'auto' }}>
        <table className="table" data-testid="packets-table">
          <thead><tr><th>Time</th><th>Source</th><th>Destination</th><th>Protocol</th><th className="num">Ports</th>
            <th>Flags</th><th className="num">Length</th></tr></thead>
          <tbody>
            {view.packets.map((p, i) => (
              <tr key={i} data-testid="packet-row" className={view.summary && i < view.summary.samples ? 'muted' : ''}>
                <td className="mono">{nsTime(p.ts_ns)}</td><td className="mono">{p.src}</td><td className="mono">{p.dst}</td>
                <td>{p.protocol}</td><td className="num">{p.sport || p.dport ? `${p.sport} → ${p.dport}` : '—'}</td>
                <td>{p.flags || '—'}</td><td className="num">{p.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {view.summary && view.summary.samples > 0 &&
        <div className="muted small">The first {view.summary.samples} rows (dimmed) are sampled packets from before the alert (headers only).</div>}
    </Card>
  );
}

/** A breakdown row's label: protocol and the service port that keys it. */
export function breakdownLabel(b: AlertBreakdown): string {
  if (b.src_port != null) return `${b.protocol} from port ${b.src_port}`;
  if (b.dst_port != null) return `${b.protocol} to port ${b.dst_port}`;
  return b.protocol;
}

/** A victim alert's top sources and protocol/port breakdown (issue 13 item 2), from the
 * sensor's packet samples. */
export function VictimProfile({ alert }: { alert: Alert }) {
  if (alert.role !== 'victim' || !alert.top_sources || !alert.breakdown) return null;
  const n = alert.profile_samples ?? 0;
  const share = (p: number) => (n > 0 ? ` (${Math.round((100 * p) / n)}%)` : '');
  return (
    <div className="grid-2" data-testid="victim-profile">
      <Card title={`Top sources (${formatCount(n)} sampled packets)`} testId="top-sources">
        {alert.top_sources.length === 0 ? <Empty>No sampled packet to this host yet.</Empty> : (
          <table className="table"><tbody>
            {alert.top_sources.map((s) => (
              <tr key={s.ip} data-testid="top-source-row"><td className="mono">{s.ip}</td>
                <td className="num">{formatCount(s.packets)} pkts{share(s.packets)}</td></tr>
            ))}
          </tbody></table>
        )}
      </Card>
      <Card title={`Breakdown${alert.attack_type ? ` · ${alert.attack_type}` : ''}`} testId="breakdown">
        {alert.breakdown.length === 0 ? <Empty>No sampled packet to this host yet.</Empty> : (
          <table className="table"><tbody>
            {alert.breakdown.map((b) => (
              <tr key={breakdownLabel(b)} data-testid="breakdown-row"><td>{breakdownLabel(b)}</td>
                <td className="num">{formatCount(b.packets)} pkts{share(b.packets)}</td></tr>
            ))}
          </tbody></table>
        )}
      </Card>
    </div>
  );
}

interface ActionRow { what: string; target: string; result: string; detail: string; at_ms: number }

/** The BGP blocks of this alert (active ones it caused, and the recent announce/withdraw/refusals of its host). */
function blockRows(b: BlockList | null, id: string, host?: string | null): ActionRow[] {
  if (!b) return [];
  const rows: ActionRow[] = b.blocks.filter((x) => x.alert_id === id || (x.alert_id === null && x.ip === host)).map((x) => ({
    what: `block (${x.mode})`, target: x.prefix, result: x.state, at_ms: x.since_ms,
    detail: x.mode === 'xdp' && x.drops != null ? `${formatCount(x.drops)} packets dropped${x.result ? ` · ${x.result}` : ''}` : x.result ?? '',
  }));
  for (const r of b.recent) {
    if (host && r.ip === host) rows.push({ what: r.action, target: r.ip, result: r.result, detail: r.reason, at_ms: r.at_ms });
  }
  return rows;
}

/** Notifications sent for the alert and its blocks, oldest first. */
function ActionRows({ actions, rows }: { actions: AlertAction[]; rows: ActionRow[] }) {
  const all: ActionRow[] = [
    ...actions.map((a) => ({
      what: `${a.type} ${a.event}`, target: a.channel,
      result: a.attempts > 1 ? `${a.result} (${a.attempts} attempts)` : a.result, detail: a.detail ?? '', at_ms: a.time_ms,
    })),
    ...rows,
  ].sort((x, y) => x.at_ms - y.at_ms);
  if (all.length === 0) return <Empty>none</Empty>;
  return (
    <table className="table"><tbody>
      {all.map((a, i) => (
        <tr key={i} data-testid="action-row"><td>{a.what}</td><td className="mono">{a.target}</td>
          <td>{a.result}</td><td className="muted">{a.detail}</td><td>{a.at_ms ? formatTimestamp(a.at_ms) : ''}</td></tr>
      ))}
    </tbody></table>
  );
}

/** The admin's Block/Unblock button for the alert's host (POST/DELETE /api/blocks). */
function BlockButton({ host, blocks, onChange, onError }: {
  host: string; blocks: BlockList; onChange: (b: BlockList) => void; onError: (e: string) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const blocked = blocks.blocks.some((b) => b.ip === host);
  const click = () => {
    setBusy(true);
    (blocked ? api.unblock(host) : api.block(host)).then(onChange)
      .catch((e: Error) => onError(e.message)).finally(() => setBusy(false));
  };
  return (
    <button className="btn btn-small" disabled={busy} onClick={click} data-testid={blocked ? 'detail-unblock' : 'detail-block'}
      title={blocks.mode === 'xdp' ? 'The inline XDP drop list drops this source' : 'A BGP block of this host'}>
      {blocked ? 'Unblock' : 'Block'} {host}
    </button>
  );
}

export function AlertDetail({ id }: { id: string }) {
  const api = useApi();
  const { can } = useRole();
  const [alert, setAlert] = useState<Alert | null>(null);
  const [view, setView] = useState<CaptureView | null | undefined>(undefined);  // null: no capture
  const [actions, setActions] = useState<AlertAction[] | null>(null);
  const [blocks, setBlocks] = useState<BlockList | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stop = false;
    const load = () => {
      api.alert(id).then((a) => !stop && setAlert(a))
        .catch((e: ApiError) => !stop && setError(e.status === 404 ? `Alert ${id} is not (or no longer) in the sensor's memory.` : e.message));
      api.alertCapture(id).then((v) => !stop && setView(v))
        .catch((e: ApiError) => !stop && setView(e.status === 404 ? null : undefined));
      api.alertActions(id).then((r) => !stop && setActions(r.actions ?? []))
        .catch(() => !stop && setActions([]));
      api.blocks().then((b) => !stop && setBlocks(b)).catch(() => !stop && setBlocks(null));
    };
    load();
    const t = setInterval(load, 5000);
    return () => { stop = true; clearInterval(t); };
  }, [api, id]);

  const download = () => api.alertPcap(id).then((blob) => {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url; a.download = `alert-${id}.pcap`; a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }).catch((e: Error) => setError(e.message));

  const pts = view?.timeline.points ?? [];
  const perS = 1000 / (view?.timeline.bin_ms || 1000);
  return (
    <div className="page">
      <div className="crumbs"><Link to="/alerts">Alerts</Link> / <span className="mono" data-testid="alert-id">{id}</span></div>
      <ErrorBanner error={error} />
      {alert && (
        <>
          <Card title={<><SeverityBadge severity={alert.severity} /> {alert.description}</>} testId="alert-detail">
            <dl className="kv">
              <dt>Kind</dt><dd>{alert.kind}{alert.protocol ? ` · ${alert.protocol}` : ''}</dd>
              <dt>Host</dt><dd>{alert.host ? <Link to={`/hosts/${alert.host}`} className="mono">{alert.host}</Link> : '—'}</dd>
              <dt>Direction / role</dt><dd data-testid="alert-role">{alert.direction ? `${alert.direction} · ${alert.role}` : '—'}</dd>
              {alert.attack_type && <><dt>Attack type</dt><dd data-testid="alert-attack-type">{alert.attack_type}</dd></>}
              <dt>Value / threshold</dt><dd data-testid="alert-value">{formatSI(alert.value)} / {formatSI(alert.threshold)} (peak {formatSI(alert.peak)})</dd>
              <dt>Status</dt><dd>{alert.status}</dd>
              <dt>First / last seen</dt><dd>{formatTimestamp(alert.first_seen_ms)} · {formatTimestamp(alert.last_seen_ms)}</dd>
            </dl>
          </Card>
          <VictimProfile alert={alert} />
          {view && (
            <>
              <div className="stats">
                <Stat label="Sent" value={formatPps(view.sent.pps)} sub={`${formatBps(view.sent.bps)} · ${formatCount(view.sent.packets)} pkts`} testId="capture-sent" />
                <Stat label="Received" value={formatPps(view.received.pps)} sub={`${formatBps(view.received.bps)} · ${formatCount(view.received.packets)} pkts`} testId="capture-received" />
                <Stat label="Captured" value={formatCount(view.summary?.packets ?? 0)} sub={`${formatBytes(view.summary?.bytes ?? 0)} in ${view.span_s.toFixed(1)} s`} testId="capture-count" />
              </div>
              <Card title="The host's packet rate in the capture against the threshold">
                <TimeChart times={pts.map((p) => p.t_ms)} unit="pps" height={200} series={[
                  { label: 'sent pps', color: '#4f9dff', values: pts.map((p) => p.sent * perS) },
                  { label: 'received pps', color: '#9b7bff', values: pts.map((p) => p.received * perS) },
                  ...(alert.threshold ? [{ label: 'threshold', color: '#ff6b6b', values: pts.map(() => alert.threshold ?? null) }] : []),
                ]} />
              </Card>
              <div className="grid-2">
                <TopTable title="Top peers" rows={view.top_peers} testId="top-peers" />
                <TopTable title="Top ports" rows={view.top_ports} testId="top-ports" />
              </div>
            </>
          )}
          <Card title="Capture" testId="capture-card" extra={view && can('pcap') ?
            <button className="btn btn-small" onClick={download} data-testid="pcap-download">Download pcap</button> : undefined}>
            {view === undefined ? <Empty>Loading…</Empty> : view === null ?
              <Empty>No capture for this alert (one capture runs at a time, for host alerts).</Empty> :
              <Packets view={view} />}
          </Card>
          <Card title="Actions" testId="alert-actions" extra={blocks?.enabled && can('block') && alert.host ?
            <BlockButton host={alert.host} blocks={blocks} onChange={setBlocks} onError={setError} /> : undefined}>
            <ActionRows actions={actions ?? []} rows={blockRows(blocks, id, alert.host)} />
          </Card>
        </>
      )}
    </div>
  );
}
