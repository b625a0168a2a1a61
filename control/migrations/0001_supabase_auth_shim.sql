-- Supabase compatibility shim for plain PostgreSQL.
-- On a Supabase project every object below already exists and is left alone: each piece
-- is created only where it is missing. auth.uid()/auth.role()/auth.jwt() read the
-- transaction-local settings exactly as Supabase's own definitions do.

do $shim$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$shim$;

-- Let the migrating (sensor) role switch to these roles with `set local role`.
do $shim$
begin
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant anon, authenticated, service_role to %I', current_user);
  end if;
exception when others then
  raise notice 'securenet: could not grant api roles to %: %', current_user, sqlerrm;
end
$shim$;

do $shim$
begin
  if not exists (select 1 from pg_extension where extname = 'pgcrypto') then
    create extension pgcrypto;
  end if;
end
$shim$;

do $shim$
begin
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    execute 'create schema auth';
    execute 'grant usage on schema auth to anon, authenticated, service_role';
  end if;

  if to_regclass('auth.users') is null then
    execute $ddl$
      create table auth.users (
        id uuid primary key default gen_random_uuid(),
        email text unique,
        encrypted_password text,
        role text default 'authenticated',
        aud text default 'authenticated',
        email_confirmed_at timestamptz,
        last_sign_in_at timestamptz,
        raw_app_meta_data jsonb default '{}'::jsonb,
        raw_user_meta_data jsonb default '{}'::jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )
    $ddl$;
    execute 'revoke all on auth.users from anon, authenticated';
  end if;

  if to_regprocedure('auth.uid()') is null then
    execute $ddl$
      create function auth.uid() returns uuid language sql stable as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $fn$
    $ddl$;
  end if;

  if to_regprocedure('auth.role()') is null then
    execute $ddl$
      create function auth.role() returns text language sql stable as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
        )::text
      $fn$
    $ddl$;
  end if;

  if to_regprocedure('auth.email()') is null then
    execute $ddl$
      create function auth.email() returns text language sql stable as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim.email', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
        )::text
      $fn$
    $ddl$;
  end if;

  if to_regprocedure('auth.jwt()') is null then
    execute $ddl$
      create function auth.jwt() returns jsonb language sql stable as $fn$
        select coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')
        )::jsonb
      $fn$
    $ddl$;
  end if;
end
$shim$;

grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Private schema for the sensor's own bookkeeping (never exposed through the API roles).
create schema if not exists securenet;
revoke all on schema securenet from public;

create table if not exists securenet.settings (
  key text primary key,
  value text not null
);

-- Password hashing through pgcrypto, wherever the extension lives (public on plain
-- PostgreSQL, `extensions` on Supabase). bcrypt with cost 10, written as $2a$ like GoTrue;
-- $2b$/$2y$ hashes are read as $2a$ (pgcrypto only understands $2a$).
create or replace function securenet.hash_password(p text) returns text
language sql volatile set search_path = extensions, public, pg_catalog as $fn$
  select crypt(p, gen_salt('bf', 10))
$fn$;

create or replace function securenet.verify_password(p text, h text) returns boolean
language sql stable set search_path = extensions, public, pg_catalog as $fn$
  select h is not null and length(h) > 7 and
         crypt(p, regexp_replace(h, '^\$2[by]\$', '$2a$')) =
         regexp_replace(h, '^\$2[by]\$', '$2a$')
$fn$;
