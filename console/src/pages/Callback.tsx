import { Alert, Spin } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app-context.ts';
import { completeSignIn } from '../auth/cognito.ts';
import { navigate } from '../router.ts';
import { returnToKey, sessionFromToken } from '../session.ts';

/** Where the Cognito Hosted UI returns with `?code=`: exchange it (PKCE) and sign in. */
export default function Callback() {
  const { config, signIn } = useApp();
  const [error, setError] = useState<string | null>(null);
  // The code can be exchanged once: signing in re-renders the app, which must not run this again.
  const started = useRef(false);
  useEffect(() => {
    if (!config.cognito || started.current) return;
    started.current = true;
    completeSignIn(config.cognito, window.location.href).then(
      (tokens) => {
        signIn(sessionFromToken(tokens.idToken));
        const back = sessionStorage.getItem(returnToKey);
        sessionStorage.removeItem(returnToKey);
        navigate(back?.startsWith('/') && !back.startsWith('/callback') ? back : '/', { replace: true });
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [config, signIn]);
  return error ? <Alert type="error" showIcon message={error} /> : <Spin />;
}
