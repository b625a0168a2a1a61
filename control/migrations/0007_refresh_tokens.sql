-- Login refresh tokens: only a SHA-256 hash is stored; each token is used once.
create table if not exists securenet.refresh_tokens (
  token_hash text primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  replaced_by text
);
create index if not exists refresh_tokens_user_idx on securenet.refresh_tokens (user_id);
create index if not exists refresh_tokens_expiry_idx on securenet.refresh_tokens (expires_at);
revoke all on securenet.refresh_tokens from public;
