// "Analyse a capture" (admin; POST /api/analyze, API.md "Offline analysis"): a pcap/pcapng
// file is uploaded and run through the sensor's own detection with its current config;
// the page shows the summary and the alerts it would have raised (in packet time). Nothing
// is stored but the audit entry.
import { useRef, useState } from 'react';
import { useApi } from '../api/context';
import { ApiError } from '../api/client';
import type { CaptureAnalysis } from '../api/types';
import { Card, Empty, ErrorBanner, SeverityBadge, Stat } from '../components/ui';
import { formatCount, formatSI, formatTimestamp } from '../lib/format';

/** What went wrong, in words (the server's detail, with what to do for the limits). */
export function analysisError(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error)?.message ?? String(e);
  if (e.status === 413) return `The file is too large for this sensor: ${e.detail}`;
  if (e.status === 429) return 'Another capture is being analysed; try again in a moment.';
  if (e.status === 504) return `The analysis took too long and was stopped: ${e.detail}`;
  if (e.code === 'not_a_capture') return `Not a capture the sensor can read: ${e.detail}`;
  return e.detail || e.code;
}

/** Packet time the capture covers, in seconds. */
export function spanSeconds(a: CaptureAnalysis): number {
  const { first_ns: f, last_ns: l } = a.summary;
  return l > f ? (l - f) / 1e9 : 0;
}

function Summary({ a }: { a: CaptureAnalysis }) {
  return (
    <div className="stats" data-testid="analysis-summary">
      <Stat label="Packets" value={formatCount(a.packets)} raw={a.packets} testId="analysis-packets" />
      <Stat label="Bytes" value={formatSI(a.summary.bytes, 'B')} />
      <Stat label="Packet time" value={`${spanSeconds(a).toFixed(1)} s`} />
      <Stat label="Alerts" value={formatCount(a.alerts.length)} raw={a.alerts.length} testId="analysis-alerts" />
      <Stat label="Parse errors" value={formatCount(a.summary.parse_errors)} />
      <Stat label="Analysed in" value={`${(a.duration_ms / 1000).toFixed(2)} s`} />
    </div>
  );
}

function AlertsTable({ a }: { a: CaptureAnalysis }) {
  if (a.alerts.length === 0) return <Empty>No alerts: the sensor would have raised nothing for this capture.</Empty>;
  return (
    <div className="table-scroll">
      <table className="table" data-testid="analysis-table">
        <thead>
          <tr><th>Kind</th><th>Severity</th><th>Host</th><th>First seen (packet time)</th><th>Description</th></tr>
        </thead>
        <tbody>
          {a.alerts.map((al) => (
            <tr key={al.id} data-testid="analysis-row" className={`sev-row sev-${al.severity.toLowerCase()}`}>
              <td data-testid="analysis-kind">{al.kind}</td>
              <td><SeverityBadge severity={al.severity} /></td>
              <td className="mono">{al.host ?? '—'}</td>
              <td>{formatTimestamp(al.first_seen_ms)}</td>
              <td>{al.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Analyze() {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ name: string; a: CaptureAnalysis } | null>(null);
  const run = () => {
    if (!file) return;
    setBusy(true); setError(null); setResult(null);
    api.analyzeCapture(file)
      .then((a) => setResult({ name: file.name, a }), (e: unknown) => setError(analysisError(e)))
      .finally(() => setBusy(false));
  };
  return (
    <div className="page">
      <Card title="Analyse a capture">
        <p className="muted small">
          A pcap or pcapng file is run through this sensor's detection with its current configuration, the
          capture's timestamps as the clock. The alerts below are not added to the sensor's alerts.
        </p>
        <div className="upload-row">
          <input ref={input} type="file" accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap" data-testid="analysis-file"
            disabled={busy} onChange={(e) => { setFile(e.target.files?.[0] ?? null); setError(null); }} />
          <button className="btn" data-testid="analysis-run" disabled={!file || busy} onClick={run}>
            {busy ? 'Analysing…' : 'Analyse'}
          </button>
          {busy && file && (
            <span className="muted" role="status" data-testid="analysis-busy">
              <span className="spinner" aria-hidden="true" /> Uploading and analysing {file.name} ({formatSI(file.size, 'B')})…
            </span>
          )}
        </div>
      </Card>
      <ErrorBanner error={error} />
      {result && (
        <Card title={`Result: ${result.name}`} testId="analysis-result">
          <Summary a={result.a} />
          <AlertsTable a={result.a} />
        </Card>
      )}
    </div>
  );
}
