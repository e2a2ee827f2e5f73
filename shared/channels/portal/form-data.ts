import { DomainError } from '../../domain/errors.ts';
import { isPrototypeKey } from '../../domain/safe-record.ts';

/** One uploaded file of a `multipart/form-data` body. */
export interface FormFile {
  field: string;
  /** As the browser sent it (may hold a path on old browsers); sanitize before storing. */
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export interface FormLimits {
  maxFields: number;
  maxFieldBytes: number;
  maxFiles: number;
  maxFileBytes: number;
}

export const defaultFormLimits: FormLimits = {
  maxFields: 50,
  maxFieldBytes: 64 * 1024,
  maxFiles: 5,
  maxFileBytes: 4 * 1024 * 1024,
};

const malformed = (message: string) => new DomainError('invalid', 'REQUEST.MALFORMED_FORM', message);

const tooLarge = (message: string, details: Record<string, unknown>) =>
  new DomainError('too_large', 'REQUEST.FORM_TOO_LARGE', message, details);

/**
 * Parses an HTML form post: `application/x-www-form-urlencoded` or `multipart/form-data` (files).
 * Limits are enforced as parts are read: too many fields or files, or one too large, is a 413; a body
 * that is not what its Content-Type says is a 400. A file input left empty is not a file.
 */
export function parseForm(
  body: Buffer,
  contentType: string | undefined,
  limits = defaultFormLimits,
): ParsedForm {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded') || (!type && body.length === 0)) {
    return { fields: urlEncoded(body, limits), files: [] };
  }
  if (type.startsWith('multipart/form-data')) return multipart(body, boundaryOf(contentType!), limits);
  throw new DomainError(
    'unsupported_media',
    'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    'Send the form as application/x-www-form-urlencoded or multipart/form-data',
    { contentType: contentType ?? null },
  );
}

function urlEncoded(body: Buffer, limits: FormLimits): Record<string, string> {
  const fields: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    if (++count > limits.maxFields)
      throw tooLarge('The form has too many fields', { limit: limits.maxFields });
    if (Buffer.byteLength(value) > limits.maxFieldBytes) {
      throw tooLarge(`The field ${name} is too long`, { field: name, limitBytes: limits.maxFieldBytes });
    }
    // No form has a field by a prototype name; assigned, `__proto__` would not even be kept.
    if (!isPrototypeKey(name)) fields[name] = value;
  }
  return fields;
}

function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw malformed('The multipart form has no boundary');
  return boundary;
}

function multipart(body: Buffer, boundary: string, limits: FormLimits): ParsedForm {
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position < 0) throw malformed('The multipart form does not contain its boundary');
  position += delimiter.length;
  let parts = 0;

  for (;;) {
    if (body.subarray(position, position + 2).toString() === '--') break; // the closing delimiter
    if (body.subarray(position, position + 2).toString() !== '\r\n')
      throw malformed('A form part is malformed');
    const headerStart = position + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd < 0) throw malformed('A form part has no header end');
    const end = body.indexOf(next, headerEnd + 4);
    if (end < 0) throw malformed('The multipart form is not terminated');
    if (++parts > limits.maxFields + limits.maxFiles) {
      throw tooLarge('The form has too many parts', { limit: limits.maxFields + limits.maxFiles });
    }
    const headers = partHeaders(body.subarray(headerStart, headerEnd).toString('utf8'));
    const content = body.subarray(headerEnd + 4, end);
    const disposition = dispositionOf(headers['content-disposition'] ?? '');
    if (!disposition.name) throw malformed('A form part has no name');

    if (disposition.filename !== undefined) {
      // An empty file input is sent as a part with an empty file name and no content.
      if (disposition.filename !== '' || content.length > 0) {
        if (files.length >= limits.maxFiles) {
          throw tooLarge(`At most ${limits.maxFiles} files can be attached`, { limit: limits.maxFiles });
        }
        if (content.length > limits.maxFileBytes) {
          throw tooLarge(`${disposition.filename} is larger than ${limits.maxFileBytes} bytes`, {
            filename: disposition.filename,
            limitBytes: limits.maxFileBytes,
          });
        }
        files.push({
          field: disposition.name,
          filename: disposition.filename,
          contentType: (headers['content-type'] ?? 'application/octet-stream')
            .split(';')[0]!
            .trim()
            .toLowerCase(),
          content: Buffer.from(content),
        });
      }
    } else {
      if (content.length > limits.maxFieldBytes) {
        throw tooLarge(`The field ${disposition.name} is too long`, {
          field: disposition.name,
          limitBytes: limits.maxFieldBytes,
        });
      }
      if (!isPrototypeKey(disposition.name)) fields[disposition.name] = content.toString('utf8');
    }
    position = end + next.length;
  }
  return { fields, files };
}

function partHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `form-data; name="a"; filename="b.png"` (and RFC 5987 `filename*=UTF-8''…`). */
function dispositionOf(value: string): { name?: string; filename?: string } {
  const params: Record<string, string> = {};
  for (const match of value.matchAll(/;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    params[match[1]!.toLowerCase()] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1').trim();
  }
  let filename = params.filename;
  const extended = params['filename*'];
  if (extended) {
    const m = /^[\w-]+'[^']*'(.*)$/.exec(extended);
    try {
      filename = decodeURIComponent(m ? m[1]! : extended);
    } catch {
      // Keep the plain filename.
    }
  }
  return {
    ...(params.name !== undefined ? { name: params.name } : {}),
    ...(filename !== undefined ? { filename } : {}),
  };
}
