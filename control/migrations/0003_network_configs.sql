-- One row per configuration change (the history); the newest row is the current config.
create table if not exists public.network_configs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  sensor_id uuid references public.sensors (id) on delete cascade,
  config jsonb not null default '{}'::jsonb,
  traffic_threshold integer,
  connection_rate integer,
  protocol_blacklist text[] not null default '{}',
  created_at timestamptz not null default now()
);
create index if not exists network_configs_user_idx
  on public.network_configs (user_id, created_at desc);
create index if not exists network_configs_sensor_idx
  on public.network_configs (sensor_id, created_at desc);

alter table public.network_configs enable row level security;
revoke all on public.network_configs from anon, authenticated;
grant select, insert on public.network_configs to authenticated;
grant all on public.network_configs to service_role;

create policy network_configs_select on public.network_configs for select to authenticated
  using (user_id = (select auth.uid()));
create policy network_configs_insert on public.network_configs for insert to authenticated
  with check (user_id = (select auth.uid()));
