// Small presentational pieces shared by the pages.
import type { ReactNode } from 'react';
import type { Severity } from '../api/types';

export function Card(props: { title?: ReactNode; extra?: ReactNode; className?: string; children: ReactNode; testId?: string }) {
  return (
    <section className={`card ${props.className ?? ''}`} data-testid={props.testId}>
      {(props.title || props.extra) && (
        <header className="card-head">
          <h2>{props.title}</h2>
          {props.extra}
        </header>
      )}
      {props.children}
    </section>
  );
}

export function Stat(props: { label: string; value: ReactNode; raw?: number; sub?: ReactNode; testId?: string; tone?: string }) {
  return (
    <div className={`stat ${props.tone ? 'tone-' + props.tone : ''}`}>
      <div className="stat-label">{props.label}</div>
      <div className="stat-value" data-testid={props.testId} data-value={props.raw}>{props.value}</div>
      {props.sub !== undefined && <div className="stat-sub">{props.sub}</div>}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`badge sev-${severity.toLowerCase()}`} data-testid="alert-severity">{severity}</span>;
}

export function StateDot({ tone, label, testId }: { tone: 'ok' | 'warn' | 'bad' | 'idle'; label: string; testId?: string }) {
  return (
    <span className={`state state-${tone}`} data-testid={testId}>
      <i className="dot" />{label}
    </span>
  );
}

export function ErrorBanner({ error }: { error: string | null }) {
  if (!error) return null;
  return <div className="banner banner-error" role="alert">{error}</div>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}
