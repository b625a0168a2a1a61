// App shell: top bar with navigation, stream state, user and logout.
import type { ReactNode } from 'react';
import { useAuth } from '../api/context';
import { useLive } from '../api/live';
import { Link, useRouter } from '../lib/router';
import { useRole, type Action } from '../lib/roles';
import { StateDot } from './ui';

// `need`: shown only to roles that may use the page (admin pages).
const NAV: { to: string; label: string; id: string; need?: Action }[] = [
  { to: '/', label: 'Overview', id: 'nav-overview' },
  { to: '/hosts', label: 'Top talkers', id: 'nav-hosts' },
  { to: '/alerts', label: 'Alerts', id: 'nav-alerts' },
  { to: '/blocks', label: 'Blocks', id: 'nav-blocks' },
  { to: '/sensors', label: 'Sensors', id: 'nav-sensors' },
  { to: '/config', label: 'Configuration', id: 'nav-config' },
  { to: '/analyze', label: 'Analyse', id: 'nav-analyze', need: 'analyze' },
  { to: '/audit', label: 'Audit', id: 'nav-audit', need: 'audit' },
];

export function Layout({ children }: { children: ReactNode }) {
  const { api, session } = useAuth();
  const { stream, status } = useLive();
  const { path } = useRouter();
  const { role, can } = useRole();
  const active = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  const dp = status?.dataplane.state;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M8 12.5 11 15l5-6" fill="none" stroke="currentColor" strokeWidth="2" />
          </svg>
          <span>SecureNet <b>Sensor</b></span>
        </div>
        <nav className="nav">
          {NAV.filter((n) => !n.need || can(n.need)).map((n) => (
            <Link key={n.to} to={n.to} testId={n.id} className={active(n.to) ? 'active' : ''}>{n.label}</Link>
          ))}
        </nav>
        <div className="topbar-right">
          <StateDot
            testId="stream-state"
            tone={stream === 'live' ? 'ok' : 'warn'}
            label={stream === 'live' ? 'Live' : stream === 'connecting' ? 'Connecting' : 'Reconnecting'}
          />
          {dp && <StateDot tone={dp === 'up' ? 'ok' : dp === 'stale' ? 'warn' : 'bad'} label={`Dataplane ${dp}`} />}
          <span className="user" data-testid="user-email">{session?.user.email}</span>
          <span className={`role role-${role}`} data-testid="user-role" title="Your role on this sensor">{role}</span>
          <button className="btn btn-ghost" data-testid="logout" onClick={() => { void api.logout(); }}>Log out</button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
