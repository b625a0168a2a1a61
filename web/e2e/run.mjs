// End-to-end test of the dashboard in Debian's Chromium (playwright-core, no browser download).
// Needs a running sensor: SECURENET_URL, SECURENET_EMAIL, SECURENET_PASSWORD.
// Screenshots go to <repo>/test-output/browser/ (or SECURENET_SCREENSHOT_DIR).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const url = (process.env.SECURENET_URL ?? '').replace(/\/+$/, '');
const email = process.env.SECURENET_EMAIL ?? '';
const password = process.env.SECURENET_PASSWORD ?? '';
const browserPath = process.env.SECURENET_CHROMIUM ?? '/usr/bin/chromium';
const shots = process.env.SECURENET_SCREENSHOT_DIR ?? path.resolve(here, '../../test-output/browser');
const ALERT_WAIT_MS = Number(process.env.SECURENET_ALERT_WAIT_MS ?? 90000);
// Generous: CI runs this on a busy 2-core box. Waits end as soon as their condition holds.
const STEP_TIMEOUT_MS = Number(process.env.SECURENET_E2E_TIMEOUT_MS ?? 60000);

if (!url || !email || !password) {
  console.error('e2e: set SECURENET_URL, SECURENET_EMAIL and SECURENET_PASSWORD');
  process.exit(2);
}
if (!fs.existsSync(browserPath)) {
  console.error(`e2e: SKIP: no Chromium at ${browserPath} (apt-get install chromium)`);
  process.exit(77);
}
fs.mkdirSync(shots, { recursive: true });

const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'securenet-e2e-chromium-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: browserPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  viewport: { width: 1440, height: 900 },
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(STEP_TIMEOUT_MS);
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));

