-- A fleet in one database (issue 14): several sensors write into one PostgreSQL, each as
-- its own login role bound to its sensor id, so that one compromised box cannot write rows
-- in another sensor's name, close another sensor's alerts or read its config history.
--
-- securenet_sensor (0009) becomes the GROUP role: its grants and its permissive policies
-- are what every sensor may do; a per-sensor role is a LOGIN role that is a member of it
-- (INHERIT), listed in securenet.sensor_roles with its sensor id, created by
--   securenet-db sensor-role --name NAME --sensor-id UUID --password-file FILE
-- The RESTRICTIVE policies below bound a member role to the rows of its own sensor_id (for
-- `sensors`, its own id) for every command: select, insert, update (USING and WITH CHECK).
-- A member role that is not listed sees and writes nothing. securenet_sensor itself, when
-- it logs in directly (the single-sensor set-up of 0009, `sensor-role` without --name),
-- keeps working as before: unbound, every row.
-- Reads done as `authenticated` (the API's row-level-security reads, with a user's claims)
-- are not affected: they are scoped by user, so any sensor of a user serves the fleet view.

create table if not exists securenet.sensor_roles (
  role_name name primary key,
  sensor_id uuid not null unique,
  created_at timestamptz not null default now()
);
alter table securenet.sensor_roles enable row level security;
revoke all on securenet.sensor_roles from public;
grant select on securenet.sensor_roles to securenet_sensor;
do $pol$
begin
  if not exists (select 1 from pg_policies where schemaname = 'securenet'
                    and tablename = 'sensor_roles' and policyname = 'sensor_roles_own') then
    -- A sensor role reads its own binding only.
    create policy sensor_roles_own on securenet.sensor_roles for select to securenet_sensor
      using (role_name = current_user);
  end if;
end
$pol$;

-- The sensor id the current role is bound to; null for an unbound role.
create or replace function securenet.current_sensor_id() returns uuid
language sql stable as $fn$
  select sensor_id from securenet.sensor_roles where role_name = current_user
$fn$;

-- Whether the current sensor role may see or write a row of `row_sensor`: the shared
-- securenet_sensor may (0009's behaviour); a member role only its own sensor's rows.
create or replace function securenet.sensor_row_allowed(row_sensor uuid) returns boolean
language sql stable as $fn$
  select current_user = 'securenet_sensor'
      or coalesce(row_sensor = securenet.current_sensor_id(), false)
$fn$;

grant execute on function securenet.current_sensor_id() to securenet_sensor;
grant execute on function securenet.sensor_row_allowed(uuid) to securenet_sensor;

do $pol$
declare
  t text;
  col text;
begin
  foreach t in array array['sensors', 'network_configs', 'network_alerts', 'network_metrics',
                           'network_packets', 'audit_log']
  loop
    col := case when t = 'sensors' then 'id' else 'sensor_id' end;
    if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = t
                      and policyname = t || '_sensor_own') then
      execute format('create policy %I on public.%I as restrictive to securenet_sensor '
                     'using (securenet.sensor_row_allowed(%I)) '
                     'with check (securenet.sensor_row_allowed(%I))',
                     t || '_sensor_own', t, col, col);
    end if;
  end loop;
end
$pol$;

-- The fleet view (GET /api/sensors): open alerts per sensor by an index (the newest metrics
-- row of a sensor already has network_metrics_sensor_idx).
create index if not exists network_alerts_sensor_open_idx
  on public.network_alerts (sensor_id, severity) where status = 'open';
