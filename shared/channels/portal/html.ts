/**
 * HTML output, escaped by construction. `html` is a tagged template: every interpolated value is
 * escaped with `escapeHtml` unless it is already `SafeHtml` (the result of another `html` template);
 * arrays are rendered item by item; `null`, `undefined` and `false` render as nothing. There is no
 * other way to put text into a page, so one function decides what is safe.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for HTML element content and for quoted attribute values: `& < > " ' \``. Control
 * characters other than tab and line breaks are dropped (they are not allowed in HTML text).
 */
export function escapeHtml(value: unknown): string {
  return (
    String(value)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/[&<>"'`]/g, (c) => entities[c]!)
  );
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** Builds markup from a template whose interpolations are escaped (see the module comment). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}