let step = '';
const t0 = Date.now();
const log = (s) => { step = s; console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`); };
// Screenshots are artifacts, not assertions: one that times out on a slow machine is
// reported (and listed at the end) but does not fail the run.
const shotFailures = [];
const shot = async (name) => {
  try {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true, animations: 'disabled',
      timeout: STEP_TIMEOUT_MS });
  } catch (e) {
    shotFailures.push(name);
    console.warn(`[e2e] screenshot ${name} not taken (artifact only): ${String(e).split('\n')[0]}`);
  }
};
const tid = (id) => page.getByTestId(id);

async function text(id) { return ((await tid(id).textContent()) ?? '').trim(); }

try {
  log('opening the dashboard: signed out, so the login page shows');
  await page.goto(url + '/');
  await page.waitForURL('**/login');
  await tid('login-form').waitFor();

  log('a wrong password is refused with a visible message');
  await tid('login-email').fill(email);
  await tid('login-password').fill(password + '-wrong');
  await tid('login-submit').click();
  await tid('login-error').waitFor();
  assert.match(await text('login-error'), /wrong email or password|too many attempts/i);
  assert.equal(new URL(page.url()).pathname, '/login');
  await shot('01-login-refused');

  log('signing in');
  await tid('login-password').fill(password);
  await tid('login-submit').click();
  await tid('stat-pps').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await text('user-email'), email);

  log('the packet rate moves');
  // data-value carries the raw pps of the latest tick; it must be > 0 and change.
  const ppsValue = () => page.evaluate(() =>
    document.querySelector('[data-testid="stat-pps"]')?.getAttribute('data-value') ?? '');
  await page.waitForFunction(() =>
    Number(document.querySelector('[data-testid="stat-pps"]')?.getAttribute('data-value') ?? 0) > 0,
  null, { timeout: STEP_TIMEOUT_MS });
  const pps1 = await ppsValue();
  await page.waitForFunction((first) =>
    (document.querySelector('[data-testid="stat-pps"]')?.getAttribute('data-value') ?? first) !== first,
  pps1, { timeout: STEP_TIMEOUT_MS });
  const pps2 = await ppsValue();
  console.log(`    pps ${pps1} -> ${pps2} (shown: ${await text('stat-pps')})`);
  assert.notEqual(pps1, pps2);
  assert.ok(Number(pps2) > 0);
  await tid('health-dataplane').waitFor();
  assert.match(await text('health-dataplane'), /up|stale/i);
  await page.locator('[data-testid="chart-pps"] canvas').waitFor();
  await page.waitForTimeout(1500);
  await shot('02-overview');

  log('the session survives a reload');
  await page.reload();
  await tid('stat-pps').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');

  log('large monitor layout');
  await page.setViewportSize({ width: 2560, height: 1440 });
  await page.waitForTimeout(1200);
  await shot('03-overview-2560');
  await page.setViewportSize({ width: 1440, height: 900 });

  log('top talkers: sortable, a click opens the host view');
  await tid('nav-hosts').click();
  await tid('host-row').first().waitFor();
  await tid('sort-bps').click();
  await page.waitForTimeout(300);
  await shot('04-hosts');
  const ip = await tid('host-row').first().getAttribute('data-ip');
  await tid('host-row').first().click();
  await tid('host-ip').waitFor();
  assert.equal(await text('host-ip'), ip);
  await tid('host-pps').waitFor();
  await page.waitForTimeout(2500);
  await shot('05-host');

  log('configuration: a server validation error shows beside the field');
  await tid('nav-config').click();
  await tid('input-traffic_sent_pps').waitFor();
  const blacklist = await tid('input-protocol_blacklist').inputValue();
  await tid('input-protocol_blacklist').fill(`${blacklist}, FOO`);
  await tid('config-save').click();
  await tid('field-error-protocol_blacklist').waitFor();
  assert.match(await text('field-error-protocol_blacklist'), /FOO/);
  await shot('06-config-invalid');
  await tid('input-protocol_blacklist').fill(blacklist);

  log('configuration: a changed threshold is saved');
  const before = await tid('input-traffic_sent_pps').inputValue();
  const changed = String(Number(before) + 250);
  await tid('input-traffic_sent_pps').fill(changed);
  await tid('config-save').click();
  await tid('config-saved').waitFor();
  await shot('07-config-saved');
  await page.reload();
  await tid('input-traffic_sent_pps').waitFor();
  assert.equal(Number(await tid('input-traffic_sent_pps').inputValue()), Number(changed));
  await tid('input-traffic_sent_pps').fill(before);
  await tid('config-save').click();
  await tid('config-saved').waitFor();

  log('alerts: the ICMP flood raises an open alert');
  await tid('nav-alerts').click();
  await tid('filter-status').selectOption('open');
  const icmp = page.locator('[data-testid="alert-row"][data-status="open"][data-protocol*="icmp" i]').first();
  await icmp.waitFor({ timeout: ALERT_WAIT_MS });
  const alertId = await icmp.getAttribute('data-id');
  await shot('08-alerts');

  log(`alert detail: ${alertId} (issue 16: capture, actions)`);
  await page.locator(`[data-testid="alert-row"][data-id="${alertId}"]`).getByTestId('alert-link').click();
  await tid('alert-detail').waitFor();
  assert.equal(await text('alert-id'), alertId);
  await tid('alert-actions').waitFor();
  // The capture (of the first host alert to open) is written when its window ends; this
  // alert may not be the captured one: either the packets or the "no capture" note.
  await page.locator('[data-testid="packets-table"], [data-testid="capture-card"] .empty').first().waitFor();
  if (await tid('packets-table').count()) {
    assert.ok((await tid('packet-row').count()) > 0, 'capture without packet rows');
    await tid('pcap-download').waitFor();
  }
  await shot('08b-alert-detail');
  await tid('nav-alerts').click();
  await tid('filter-status').selectOption('open');

  log(`alerts: resolving ${alertId}`);
  // By id: the list re-sorts as new alerts arrive, so "first ICMP row" may move.
  await page.locator(`[data-testid="alert-row"][data-id="${alertId}"]`).getByTestId('resolve-button').click();
  await page.locator(`[data-testid="alert-row"][data-id="${alertId}"][data-status="open"]`).waitFor({ state: 'detached' });
  await tid('filter-status').selectOption('resolved');
  const resolved = page.locator(`[data-testid="alert-row"][data-id="${alertId}"]`);
  await resolved.waitFor();
  assert.equal((await resolved.getByTestId('alert-status').textContent())?.trim(), 'resolved');
  await shot('09-alerts-resolved');

  log('analyse a capture (admin): a one-packet pcap uploaded from the page');
  await tid('nav-analyze').click();
  const onePacket = Buffer.concat([
    Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]),
    Buffer.from([0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0, 60, 0, 0, 0, 60, 0, 0, 0]),
    Buffer.alloc(60),
  ]);
  await tid('analysis-file').setInputFiles({ name: 'one.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: onePacket });
  await tid('analysis-run').click();
  await tid('analysis-result').waitFor();
  assert.equal(await tid('analysis-packets').getAttribute('data-value'), '1');
  await shot('09b-analyse');

  log('blocks (admin): a prefix dropped in mode xdp from the Blocks page, then unblocked');
  await tid('nav-blocks').click();
  await page.locator('[data-testid="blocks-cap"], [data-testid="blocks-disabled"]').first().waitFor();
  if (await tid('blocks-disabled').count()) {
    // run-e2e.sh starts its own sensor with a block config; a sensor given by SECURENET_URL may have none.
    console.log('[e2e] blocks: SKIPPED (blocking is disabled on this sensor: no --block-config)');
  } else {
    const net = '198.51.100.0/24';
    const rowOf = (name) => page.locator('[data-testid="block-row"]').filter({
      has: page.locator('[data-testid="block-name"]', { hasText: name }) });
    const banner = page.getByRole('alert');
    // Refused in the browser: no request, the reason beside the field.
    await tid('block-target').fill('10.0.0.0/24/../../api/config');
    await tid('block-submit').click();
    await tid('block-invalid').waitFor();
    // Refused by the sensor: its message as it is.
    await tid('block-target').fill('198.51.100.7/24');
    await tid('block-mode').selectOption('xdp');
    await tid('block-submit').click();
    await banner.waitFor();
    assert.equal((await banner.textContent())?.trim(),
      'prefix: host bits are set in 198.51.100.7/24 (its network is 198.51.100.0/24)');
    await tid('block-target').fill(net);
    await tid('block-ban').fill('600');
    await tid('block-submit').click();
    await rowOf(net).waitFor();
    await banner.waitFor({ state: 'detached' });
    assert.equal((await rowOf(net).getByTestId('block-mode-cell').textContent())?.trim(), 'xdp');
    assert.equal((await rowOf(net).getByTestId('block-state').textContent())?.trim(), 'active');
    await page.locator('[data-testid="recent-row"]', { hasText: net }).filter({ hasText: 'announce' }).first().waitFor();
    await tid('block-target').fill(net);
    await tid('block-submit').click();
    await banner.waitFor();
    assert.equal((await banner.textContent())?.trim(), `${net} is already blocked`);
    await shot('09c-blocks');
    page.once('dialog', (d) => { void d.accept(); });
    await rowOf(net).getByTestId('block-unblock').click();
    await rowOf(net).waitFor({ state: 'detached' });
    await page.locator('[data-testid="recent-row"]', { hasText: net }).filter({ hasText: 'withdraw' }).first().waitFor();
  }

  log('logout clears the session');
  await tid('logout').click();
  await tid('login-form').waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(await page.evaluate(() => localStorage.getItem('securenet.session')), null);
  await page.goto(url + '/alerts');
  await tid('login-form').waitFor();

  log('an expired session (refresh refused) returns to login with a message');
  await page.evaluate(() => localStorage.setItem('securenet.session', JSON.stringify({
    access_token: 'expired.token.value', refresh_token: 'no-such-refresh-token',
    expires_at_ms: 0, user: { id: 'x', email: 'expired@example.com' },
  })));
  await page.goto(url + '/');
  await tid('session-expired').waitFor();
  assert.equal(new URL(page.url()).pathname, '/login');
  await shot('10-session-expired');

  assert.deepEqual(consoleErrors, [], 'uncaught errors in the page');
  if (shotFailures.length) console.warn(`[e2e] screenshots not taken: ${shotFailures.join(', ')}`);
  log('PASS');
} catch (e) {
  console.error(`e2e FAILED at step "${step}": ${e?.stack ?? e}`);
  await shot('failure').catch(() => {});
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userData, { recursive: true, force: true });
}
