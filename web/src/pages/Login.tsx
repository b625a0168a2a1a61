import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useAuth } from '../api/context';
import { useRouter } from '../lib/router';

export function loginMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return 'Wrong email or password.';
    if (e.status === 429) return 'Too many attempts. Wait a minute and try again.';
    if (e.status === 400) return e.detail || 'Enter an email and a password.';
    if (e.status === 0) return 'Cannot reach the sensor. Is securenet-control running?';
    return `Sign-in failed: ${e.detail || e.code}`;
  }
  return 'Sign-in failed.';
}

export function Login() {
  const { api, expired } = useAuth();
  const { navigate } = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(email.trim(), password);
      navigate('/', true);
    } catch (err) {
      setError(loginMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="login-wrap">
      <form className="login card" onSubmit={submit} data-testid="login-form">
        <div className="login-brand">
          <svg viewBox="0 0 24 24" width="34" height="34" aria-hidden="true">
            <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z" fill="none" stroke="currentColor" strokeWidth="1.8" />
            <path d="M8 12.5 11 15l5-6" fill="none" stroke="currentColor" strokeWidth="1.8" />
          </svg>
          <h1>SecureNet Sensor</h1>
          <p>Sign in to the network dashboard</p>
        </div>
        {expired && !error && (
          <div className="banner banner-warn" data-testid="session-expired">Your session expired. Please sign in again.</div>
        )}
        {error && <div className="banner banner-error" role="alert" data-testid="login-error">{error}</div>}
        <label className="field">
          <span>Email</span>
          <input type="email" autoComplete="username" required autoFocus value={email}
            onChange={(e) => setEmail(e.target.value)} data-testid="login-email" />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </label>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
