// Live data shared by all pages: the SSE stream (metrics, alert and config events),
// a rolling history seeded from /api/metrics/history, and /api/status polled.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useApi } from './context';
import type { Alert, Config, HistoryPoint, Metrics, Status } from './types';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface LiveState {
  metrics: Metrics | null;
  history: HistoryPoint[];
  status: Status | null;
  statusError: string | null;
  stream: StreamState;
  /** The latest alert change seen on the stream (pages merge it into their lists). */
  lastAlert: Alert | null;
  lastConfig: Config | null;
}

const HISTORY_SECONDS = 600;
const LiveContext = createContext<LiveState | null>(null);

export function trimHistory(points: HistoryPoint[], nowMs: number, seconds = HISTORY_SECONDS): HistoryPoint[] {
  const cutoff = nowMs - seconds * 1000;
  let i = 0;
  while (i < points.length && points[i].ts_ms < cutoff) i++;
  return i ? points.slice(i) : points;
}

export function appendPoint(points: HistoryPoint[], m: Metrics): HistoryPoint[] {
  const last = points[points.length - 1];
  if (last && m.ts_ms <= last.ts_ms) return points;
  const p: HistoryPoint = {
    ts_ms: m.ts_ms, pps: m.rates.pps, bps: m.rates.bps,
    active_hosts: m.active_hosts, connections_per_min: m.connections_per_min,
  };
  return trimHistory([...points, p], m.ts_ms);
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [state, setState] = useState<LiveState>({
    metrics: null, history: [], status: null, statusError: null,
    stream: 'connecting', lastAlert: null, lastConfig: null,
  });
  const alive = useRef(true);

  // History seed, then the event stream (reconnects with a fresh token after errors).
  useEffect(() => {
    alive.current = true;
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const patch = (p: Partial<LiveState> | ((s: LiveState) => Partial<LiveState>)) =>
      alive.current && setState((s) => ({ ...s, ...(typeof p === 'function' ? p(s) : p) }));

    api.history(300).then((points) => patch((s) => {
      const merged = [...points, ...s.history.filter((p) => !points.length || p.ts_ms > points[points.length - 1].ts_ms)];
      return { history: merged };
    })).catch(() => {});

    const connect = () => {
      if (!alive.current || typeof EventSource === 'undefined') return;
      es = new EventSource(api.eventsUrl());
      es.onopen = () => patch({ stream: 'live' });
      es.addEventListener('metrics', (ev) => {
        const m = JSON.parse((ev as MessageEvent).data) as Metrics;
        patch((s) => ({ metrics: m, history: appendPoint(s.history, m), stream: 'live' }));
      });
      es.addEventListener('alert', (ev) => patch({ lastAlert: JSON.parse((ev as MessageEvent).data) as Alert }));
      es.addEventListener('config', (ev) => patch({ lastConfig: JSON.parse((ev as MessageEvent).data) as Config }));
      es.onerror = () => {
        es?.close();
        patch({ stream: 'reconnecting' });
        // An authenticated call refreshes the token if it expired (or ends the session).
        retry = setTimeout(() => { api.status().catch(() => {}).finally(connect); }, 2000);
      };
    };
    connect();
    return () => { alive.current = false; es?.close(); clearTimeout(retry); };
  }, [api]);

  // Sensor health, polled.
  useEffect(() => {
    let stop = false;
    const poll = () => api.status()
      .then((st) => !stop && setState((s) => ({ ...s, status: st, statusError: null })))
      .catch((e: Error) => !stop && setState((s) => ({ ...s, statusError: e.message })));
    poll();
    const t = setInterval(poll, 3000);
    return () => { stop = true; clearInterval(t); };
  }, [api]);

  // Fallback when the stream is silent (proxy buffering, reconnecting): poll /api/metrics.
  const lastTs = state.metrics?.ts_ms ?? 0;
  const lastTsRef = useRef(lastTs);
  lastTsRef.current = lastTs;
  useEffect(() => {
    let stop = false;
    const t = setInterval(() => {
      if (Date.now() - lastTsRef.current < 4000) return;
      api.metrics().then((m) => !stop && setState((s) => (
        s.metrics && m.ts_ms <= s.metrics.ts_ms ? s : { ...s, metrics: m, history: appendPoint(s.history, m) }
      ))).catch(() => {});
    }, 2000);
    return () => { stop = true; clearInterval(t); };
  }, [api]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveState {
  const ctx = useContext(LiveContext);
  if (!ctx) throw new Error('useLive outside LiveProvider');
  return ctx;
}
