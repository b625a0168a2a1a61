import { useEffect, useRef, useState } from 'react';

/** Calls `load` now and every `ms`; keeps the last result and error. */
export function usePoll<T>(load: () => Promise<T>, ms: number, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const fn = useRef(load);
  fn.current = load;
  useEffect(() => {
    let stop = false;
    const run = () => fn.current()
      .then((d) => { if (!stop) { setData(d); setError(null); } })
      .catch((e: Error) => { if (!stop) setError(e); });
    run();
    const t = setInterval(run, ms);
    return () => { stop = true; clearInterval(t); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ms, ...deps]);
  return { data, error, setData };
}
