// Shapes of the control plane's JSON (control/API.md). Checked against the real server by
// tests/control/api_types_test.cpp: every field declared here must be served, with this type.

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
export const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** The sensor's roles (app_metadata.securenet_role): viewer reads, operator also resolves
 * alerts, admin also edits the config, resets counters and reads the audit log. */
export type Role = 'viewer' | 'operator' | 'admin';

export interface User { id: string; email: string; role?: Role }

export interface AuditEntry {
  id: string;
  at_ms: number;
  sensor_id: string | null;
  actor_id: string | null;
  actor_email: string | null;
  source_addr: string | null;
  action: 'config_change' | 'alert_resolve' | 'metrics_reset' | 'login_success' | 'login_failure' | 'logout'
    | 'block' | 'unblock' | 'block_refused' | 'capture_analysed';
  details: Record<string, unknown>;
}

export interface AuditPage { entries: AuditEntry[]; next_before: string | null }

/** securenet-analyze's summary of an uploaded capture (POST /api/analyze, API.md "Offline
 * analysis"); times in packet time (ns since the epoch). */
export interface AnalysisSummary {
  packets: number;
  bytes: number;
  parse_errors: number;
  host_table_full: number;
  first_ns: number;
  last_ns: number;
  ticks: number;
  alerts: number;
  seconds: number;
}

/** POST /api/analyze's answer: the alerts the sensor's detection raises over the capture,
 * each in its last state, in the order they opened. */
export interface CaptureAnalysis {
  alerts: Alert[];
  summary: AnalysisSummary;
  packets: number;
  duration_ms: number;
  file_bytes: number;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: User;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  expires_at_ms: number;
  user: User;
}

export interface InterfaceStatus {
  name: string; workers: number; packets: number; bytes: number;
  source_drops: number; source_errors: number; duplicates?: number;
}

export interface Status {
  dataplane: {
    state: 'up' | 'stale' | 'down';
    pid?: number | null;
    source?: string;
    source_name?: string;
    workers?: number;
    uptime_s?: number;
    heartbeat_age_ms?: number | null;
    /** The dataplane's own counters per interface it reads (--target eth1,eth2). */
    interfaces?: InterfaceStatus[];
  };
  rates: { pps: number; bps: number; drops_per_s: number };
  totals: {
    packets: number; bytes: number; source_drops: number;
    parse_errors: number; host_table_full: number;
    /** Frames dropped as duplicates (--dedupe-us). */
    duplicates?: number;
    /** Packets that crossed each encapsulation (mpls, pppoe, gre, erspan, vxlan, geneve, gtpu, ipip, teredo). */
    encapsulations?: Record<string, number>;
  };
  /** The host tables, summed over workers: occupancy, ageing (--host-idle-s) and memory per host. */
  host_table: {
    hosts: number; capacity: number; occupancy: number; evicted: number; full: number;
    idle_s: number; bytes_per_host: number;
  };
  database: { state: 'connected' | 'disconnected' | 'disabled'; spool_backlog: number };
  control: { version: string; uptime_s: number; tick_ms: number };
}

export interface TopTalker { ip: string; pps: number; bps: number; packets: number; bytes: number }

export interface Metrics {
  ts_ms: number;
  totals: Record<string, number>;
  rates: { pps: number; bps: number };
  active_hosts: number;
  connections_per_min: number;
  anomalies: Partial<Record<Severity, number>>;
  protocols: Record<string, number>;
  parse_errors?: Record<string, number>;
  encapsulations?: Record<string, number>;
  top_talkers?: TopTalker[];
}

export interface HistoryPoint {
  ts_ms: number; pps: number; bps: number;
  active_hosts?: number; connections_per_min?: number;
}

export interface Host {
  ip: string;
  direction: 'internal' | 'external';
  packets_sent: number; bytes_sent: number;
  packets_recv: number; bytes_recv: number;
  pps: number; bps: number;
  syn_per_min: number;
  syn_sent: number;
  blacklisted_packets: number;
  /** Blacklisted packets this host sent (not ICMP errors): what the blacklist rule alerts on. */
  blacklisted_sent: number;
  /** UDP packets received from reflector source ports (DNS, NTP, SSDP, memcached, ...). */
  reflection_recv: number;
  /** TCP SYNs (without ACK) received, SYN+ACKs sent (issue 13 item 2; newer sensors). */
  syn_recv?: number;
  synack_sent?: number;
  protocols: Record<string, number>;
  first_seen_ms: number; last_seen_ms: number;
}

export interface HostDetail extends Host { alerts: Alert[] }

export type AlertStatus = 'open' | 'resolved';

export interface Alert {
  id: string;
  kind: string;
  severity: Severity;
  status: AlertStatus;
  host?: string | null;
  protocol?: string | null;
  /** The host's part: sending (attacker) or receiving (victim); null for network/sensor alerts. */
  direction?: 'sending' | 'receiving' | null;
  role?: 'attacker' | 'victim' | null;
  description: string;
  value?: number | null;
  threshold?: number | null;
  peak?: number | null;
  count?: number | null;
  first_seen_ms: number;
  last_seen_ms: number;
  /** When the sensor knew (opened the alert); first_seen_ms is the first packet over the limit. */
  detected_ms?: number | null;
  resolved_at_ms?: number | null;
  /** The sensor that raised it (stored history, GET /api/alerts/history). */
  sensor_id?: string | null;
  /** Its attack capture's pcap (GET /api/alerts/{id}/pcap), once stored (issue 16). */
  capture?: string | null;
  /** Victim alerts (issue 13 item 2): the attack the sampled packets name ("SYN flood", ...). */
  attack_type?: string | null;
  /** Victim alerts: how many sampled packets to the host the profile counts. */
  profile_samples?: number | null;
  /** Victim alerts: the top senders (sampled packets); null for other alerts. */
  top_sources?: AlertSource[] | null;
  /** Victim alerts: sampled packets by protocol and service port. */
  breakdown?: AlertBreakdown[] | null;
}

