import { useEffect, useState } from 'react';

/**
 * The server's time as the console counts down against it. The local runtime may run a scaled
 * virtual clock (`--time-scale`), so its `/dev/clock` is followed; elsewhere the clock is the browser's.
 */
let anchor = { server: Date.now(), local: Date.now(), scale: 1 };

export async function syncClock(baseUrl: string, local: boolean) {
  if (!local) return;
  try {
    const response = await fetch(`${baseUrl}/dev/clock`);
    if (!response.ok) return;
    const { now, timeScale } = (await response.json()) as { now: string; timeScale: number };
    anchor = { server: Date.parse(now), local: Date.now(), scale: timeScale || 1 };
  } catch {
    // Stay on the browser's clock.
  }
}

export const serverNow = () => anchor.server + (Date.now() - anchor.local) * anchor.scale;

/** Re-renders every `ms` with the server's current time. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
