// What the signed-in user's role allows (API.md "Roles"): the dashboard hides what the
// server would refuse. The role comes from the login answer (user.role) or, for tokens
// minted elsewhere (Supabase), from the access token's app_metadata.securenet_role;
// viewer when neither says.
import { useAuth } from '../api/context';
import type { Role, Session } from '../api/types';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export type Action = 'resolve' | 'config' | 'reset' | 'audit' | 'block' | 'pcap' | 'analyze';
const NEEDS: Record<Action, Role> = {
  resolve: 'operator', config: 'admin', reset: 'admin', audit: 'admin', block: 'admin', pcap: 'operator', analyze: 'admin',
};

function isRole(v: unknown): v is Role {
  return v === 'viewer' || v === 'operator' || v === 'admin';
}

/** app_metadata.securenet_role of a JWT's payload (not verified: display only). */
export function roleFromToken(token: string): Role | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const role = (JSON.parse(json) as { app_metadata?: { securenet_role?: unknown } }).app_metadata?.securenet_role;
    return isRole(role) ? role : null;
  } catch {
    return null;
  }
}

export function roleOf(session: Session | null): Role {
  if (!session) return 'viewer';
  if (isRole(session.user?.role)) return session.user.role;
  return roleFromToken(session.access_token) ?? 'viewer';
}

export function can(role: Role, action: Action): boolean {
  return RANK[role] >= RANK[NEEDS[action]];
}

export function useRole(): { role: Role; can: (a: Action) => boolean } {
  const role = roleOf(useAuth().session);
  return { role, can: (a: Action) => can(role, a) };
}
