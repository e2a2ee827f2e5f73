import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Api, Directory } from './api.ts';
import type { ConsoleConfig } from './config.ts';
import type { Session } from './session.ts';

export interface AppContextValue {
  config: ConsoleConfig;
  api: Api;
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}

/** Names and labels (teams, agents, statuses, intents); staff only, cached for a minute. */
export function useDirectory() {
  const { api, session } = useApp();
  return useQuery({
    queryKey: ['directory'],
    queryFn: () => api.get<Directory>('/directory'),
    enabled: !!session,
    staleTime: 60_000,
  });
}
