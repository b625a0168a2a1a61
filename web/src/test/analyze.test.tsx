import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../App';
import { ApiError } from '../api/client';
import type { Alert, CaptureAnalysis } from '../api/types';
import { analysisError, spanSeconds } from '../pages/Analyze';
import { baseRoutes, fakeApi } from './fakeServer';

const scan: Alert = {
  id: '33333333-3333-4333-8333-333333333333', kind: 'port_scan', severity: 'HIGH', status: 'resolved',
  host: '10.0.0.66', description: '10.0.0.66 probed 120 ports', first_seen_ms: 1_700_000_000_000,
  last_seen_ms: 1_700_000_016_000,
};
const result: CaptureAnalysis = {
  alerts: [scan, { ...scan, id: '44444444-4444-4444-8444-444444444444', kind: 'connection_rate', severity: 'MEDIUM', description: 'many connections' }],
  summary: {
    packets: 8000, bytes: 480000, parse_errors: 0, host_table_full: 0, first_ns: 1_700_000_000_000_000_000,
    last_ns: 1_700_000_016_000_000_000, ticks: 17, alerts: 2, seconds: 0.05,
  },
  packets: 8000, duration_ms: 120, file_bytes: 608024,
};

function at(path: string) { window.history.replaceState(null, '', path); }

function pick(file: File) {
  fireEvent.change(screen.getByTestId('analysis-file'), { target: { files: [file] } });
}

describe('Analyse a capture', () => {
  it('explains the limits in words', () => {
    expect(analysisError(new ApiError(413, 'payload_too_large', 'the body exceeds 67108864 bytes'))).toContain('too large');
    expect(analysisError(new ApiError(429, 'busy', 'x'))).toContain('Another capture');
    expect(analysisError(new ApiError(504, 'analysis_timeout', 'took longer than 60 s'))).toContain('took longer than 60 s');
    expect(analysisError(new ApiError(400, 'not_a_capture', 'not a pcap or pcapng file'))).toBe(
      'Not a capture the sensor can read: not a pcap or pcapng file');
    expect(spanSeconds(result)).toBe(16);
  });

  it('is linked for admins only', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const { api } = fakeApi(baseRoutes, true, role);
      at('/');
      const { unmount } = render(<App api={api} />);
      await screen.findByTestId('nav-overview');
      expect(screen.queryByTestId('nav-analyze')).toBeNull();
      unmount();
    }
    const { api } = fakeApi(baseRoutes, true, 'operator');
    at('/analyze');
    render(<App api={api} />);
    expect(await screen.findByText('Analysing a capture needs the admin role.')).toBeTruthy();
    expect(screen.queryByTestId('analysis-file')).toBeNull();
  });

  it('uploads the file as the body and shows the summary and the alerts', async () => {
    const { api, calls } = fakeApi({ ...baseRoutes, 'POST /api/analyze': () => ({ body: result }) });
    at('/');
    render(<App api={api} />);
    fireEvent.click(await screen.findByTestId('nav-analyze'));
    const run = await screen.findByTestId('analysis-run') as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    const file = new File([new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1])], 'scan.pcap');
    pick(file);
    fireEvent.click(run);
    expect(screen.getByTestId('analysis-busy').textContent).toContain('scan.pcap');
    const rows = await screen.findAllByTestId('analysis-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('analysis-kind').textContent).toBe('port_scan');
    expect(within(rows[0]).getByTestId('alert-severity').textContent).toBe('HIGH');
    expect(rows[0].textContent).toContain('10.0.0.66');
    expect(rows[0].textContent).toContain('probed 120 ports');
    expect(screen.getByTestId('analysis-packets').getAttribute('data-value')).toBe('8000');
    expect(screen.getByTestId('analysis-alerts').getAttribute('data-value')).toBe('2');
    expect(screen.queryByTestId('analysis-busy')).toBeNull();
    const post = calls.find((c) => c.key === 'POST /api/analyze');
    expect(post?.body).toBe(file);
  });

  it('shows the server\'s reason when the file is refused, and no result', async () => {
    const { api } = fakeApi({
      ...baseRoutes,
      'POST /api/analyze': () => ({ status: 400, body: { error: 'not_a_capture', detail: 'the upload: not a pcap or pcapng file' } }),
    });
    at('/analyze');
    render(<App api={api} />);
    pick(new File(['hello'], 'notes.txt'));
    fireEvent.click(await screen.findByTestId('analysis-run'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('not a pcap or pcapng file'));
    expect(screen.queryByTestId('analysis-result')).toBeNull();
  });
});
