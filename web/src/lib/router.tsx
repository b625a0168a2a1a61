// Minimal history-API router: paths /login, /, /hosts, /hosts/:ip, /alerts, /config, /blocks, ...
import { createContext, useContext, useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const RouterContext = createContext<{ path: string; navigate: (to: string, replace?: boolean) => void }>({
  path: '/',
  navigate: () => {},
});

export function RouterProvider({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string, replace = false) => {
    if (to === window.location.pathname) return;
    if (replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setPath(to);
    window.scrollTo?.(0, 0);
  };
  return <RouterContext.Provider value={{ path, navigate }}>{children}</RouterContext.Provider>;
}

export const useRouter = () => useContext(RouterContext);

export function Link(props: { to: string; className?: string; children: ReactNode; testId?: string }) {
  const { navigate } = useRouter();
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} className={props.className} onClick={onClick} data-testid={props.testId}>
      {props.children}
    </a>
  );
}

export type Route =
  | { name: 'login' } | { name: 'overview' } | { name: 'hosts' }
  | { name: 'host'; ip: string } | { name: 'alerts' } | { name: 'alert'; id: string } | { name: 'config' } | { name: 'audit' } | { name: 'sensors' }
  | { name: 'analyze' } | { name: 'blocks' }
  | { name: 'notfound' };

export function matchRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/login') return { name: 'login' };
  if (p === '/') return { name: 'overview' };
  if (p === '/hosts') return { name: 'hosts' };
  if (p.startsWith('/hosts/')) return { name: 'host', ip: decodeURIComponent(p.slice(7)) };
  if (p === '/alerts') return { name: 'alerts' };
  if (p.startsWith('/alerts/')) return { name: 'alert', id: decodeURIComponent(p.slice(8)) };
  if (p === '/config') return { name: 'config' };
  if (p === '/audit') return { name: 'audit' };
  if (p === '/sensors') return { name: 'sensors' };
  if (p === '/analyze') return { name: 'analyze' };
  if (p === '/blocks') return { name: 'blocks' };
  return { name: 'notfound' };
}
