-- Alerts as API.md's alert object; one row per alert id, updated while it is open.
create table if not exists public.network_alerts (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  sensor_id uuid references public.sensors (id) on delete cascade,
  kind text not null,
  severity text not null check (severity in ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW')),
  status text not null default 'open' check (status in ('open', 'resolved')),
  host text,
  protocol text,
  description text,
  value double precision,
  threshold double precision,
  peak double precision,
  count bigint not null default 1,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists network_alerts_user_idx
  on public.network_alerts (user_id, last_seen desc);
create index if not exists network_alerts_user_status_idx
  on public.network_alerts (user_id, status, last_seen desc);
create index if not exists network_alerts_sensor_idx
  on public.network_alerts (sensor_id, last_seen desc);

alter table public.network_alerts enable row level security;
revoke all on public.network_alerts from anon, authenticated;
grant select, update, delete on public.network_alerts to authenticated;
grant all on public.network_alerts to service_role;

create policy network_alerts_select on public.network_alerts for select to authenticated
  using (user_id = (select auth.uid()));
create policy network_alerts_update on public.network_alerts for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy network_alerts_delete on public.network_alerts for delete to authenticated
  using (user_id = (select auth.uid()));
