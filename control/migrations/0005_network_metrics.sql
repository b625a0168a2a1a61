-- Metric snapshots (every N seconds per sensor).
create table if not exists public.network_metrics (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  sensor_id uuid references public.sensors (id) on delete cascade,
  ts timestamptz not null default now(),
  total_packets bigint not null default 0,
  total_bytes bigint not null default 0,
  pps double precision not null default 0,
  bps double precision not null default 0,
  active_hosts integer not null default 0,
  connections_per_min double precision not null default 0,
  anomalies jsonb not null default '{}'::jsonb,
  protocols jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index if not exists network_metrics_user_idx
  on public.network_metrics (user_id, ts desc);
create index if not exists network_metrics_sensor_idx
  on public.network_metrics (sensor_id, ts desc);

alter table public.network_metrics enable row level security;
revoke all on public.network_metrics from anon, authenticated;
grant select, delete on public.network_metrics to authenticated;
grant all on public.network_metrics to service_role;

create policy network_metrics_select on public.network_metrics for select to authenticated
  using (user_id = (select auth.uid()));
create policy network_metrics_delete on public.network_metrics for delete to authenticated
  using (user_id = (select auth.uid()));
