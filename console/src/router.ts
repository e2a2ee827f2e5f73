import { useSyncExternalStore } from 'react';

/** A few screens need no router library: paths under the app's base, with history push and back. */
const base = import.meta.env.BASE_URL.replace(/\/$/, '');

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** The path inside the app, e.g. `/tickets/abc` for `/console/tickets/abc`. */
export function currentPath(): string {
  const path = window.location.pathname;
  return path.startsWith(base) ? path.slice(base.length) || '/' : path;
}

export function navigate(path: string, options: { replace?: boolean } = {}) {
  const url = `${base}${path}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const l of listeners) l();
}

export function usePath(): string {
  return (
    useSyncExternalStore(
      (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      () => window.location.pathname + window.location.search,
    ).slice(base.length) || '/'
  );
}

export const href = (path: string) => `${base}${path}`;
