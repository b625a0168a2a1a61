// The blocks (GET /api/blocks, API.md "Blocks"): what is blocked now (BGP blackhole/FlowSpec or
// the inline XDP drop list), the recent announces, withdrawals and refusals, and the hourly cap.
// Everyone reads it; admins block an address or prefix and unblock (POST/DELETE /api/blocks).
import { useState } from 'react';
import { useApi } from '../api/context';
import type { Block, BlockList } from '../api/types';
import { Card, Empty, ErrorBanner, Stat } from '../components/ui';
import { formatCount, formatTimestamp } from '../lib/format';
import { useRole } from '../lib/roles';
import { usePoll } from '../lib/usePoll';
import { BlockForm } from './BlockForm';

/** The xdp drop count, "not applied yet" before the dataplane took it, "—" for BGP blocks. */
export function dropsText(b: Block): string {
  if (b.mode !== 'xdp') return '—';
  return b.drops === null || b.drops === undefined ? 'not applied yet' : formatCount(b.drops);
}

function BlockTable({ list, onUnblock, busy }: {
  list: BlockList; onUnblock?: (b: Block) => void; busy: string | null;
}) {
  if (list.blocks.length === 0) return <Empty>Nothing is blocked.</Empty>;
  return (
    <table className="table" data-testid="blocks-table">
      <thead>
        <tr><th>Address / prefix</th><th>Mode</th><th>State</th><th>Reason</th><th>By</th><th>Since</th>
          <th>Expires</th><th className="num">Dropped (xdp)</th>{onUnblock && <th />}</tr>
      </thead>
      <tbody>
        {list.blocks.map((b) => (
          <tr key={b.ip} data-testid="block-row">
            <td className="mono" data-testid="block-name">{b.ip}{b.prefix !== b.ip && !b.ip.includes('/')
              ? <div className="small muted">{b.prefix}</div> : null}</td>
            <td data-testid="block-mode-cell">{b.mode}{b.match ? <div className="small muted">{b.match}{b.protocol ? ` ${b.protocol}` : ''}</div> : null}</td>
            <td data-testid="block-state">
              <span className={`tag ${b.state === 'failed' ? 'tag-blocked' : b.state === 'active' ? 'tag-resolved' : 'tag-open'}`}>{b.state}</span>
              {b.state === 'failed' && b.result ? <div className="small text-bad" data-testid="block-result">{b.result}</div> : null}
            </td>
            <td className="small">{b.reason}</td>
            <td className="small">{b.by ?? '—'}</td>
            <td className="small">{formatTimestamp(b.since_ms)}</td>
            <td className="small">{b.expires_ms ? formatTimestamp(b.expires_ms) : 'when resolved / unblocked'}</td>
            <td className="num" data-testid="block-drops">{dropsText(b)}</td>
            {onUnblock && <td>
              <button className="btn btn-small" disabled={busy === b.ip} onClick={() => onUnblock(b)}
                data-testid="block-unblock">Unblock</button>
            </td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RecentTable({ recent }: { recent: BlockList['recent'] }) {
  if (recent.length === 0) return <Empty>No announcements, withdrawals or refusals yet.</Empty>;
  return (
    <table className="table" data-testid="recent-table">
      <thead><tr><th>When</th><th>Action</th><th>Address / prefix</th><th>Reason</th><th>By</th><th>Result</th></tr></thead>
      <tbody>
        {recent.map((r, i) => (
          <tr key={`${r.at_ms}-${r.ip}-${i}`} data-testid="recent-row">
            <td className="small">{formatTimestamp(r.at_ms)}</td>
            <td><span className={`tag ${r.action === 'refused' ? 'tag-blocked' : ''}`} data-testid="recent-action">{r.action}</span></td>
            <td className="mono">{r.ip}</td>
            <td className="small">{r.reason}</td>
            <td className="small">{r.by ?? '—'}</td>
            <td className="small" data-testid="recent-result">{r.result}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Disabled() {
  return (
    <div className="banner banner-warn" data-testid="blocks-disabled">
      Blocking is disabled on this sensor: nothing is announced or dropped, and nothing can be blocked
      from here. To enable it, start <span className="mono">securenet-control --block-config FILE</span> with
      <span className="mono"> "enabled": true</span> in that file (README "Responding to attacks").
    </div>
  );
}

export function Blocks() {
  const api = useApi();
  const { can } = useRole();
  const { data: list, error: loadError, setData } = usePoll(() => api.blocks(), 5000, [api]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const admin = can('block');

  const unblock = (b: Block) => {
    if (!window.confirm(`Unblock ${b.ip} (${b.mode})?`)) return;
    setBusy(b.ip);
    api.unblock(b.ip).then((l) => { setData(l); setError(null); })
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(null));
  };

  return (
    <div className="page">
      <ErrorBanner error={error ?? loadError?.message ?? null} />
      {!list ? <Empty>Loading…</Empty> : (
        <>
          {!list.enabled && <Disabled />}
          <div className="stats">
            <Stat label="Blocking" value={list.enabled ? 'enabled' : 'disabled'} testId="blocks-enabled"
              tone={list.enabled ? 'ok' : 'warn'} />
            <Stat label="Mode" value={list.mode} testId="blocks-mode" />
            <Stat label="Announcements (last hour)" testId="blocks-cap"
              value={`${list.announcements_last_hour} / ${list.max_announcements_per_hour}`}
              tone={list.announcements_last_hour >= list.max_announcements_per_hour ? 'bad' : undefined}
              sub="the hourly cap counts automatic and manual blocks" />
          </div>
          {admin && list.enabled && <Card title="Block an address or prefix"><BlockForm onDone={setData} onError={setError} /></Card>}
          <Card title={`Blocked now (${list.blocks.length})`}>
            <BlockTable list={list} busy={busy} onUnblock={admin ? unblock : undefined} />
          </Card>
          <Card title="Recent (newest first)">
            <RecentTable recent={list.recent} />
          </Card>
        </>
      )}
    </div>
  );
}
