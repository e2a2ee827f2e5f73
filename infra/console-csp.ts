/**
 * The console's Content-Security-Policy, one definition for CloudFront's response headers policy and for
 * the local runtime that serves the same files. Ant Design (CSS-in-JS) injects <style> elements at run
 * time, so styles need 'unsafe-inline'; scripts do not, so inline or injected scripts are still refused.
 */
export function consoleCsp(
  extra: { connect?: readonly string[]; formAction?: readonly string[] } = {},
): string {
  const more = (sources: readonly string[] | undefined) => (sources?.length ? ` ${sources.join(' ')}` : '');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${more(extra.connect)}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    `form-action 'self'${more(extra.formAction)}`,
    "object-src 'none'",
  ].join('; ');
}
