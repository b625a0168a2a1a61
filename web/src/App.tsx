import { useEffect } from 'react';
import { ApiClient } from './api/client';
import { AuthProvider, useAuth } from './api/context';
import { LiveProvider } from './api/live';
import { Layout } from './components/Layout';
import { Empty } from './components/ui';
import { matchRoute, RouterProvider, useRouter } from './lib/router';
import { Alerts } from './pages/Alerts';
import { AlertDetail } from './pages/AlertDetail';
import { Config } from './pages/Config';
import { HostView } from './pages/HostView';
import { Hosts } from './pages/Hosts';
import { Login } from './pages/Login';
import { Overview } from './pages/Overview';
import { Audit } from './pages/Audit';
import { Analyze } from './pages/Analyze';
import { Sensors } from './pages/Sensors';
import { Blocks } from './pages/Blocks';
import { can, roleOf } from './lib/roles';

function Routes() {
  const { session } = useAuth();
  const { path, navigate } = useRouter();
  const route = matchRoute(path);

  // Signed out (logout, expiry) -> /login; signed in on /login -> overview.
  useEffect(() => {
    if (!session && route.name !== 'login') navigate('/login', true);
    if (session && route.name === 'login') navigate('/', true);
  }, [session, route.name, navigate]);

  if (!session || route.name === 'login') return session ? null : <Login />;
  let page;
  switch (route.name) {
    case 'overview': page = <Overview />; break;
    case 'hosts': page = <Hosts />; break;
    case 'host': page = <HostView ip={route.ip} />; break;
    case 'alerts': page = <Alerts />; break;
    case 'alert': page = <AlertDetail id={route.id} />; break;
    case 'config': page = <Config />; break;
    case 'sensors': page = <Sensors />; break;
    case 'blocks': page = <Blocks />; break;
    case 'audit': page = can(roleOf(session), 'audit') ? <Audit />
      : <div className="page"><Empty>The audit log needs the admin role.</Empty></div>; break;
    case 'analyze': page = can(roleOf(session), 'analyze') ? <Analyze />
      : <div className="page"><Empty>Analysing a capture needs the admin role.</Empty></div>; break;
    default: page = <div className="page"><Empty>Page not found</Empty></div>;
  }
  return (
    <LiveProvider>
      <Layout>{page}</Layout>
    </LiveProvider>
  );
}

export function App({ api = new ApiClient() }: { api?: ApiClient }) {
  return (
    <AuthProvider api={api}>
      <RouterProvider>
        <Routes />
      </RouterProvider>
    </AuthProvider>
  );
}
