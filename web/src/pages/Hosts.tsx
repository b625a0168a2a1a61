import { useState } from 'react';
import { useApi } from '../api/context';
import type { Host } from '../api/types';
import { Card, Empty, ErrorBanner } from '../components/ui';
import { formatBytes, formatCount, formatSeen, formatSI } from '../lib/format';
import { useRouter } from '../lib/router';
import { usePoll } from '../lib/usePoll';

type Col = { key: keyof Host | 'total_bytes'; label: string; num?: boolean; get: (h: Host) => number | string };

const COLS: Col[] = [
  { key: 'ip', label: 'Host', get: (h) => h.ip },
  { key: 'direction', label: 'Side', get: (h) => h.direction },
  { key: 'pps', label: 'pps', num: true, get: (h) => h.pps },
  { key: 'bps', label: 'bit/s', num: true, get: (h) => h.bps },
  { key: 'packets_sent', label: 'Pkts sent', num: true, get: (h) => h.packets_sent },
  { key: 'packets_recv', label: 'Pkts recv', num: true, get: (h) => h.packets_recv },
  { key: 'total_bytes', label: 'Bytes', num: true, get: (h) => h.bytes_sent + h.bytes_recv },
  { key: 'syn_per_min', label: 'SYN/min', num: true, get: (h) => h.syn_per_min },
  { key: 'blacklisted_packets', label: 'Blacklisted', num: true, get: (h) => h.blacklisted_packets },
  { key: 'last_seen_ms', label: 'Last seen', num: true, get: (h) => h.last_seen_ms },
];

// The columns the server can rank by (so the top 500 are the right 500).
const SERVER_SORT: Partial<Record<Col['key'], string>> = {
  pps: 'pps', bps: 'bps', packets_sent: 'packets', packets_recv: 'packets',
  total_bytes: 'bytes', syn_per_min: 'conn_per_min',
};

export function sortHosts(hosts: Host[], key: Col['key'], desc: boolean): Host[] {
  const col = COLS.find((c) => c.key === key) ?? COLS[2];
  return [...hosts].sort((a, b) => {
    const x = col.get(a), y = col.get(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
    return desc ? -c : c;
  });
}

function cell(c: Col, h: Host, now: number) {
  switch (c.key) {
    case 'ip': return <span className="mono">{h.ip}</span>;
    case 'direction': return <span className={`tag tag-${h.direction}`}>{h.direction}</span>;
    case 'total_bytes': return formatBytes(h.bytes_sent + h.bytes_recv);
    case 'last_seen_ms': return formatSeen(h.last_seen_ms, now);
    case 'blacklisted_packets': return h.blacklisted_packets ? <span className="text-warn">{formatCount(h.blacklisted_packets)}</span> : '0';
    case 'pps': case 'bps': case 'syn_per_min': return formatSI(c.get(h) as number);
    default: return formatCount(c.get(h) as number);
  }
}

export function Hosts() {
  const api = useApi();
  const { navigate } = useRouter();
  const [sort, setSort] = useState<{ key: Col['key']; desc: boolean }>({ key: 'pps', desc: true });
  const [q, setQ] = useState('');
  const serverSort = SERVER_SORT[sort.key] ?? 'pps';
  const { data, error } = usePoll(() => api.hosts(serverSort, 500), 3000, [serverSort]);
  const hosts = sortHosts((data?.hosts ?? []).filter((h) => h.ip.includes(q.trim())), sort.key, sort.desc);
  const now = Date.now();
  const clickHead = (key: Col['key']) =>
    setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'ip' && key !== 'direction' }));
  return (
    <div className="page">
      <ErrorBanner error={error?.message ?? null} />
      <Card title="Top talkers" testId="hosts-card" extra={
        <div className="toolbar">
          <span className="muted">{formatCount(data?.total)} hosts tracked</span>
          <input className="search" placeholder="Filter by IP…" value={q} onChange={(e) => setQ(e.target.value)} data-testid="hosts-filter" />
        </div>
      }>
        {data && hosts.length === 0 ? <Empty>No hosts seen yet</Empty> : (
          <div className="table-scroll">
            <table className="table hover" data-testid="hosts-table">
              <thead>
                <tr>
                  {COLS.map((c) => (
                    <th key={c.key} className={`${c.num ? 'num' : ''} sortable ${sort.key === c.key ? 'sorted' : ''}`}
                      onClick={() => clickHead(c.key)} data-testid={`sort-${c.key}`}>
                      {c.label}{sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {hosts.map((h) => (
                  <tr key={h.ip} onClick={() => navigate(`/hosts/${h.ip}`)} data-testid="host-row" data-ip={h.ip}>
                    {COLS.map((c) => <td key={c.key} className={c.num ? 'num' : ''}>{cell(c, h, now)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
