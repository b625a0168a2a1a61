// React access to the API client and the session.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiClient } from './client';
import type { Session } from './types';

interface AuthState {
  api: ApiClient;
  session: Session | null;
  /** Set when the session ended on its own (expired / refresh refused). */
  expired: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => api.session());
  const [expired, setExpired] = useState(false);
  useEffect(() => api.onSessionChange((s, reason) => {
    setSession(s);
    setExpired(reason === 'expired');
  }), [api]);
  // Renew the access token a minute before it expires, so the event stream never lapses.
  useEffect(() => {
    if (!session) return;
    const wait = Math.max(5_000, session.expires_at_ms - Date.now() - 60_000);
    const t = setTimeout(() => { api.refresh(); }, Math.min(wait, 2_147_000_000));
    return () => clearTimeout(t);
  }, [api, session]);
  return <AuthContext.Provider value={{ api, session, expired }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

export const useApi = () => useAuth().api;
