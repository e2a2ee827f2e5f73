import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig } from '../config.ts';
import { I18nProvider, initialLang } from '../i18n.tsx';
import { FieldApp } from './FieldApp.tsx';
import './field.css';

/**
 * The field engineers' app (docs/field-service.md): React without Ant Design, to stay small on a phone
 * network; the console's session, config and dictionary. The service worker keeps the app on the phone.
 */
async function start() {
  const root = createRoot(document.getElementById('root')!);
  try {
    const config = await loadConfig();
    const lang = initialLang();
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    root.render(
      <StrictMode>
        <I18nProvider lang={lang}>
          <FieldApp config={config} />
        </I18nProvider>
      </StrictMode>,
    );
  } catch (error) {
    root.render(<p role="alert">Gongdan field app failed to start: {String(error)}</p>);
  }
  if ('serviceWorker' in navigator) {
    void navigator.serviceWorker.register(`${import.meta.env.BASE_URL}field/sw.js`, {
      scope: `${import.meta.env.BASE_URL}field/`,
    });
  }
}

void start();
