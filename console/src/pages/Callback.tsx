import { Alert, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.ts';
import { completeSignIn } from '../auth/cognito.ts';
import { navigate } from '../router.ts';
import { sessionFromToken } from '../session.ts';

/** Where the Cognito Hosted UI returns with `?code=`: exchange it (PKCE) and sign in. */
export default function Callback() {
  const { config, signIn } = useApp();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!config.cognito) return;
    completeSignIn(config.cognito, window.location.href).then(
      (tokens) => {
        signIn(sessionFromToken(tokens.idToken));
        navigate('/', { replace: true });
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [config, signIn]);
  return error ? <Alert type="error" showIcon message={error} /> : <Spin />;
}
