-- Issue 16: BGP blocks (control/src/block/) are audited: `block`, `unblock` and
-- `block_refused` join the actions audit_log accepts (0008's check listed the others only,
-- so the writer would have rejected these rows as bad data).
alter table public.audit_log drop constraint if exists audit_log_action_check;
alter table public.audit_log add constraint audit_log_action_check check (action in (
  'config_change', 'alert_resolve', 'metrics_reset', 'login_success', 'login_failure', 'logout',
  'block', 'unblock', 'block_refused'));
