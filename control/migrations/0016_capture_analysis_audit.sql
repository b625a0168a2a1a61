-- Issue 13 item 5: an admin's offline analysis of an uploaded capture (POST /api/analyze) is
-- audited as `capture_analysed` (details: the file's size, packets and alerts). The check is
-- redefined with every earlier action (0008: config_change, alert_resolve, metrics_reset,
-- login_success, login_failure, logout; 0013: block, unblock, block_refused) plus the new one.
alter table public.audit_log drop constraint if exists audit_log_action_check;
alter table public.audit_log add constraint audit_log_action_check check (action in (
  'config_change', 'alert_resolve', 'metrics_reset', 'login_success', 'login_failure', 'logout',
  'block', 'unblock', 'block_refused', 'capture_analysed'));