export interface AlertSource { ip: string; packets: number }
export interface AlertBreakdown {
  /** tcp_syn | tcp | udp | icmp | icmpv6 | ip-N */
  protocol: string;
  /** The source port for a service's answers (e.g. a reflector's 53), else null. */
  src_port: number | null;
  dst_port: number | null;
  packets: number;
}

/** One sensor of the fleet (GET /api/sensors), from the database. */
export interface FleetSensor {
  id: string;
  name: string;
  interface: string | null;
  version: string | null;
  /** The newest of its heartbeat and its newest stored metrics snapshot. */
  last_seen_ms: number | null;
  /** 'up' while its heartbeat is newer than stale_after_s seconds, else 'stale'. */
  status: 'up' | 'stale';
  /** Its newest stored metrics snapshot (0 and null when it has none). */
  metrics_ts_ms: number | null;
  pps: number;
  bps: number;
  open_alerts: { CRITICAL: number; HIGH: number; MEDIUM: number; LOW: number };
  open_alerts_total: number;
}

export interface SensorsResponse { sensors: FleetSensor[]; stale_after_s: number }

/** A per-subnet override: at least one of the thresholds is set; each resolves on its own. */
export interface SubnetThreshold {
  cidr: string; traffic_sent_pps?: number; traffic_received_pps?: number; connection_rate_per_min?: number;
  traffic_sent_mbps?: number; traffic_received_mbps?: number; reflection_pps?: number;
  syn_flood_per_s?: number; syn_flood_answered_ratio?: number; fan_in_sources?: number;
}

export interface Config {
  traffic_sent_pps: number;
  traffic_sent_mbps: number;
  traffic_received_pps: number;
  traffic_received_mbps: number;
  traffic_received_external: boolean;
  connection_rate_per_min: number;
  port_scan_ports: number;
  host_scan_hosts: number;
  reflection_pps: number;
  /** Issue 13 item 2: the syn_flood and fan_in rules. */
  syn_flood_per_s: number;
  syn_flood_answered_ratio: number;
  fan_in_sources: number;
  protocol_blacklist: string[];
  home_networks: string[];
  whitelist: string[];
  subnet_thresholds: SubnetThreshold[];
  escalation_factor: number;
  clear_ratio: number;
  clear_hold_s: number;
  sample_one_in: number;
  baseline_enabled: boolean;
  baseline_low_sigma: number;
  baseline_medium_sigma: number;
  baseline_warmup_s: number;
  updated_at_ms: number;
}

export type ConfigUpdate = Partial<Omit<Config, 'updated_at_ms'>>;

/** A block (GET /api/blocks, API.md "Blocks"): BGP, or the inline XDP drop list (mode xdp). */
export type BlockMode = 'blackhole' | 'flowspec' | 'xdp';
export const BLOCK_MODES: BlockMode[] = ['blackhole', 'flowspec', 'xdp'];
export interface Block {
  ip: string;
  prefix: string;
  mode: BlockMode;
  reason: string;
  by?: string;  // admins only
  alert_id: string | null;
  since_ms: number;
  expires_ms: number | null;
  state: 'announcing' | 'active' | 'failed';
  result: string;
  drops?: number | null;  // mode xdp: packets the inline dataplane dropped (null: not applied yet)
  match?: 'destination' | 'source';  // FlowSpec blocks
  protocol?: string;
  source_port?: number;
  rate_bytes?: number;
}

export interface BlockList {
  enabled: boolean;
  mode: string;
  max_announcements_per_hour: number;
  announcements_last_hour: number;
  blocks: Block[];
  recent: { ip: string; action: string; reason: string; by?: string; at_ms: number; result: string }[];
}
/** GET /api/alerts/{id}/capture: the alert's attack capture, decoded by the sensor. */
export interface CapturePacket {
  ts_ns: number; src: string; dst: string; protocol: string;
  sport: number; dport: number; flags: string; length: number; captured: number;
}
export interface CaptureTally { packets: number; bytes: number; pps: number; bps: number }
export interface CaptureView {
  summary: { alert_id: string; host: string; started_ms: number; finished_ms: number; samples: number;
    packets: number; bytes: number; truncated: number; lost: number; snap_len: number } | null;
  packets: CapturePacket[];
  total: number;
  span_s: number;
  sent: CaptureTally;
  received: CaptureTally;
  timeline: { bin_ms: number; points: { t_ms: number; sent: number; received: number }[] };
  top_peers: { key: string; packets: number; bytes: number }[];
  top_ports: { key: string; packets: number; bytes: number }[];
}
/** One action taken for an alert (notification, block), when the sensor reports them. */
/** One notification delivery for an alert (GET /api/alerts/{id}/actions, API.md "Notifications"). */
export interface AlertAction {
  channel: string; type: string; event: string; result: string; attempts: number; time_ms: number; detail?: string;
}
