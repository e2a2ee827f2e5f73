import { theme } from 'antd';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api.ts';

/** Form.Item props for a field the API named: its message, or nothing. */
export type FieldError = (key: string, alsoExact?: string[]) => { validateStatus?: 'error'; help?: string };

/**
 * The API's field errors for a settings form: kept by path (`policies.0.targets.firstResponse.minutes`),
 * shown beside the inputs, the first one scrolled into view after a refused save.
 */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const reveal = useRef(false);

  useEffect(() => {
    if (!reveal.current || Object.keys(errors).length === 0) return;
    reveal.current = false;
    document.querySelector('.ant-form-item-has-error')?.scrollIntoView({ block: 'center' });
  }, [errors]);

  /** Takes a refused save's field errors (the first message per path) and brings the first into view. */
  const show = useCallback((error: ApiError) => {
    const byField: Record<string, string> = {};
    for (const f of error.fields) byField[f.path] ??= f.message;
    reveal.current = error.fields.length > 0;
    setErrors(byField);
  }, []);

  /** The API's message for a field (its path, a path under it, or one of `alsoExact`). */
  const fieldError = useCallback<FieldError>(
    (key, alsoExact = []) => {
      const text =
        errors[key] ??
        alsoExact.map((k) => errors[k]).find((m) => m !== undefined) ??
        Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1];
      return text ? { validateStatus: 'error', help: text } : {};
    },
    [errors],
  );

  /** Indexes in the error paths refer to the lists as sent: once one changes shape they no longer fit. */
  const clear = useCallback(() => setErrors({}), []);

  return { errors, show, fieldError, clear };
}

/** A long form's save buttons and outcome, kept in view at the bottom of the window. */
export function StickyBar({ children, style }: { children: ReactNode; style?: React.CSSProperties }) {
  const { token } = theme.useToken();
  return (
    <div
      style={{
        position: 'sticky',
        bottom: 0,
        zIndex: 3,
        padding: '12px 0',
        background: token.colorBgContainer,
        borderTop: `1px solid ${token.colorBorderSecondary}`,
        ...style,
      }}
    >
      {children}
    </div>
  );
}
