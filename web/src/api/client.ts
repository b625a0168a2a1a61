// REST client for the control plane: bearer auth, one refresh attempt on 401,
// uniform error objects ({error, detail, field}).
import type {
  Alert, AlertAction, AlertStatus, AuditPage, BlockList, BlockMode, CaptureAnalysis, CaptureView, Config, ConfigUpdate, Host, HostDetail, HistoryPoint,
  Metrics, SensorsResponse, Session, Severity, Status, TokenResponse,
} from './types';
import { blockPath, parseBlockTarget } from '../lib/blockTarget';

/** The optional fields of POST /api/blocks the dashboard sends. */
export interface BlockOptions { mode?: BlockMode; ban_s?: number }

function notATarget(text: string): ApiError {
  const shown = String(text).slice(0, 60);
  return new ApiError(400, 'invalid_parameter',
    `not an address or prefix: "${shown}" (a.b.c.d, a.b.c.d/n, x:y::z or x:y::/n)`, 'ip');
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly detail: string,
    public readonly field?: string,
  ) {
    super(detail || code);
    this.name = 'ApiError';
  }
}

/** Builds an ApiError from a failed response, whatever its body looks like. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; detail?: unknown; field?: unknown };
    const code = typeof body.error === 'string' ? body.error : `http_${res.status}`;
    const detail = typeof body.detail === 'string' ? body.detail : res.statusText;
    const field = typeof body.field === 'string' ? body.field : undefined;
    return new ApiError(res.status, code, detail, field);
  } catch {
    return new ApiError(res.status, `http_${res.status}`, text.trim().slice(0, 200) || res.statusText);
  }
}

const SESSION_KEY = 'securenet.session';

export interface ClientOptions {
  baseUrl?: string;
  fetchFn?: typeof fetch;
  storage?: Storage;
  now?: () => number;
}

type Listener = (session: Session | null, reason: 'login' | 'refresh' | 'logout' | 'expired') => void;

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly storage: Storage;
  private readonly now: () => number;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = opts.baseUrl ?? '';
    this.fetchFn = opts.fetchFn ?? ((input, init) => fetch(input, init));
    this.storage = opts.storage ?? window.localStorage;
    this.now = opts.now ?? Date.now;
  }

  // ---- session ----
  session(): Session | null {
    const raw = this.storage.getItem(SESSION_KEY);
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as Session;
      return s && typeof s.access_token === 'string' ? s : null;
    } catch {
      return null;
    }
  }

  onSessionChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setSession(s: Session | null, reason: Parameters<Listener>[1]): void {
    if (s) this.storage.setItem(SESSION_KEY, JSON.stringify(s));
    else this.storage.removeItem(SESSION_KEY);
    this.listeners.forEach((fn) => fn(s, reason));
  }

  private fromTokens(t: TokenResponse): Session {
    return {
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      expires_at_ms: this.now() + (t.expires_in || 3600) * 1000,
      user: t.user,
    };
  }

  async login(email: string, password: string): Promise<Session> {
    const res = await this.send('POST', '/api/auth/login', { email, password }, null);
    if (!res.ok) throw await errorFromResponse(res);
    const s = this.fromTokens((await res.json()) as TokenResponse);
    this.setSession(s, 'login');
    return s;
  }

  /** Revokes the session on the server (refresh chain + this access token), then forgets it
   * here; a server that cannot be reached does not keep the user signed in. */
  async logout(): Promise<void> {
    const s = this.session();
    if (s) await this.send('POST', '/api/auth/logout', {}, s.access_token).catch(() => undefined);
    this.setSession(null, 'logout');
  }

  /** Trades the refresh token for new tokens; concurrent callers share one attempt. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => { this.refreshing = null; });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const s = this.session();
    if (!s?.refresh_token) return false;
    try {
      const res = await this.send('POST', '/api/auth/refresh', { refresh_token: s.refresh_token }, null);
      if (!res.ok) return false;
      this.setSession(this.fromTokens((await res.json()) as TokenResponse), 'refresh');
      return true;
    } catch {
      return false;
    }
  }

  // ---- transport ----
  private async send(method: string, path: string, body: unknown, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    // The sensor refuses POST/PUT/DELETE without it (CSRF), also when there is no body.
    if (body !== undefined || method !== 'GET') headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await this.fetchFn(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'network', `cannot reach the sensor (${(e as Error).message})`);
    }
  }

  /** Authenticated request; on 401 refreshes once and retries, else ends the session. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const s = this.session();
    if (!s) throw new ApiError(401, 'unauthorized', 'not signed in');
    let res = await this.send(method, path, body, s.access_token);
    if (res.status === 401) {
      if (await this.refresh()) {
        res = await this.send(method, path, body, this.session()?.access_token ?? null);
      }
      if (res.status === 401) {
        if (this.session()) this.setSession(null, 'expired');
        throw await errorFromResponse(res);
      }
    }
    if (!res.ok) throw await errorFromResponse(res);
    return (await res.json()) as T;
  }

  // ---- endpoints ----
  status() { return this.request<Status>('GET', '/api/status'); }
  metrics() { return this.request<Metrics>('GET', '/api/metrics'); }
  async history(seconds = 300): Promise<HistoryPoint[]> {
    const r = await this.request<{ points: HistoryPoint[] }>('GET', `/api/metrics/history?seconds=${seconds}`);
    return r.points ?? [];
  }
  hosts(sort = 'pps', limit = 200) {
    return this.request<{ hosts: Host[]; total: number }>('GET', `/api/hosts?sort=${sort}&limit=${limit}`);
  }
  host(ip: string) { return this.request<HostDetail>('GET', `/api/hosts/${ip}`); }
  config() { return this.request<Config>('GET', '/api/config'); }
  saveConfig(update: ConfigUpdate) { return this.request<Config>('POST', '/api/config', update); }
  async alerts(q: { limit?: number; severity?: Severity | ''; status?: AlertStatus | '' } = {}): Promise<Alert[]> {
    const p = new URLSearchParams({ limit: String(q.limit ?? 500) });
    if (q.severity) p.set('severity', q.severity);
    if (q.status) p.set('status', q.status);
    const r = await this.request<{ alerts: Alert[] }>('GET', `/api/alerts?${p.toString()}`);
    return r.alerts ?? [];
  }
  resetMetrics() { return this.request<{ status: string }>('POST', '/api/metrics/reset', {}); }
  audit(q: { limit?: number; before?: string } = {}) {
    const p = new URLSearchParams({ limit: String(q.limit ?? 100) });
    if (q.before) p.set('before', q.before);
    return this.request<AuditPage>('GET', `/api/audit?${p.toString()}`);
  }
  /** The fleet (GET /api/sensors): every sensor of this user, from the database. */
  sensors() { return this.request<SensorsResponse>('GET', '/api/sensors'); }
  /** Stored alerts (GET /api/alerts/history); `sensor` = one sensor's, else the whole fleet's. */
  async storedAlerts(q: { sensor?: string; limit?: number; status?: AlertStatus | '' } = {}): Promise<Alert[]> {
    const p = new URLSearchParams({ limit: String(q.limit ?? 100) });
    if (q.sensor) p.set('sensor', q.sensor);
    if (q.status) p.set('status', q.status);
    const r = await this.request<{ alerts: Alert[] }>('GET', `/api/alerts/history?${p.toString()}`);
    return r.alerts ?? [];
  }
  /** Stored metrics snapshots (GET /api/metrics/history?source=db), oldest first. */
  async storedHistory(seconds: number, sensor?: string): Promise<HistoryPoint[]> {
    const p = new URLSearchParams({ source: 'db', seconds: String(seconds) });
    if (sensor) p.set('sensor', sensor);
    const r = await this.request<{ points: HistoryPoint[] }>('GET', `/api/metrics/history?${p.toString()}`);
    return r.points ?? [];
  }
  /** One alert of the live store (GET /api/alerts/{id}). */
  alert(id: string) { return this.request<Alert>('GET', `/api/alerts/${encodeURIComponent(id)}`); }
  /** Its attack capture decoded (GET /api/alerts/{id}/capture); 404 when there is none. */
  alertCapture(id: string, rows = 200) {
    return this.request<CaptureView>('GET', `/api/alerts/${encodeURIComponent(id)}/capture?rows=${rows}`);
  }
  /** Actions taken for it (GET /api/alerts/{id}/actions, when the sensor has them). */
  alertActions(id: string) {
    return this.request<{ actions: AlertAction[] }>('GET', `/api/alerts/${encodeURIComponent(id)}/actions`);
  }
  /** The capture as a pcap file (GET /api/alerts/{id}/pcap, operator role). */
  async alertPcap(id: string): Promise<Blob> {
    const path = `/api/alerts/${encodeURIComponent(id)}/pcap`;
    const s = this.session();
    if (!s) throw new ApiError(401, 'unauthorized', 'not signed in');
    let res = await this.send('GET', path, undefined, s.access_token);
    if (res.status === 401 && (await this.refresh())) {
      res = await this.send('GET', path, undefined, this.session()?.access_token ?? null);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res.blob();
  }
  /** Offline analysis of a pcap/pcapng file (POST /api/analyze, admin): the file is the body. */
  async analyzeCapture(file: Blob): Promise<CaptureAnalysis> {
    const s = this.session();
    if (!s) throw new ApiError(401, 'unauthorized', 'not signed in');
    const post = async (token: string | null): Promise<Response> => {
      const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/vnd.tcpdump.pcap' };
      if (token) headers.Authorization = `Bearer ${token}`;
      try {
        return await this.fetchFn(`${this.baseUrl}/api/analyze`, { method: 'POST', headers, body: file });
      } catch (e) {
        throw new ApiError(0, 'network', `cannot reach the sensor (${(e as Error).message})`);
      }
    };
    let res = await post(s.access_token);
    if (res.status === 401 && (await this.refresh())) res = await post(this.session()?.access_token ?? null);
    if (!res.ok) throw await errorFromResponse(res);
    return (await res.json()) as CaptureAnalysis;
  }
  resolveAlert(id: string) { return this.request<Alert>('POST', `/api/alerts/${encodeURIComponent(id)}/resolve`); }
  /** BGP blocks (API.md "Blocks"): read by everyone, block/unblock by admins. */
  blocks() { return this.request<BlockList>('GET', '/api/blocks'); }
  /** Blocks an address ({"ip"}) or a prefix ({"prefix"}: text with /len); `opts` the optional
   * mode and ban_s. Text that is not an address or prefix is refused here, before any request. */
  block(target: string, opts: BlockOptions = {}) {
    const t = parseBlockTarget(target);
    if (!t) return Promise.reject(notATarget(target));
    const body: Record<string, unknown> = t.len === null ? { ip: target } : { prefix: target };
    if (opts.mode) body.mode = opts.mode;
    if (opts.ban_s !== undefined) body.ban_s = opts.ban_s;
    return this.request<BlockList>('POST', '/api/blocks', body);
  }
  /** DELETE /api/blocks/<ip>, or /api/blocks/<net>/<len> for a prefix block (its `ip` in the list). */
  unblock(name: string) {
    const path = blockPath(name);
    if (!path) return Promise.reject(notATarget(name));
    return this.request<BlockList>('DELETE', path, {});
  }

  /** URL of the SSE stream (EventSource cannot send headers, so the token rides in the query). */
  eventsUrl(): string {
    const token = this.session()?.access_token ?? '';
    return `${this.baseUrl}/api/events?access_token=${encodeURIComponent(token)}`;
  }
}
