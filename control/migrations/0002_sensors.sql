-- One row per sensor box; every data row carries the sensor_id it came from.
create table if not exists public.sensors (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null,
  interface text,
  version text,
  last_heartbeat timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists sensors_user_idx on public.sensors (user_id, created_at desc);

alter table public.sensors enable row level security;
revoke all on public.sensors from anon, authenticated;
grant select, update, delete on public.sensors to authenticated;
grant all on public.sensors to service_role;

create policy sensors_select on public.sensors for select to authenticated
  using (user_id = (select auth.uid()));
create policy sensors_update on public.sensors for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy sensors_delete on public.sensors for delete to authenticated
  using (user_id = (select auth.uid()));
