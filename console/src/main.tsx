import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, apiClient } from './api.ts';
import { AppContext, type AppContextValue } from './app-context.ts';
import { syncClock } from './clock.ts';
import { type ConsoleConfig, loadConfig } from './config.ts';
import { I18nProvider, initialLang, useI18n } from './i18n.tsx';
import { initialScope, queueOptions, queueQuery } from './pages/Queue.tsx';
import { Shell } from './Shell.tsx';
import './console.css';
import { loadSession, type Session, saveSession } from './session.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

function Root({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const value = useMemo<AppContextValue>(() => {
    const signOut = () => {
      saveSession(null);
      queryClient.clear();
      setSession(null);
    };
    return {
      config,
      session,
      api: apiClient({
        baseUrl: config.apiUrl,
        token: () => loadSession()?.token ?? null,
        onUnauthorized: signOut,
      }),
      signIn(next) {
        saveSession(next);
        queryClient.clear();
        setSession(next);
      },
      signOut,
    };
  }, [config, session]);
  return (
    <AppContext.Provider value={value}>
      <Localised />
    </AppContext.Provider>
  );
}

/** Ant Design's defaults, darkened where axe finds text below WCAG AA contrast (4.5:1). */
const theme = {
  token: {
    colorPrimary: '#1d5fbf',
    colorLink: '#1d5fbf',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    // Field errors are text: the default red (#ff4d4f, 3.3:1 on white) is below AA; this is 5.1:1.
    colorError: '#cf1322',
    // A default button's hover text is the primary hover colour: the derived light blue fails AA.
    colorPrimaryHover: '#174c99',
  },
};

function Localised() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme}>
      <AntApp>
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}

async function start() {
  const root = createRoot(document.getElementById('root')!);
  try {
    const config = await loadConfig();
    // Countdowns follow the server's clock once it answers; the first paint does not wait for it.
    void syncClock(config.apiUrl, config.mode === 'local');
    // The first screen's data is requested now, while React and Ant Design render their first frame.
    const session = loadSession();
    if (
      session &&
      window.location.pathname.replace(/\/$/, '') === import.meta.env.BASE_URL.replace(/\/$/, '')
    ) {
      const api = apiClient({ baseUrl: config.apiUrl, token: () => session.token, onUnauthorized: () => {} });
      const scope = initialScope(session.user.roles);
      void queryClient.prefetchInfiniteQuery(queueOptions(api, queueQuery(scope, {}, session.user.id)));
    }
    const lang = initialLang();
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <I18nProvider lang={lang}>
            <Root config={config} />
          </I18nProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  } catch (error) {
    root.render(<p role="alert">Gongdan console failed to start: {String(error)}</p>);
  }
}

void start();
