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
  /** Every alert change seen on the stream, queued (pages merge them with useAlertUpdates). */
  alertFeed: AlertFeed;
  lastConfig: Config | null;
}

/**
 * The live alert changes, in arrival order: `updates` holds the most recent ones (at most
 * ALERT_FEED_MAX), `seq` counts all ever received. Each event is appended by its own
 * functional state update, so a burst of events in one tick is kept whole (a single
 * "latest alert" slot would keep only the last one of the batch).
 */
export interface AlertFeed { seq: number; updates: Alert[] }

export const ALERT_FEED_MAX = 256;
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

/** Appends one alert change to the feed, dropping the oldest beyond `max`. */
export function pushAlert(feed: AlertFeed, a: Alert, max = ALERT_FEED_MAX): AlertFeed {
  const updates = [...feed.updates, a];
  return { seq: feed.seq + 1, updates: updates.length > max ? updates.slice(updates.length - max) : updates };
}

/** The updates received after `seenSeq` (those still held if more than ALERT_FEED_MAX came). */
export function alertsSince(feed: AlertFeed, seenSeq: number): Alert[] {
  const n = Math.min(feed.updates.length, Math.max(0, feed.seq - seenSeq));
  return n ? feed.updates.slice(feed.updates.length - n) : [];
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [state, setState] = useState<LiveState>({
    metrics: null, history: [], status: null, statusError: null,
    stream: 'connecting', alertFeed: { seq: 0, updates: [] }, lastConfig: null,
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
      es.addEventListener('alert', (ev) => {
        const a = JSON.parse((ev as MessageEvent).data) as Alert;
        patch((s) => ({ alertFeed: pushAlert(s.alertFeed, a) }));
      });
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

/**
 * Calls `apply` with every alert change that reached the stream since the caller mounted (or
 * since its last call), in arrival order, however many came in one render.
 */
export function useAlertUpdates(apply: (updates: Alert[]) => void): void {
  const { alertFeed } = useLive();
  const seen = useRef(alertFeed.seq);
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(() => {
    const fresh = alertsSince(alertFeed, seen.current);
    seen.current = alertFeed.seq;
    if (fresh.length) applyRef.current(fresh);
  }, [alertFeed]);
}
