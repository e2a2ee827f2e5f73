import { Readable } from 'node:stream';
import busboy from 'busboy';
import * as z from 'zod';
import { DomainError, validationError } from '../domain/errors.ts';
import { ImportMapping, ImportRunOptions, importMaxBytes } from '../domain/import-job/import-job.ts';
import type { ImportDeps } from '../use-cases/import-tickets.ts';
import type { ApiDeps } from './route.ts';

/** What the import routes take: the API's deps and the imports' (`deps.importing`). */
export type ImportRouteDeps = ApiDeps & { importing: ImportDeps };

export const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Body types `POST /imports` takes: the file itself (CSV or XLSX) or a form with a `file` part. */
export const importBodyTypes = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  xlsxType,
  'application/octet-stream',
  'multipart/form-data',
] as const;

/** The request cap: the 50 MiB file plus room for a form's framing; the file itself is checked exactly. */
export const importRequestMaxBytes = importMaxBytes + 1024 * 1024;

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** `mapping` as the query carries it: URL-encoded JSON of header → field (or null). */
const mappingJson = z
  .string()
  .max(20_000)
  .transform((raw, ctx) => {
    try {
      return ImportMapping.parse(JSON.parse(raw));
    } catch (error) {
      const fieldIssue = error instanceof z.ZodError ? error.issues[0] : undefined;
      ctx.addIssue({
        code: 'custom',
        message: fieldIssue
          ? `mapping ${fieldIssue.path.join('.')}: ${fieldIssue.message}`
          : 'mapping must be JSON: {"<header>": "<field>" | null}',
      });
      return z.NEVER;
    }
  });

export const CreateImportQuery = z.object({
  dryRun: bool.default(true),
  fileName: z.string().trim().min(1).max(200).optional(),
  applySuggestions: bool.optional(),
  dateOrder: z.enum(['dmy', 'mdy']).optional(),
  timeZone: z.string().min(1).max(64).optional(),
  mapping: mappingJson.optional(),
  mappingName: z.string().trim().min(1).max(80).optional(),
});
export type CreateImportQuery = z.infer<typeof CreateImportQuery>;

/** The body of `POST /imports/{id}/check` and `/commit`, and a form's `options` part. */
export const RunOptionsBody = ImportRunOptions.pick({
  mapping: true,
  applySuggestions: true,
  dateOrder: true,
  timeZone: true,
})
  .strict()
  .default({});

export const ImportIdParams = z.object({ id: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/) });

export const importId = (params: Record<string, string>) => {
  const parsed = ImportIdParams.safeParse(params);
  if (!parsed.success)
    throw validationError('Not an import id', [{ path: 'id', message: 'An import id', code: 'invalid' }]);
  return parsed.data.id;
};

const unsupported = (type: string) =>
  new DomainError(
    'unsupported_media',
    'IMPORT.UNSUPPORTED_TYPE',
    `An import takes a CSV or XLSX file (text/csv, ${xlsxType}) or a multipart form with a "file" part, not ${type || 'no Content-Type'}`,
    { contentType: type, accepted: importBodyTypes },
  );

export interface UploadedFile {
  bytes: Buffer;
  fileName: string;
  contentType: string;
  /** A form's `options` part, parsed. */
  options?: z.infer<typeof RunOptionsBody>;
}

/**
 * The file of `POST /imports`: the raw body, or the `file` part of a multipart form (busboy) with an
 * optional `options` part (JSON).
 */
export async function uploadedFile(
  rawBody: Buffer | undefined,
  headers: Record<string, string>,
  fileName: string | undefined,
): Promise<UploadedFile> {
  const contentType = headers['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (!(importBodyTypes as readonly string[]).includes(type)) throw unsupported(type);
  const body = rawBody ?? Buffer.alloc(0);
  if (type !== 'multipart/form-data') {
    return {
      bytes: body,
      fileName: fileName ?? (type === xlsxType ? 'import.xlsx' : 'import.csv'),
      contentType: type,
    };
  }
  return multipartFile(body, contentType, fileName);
}

function multipartFile(
  body: Buffer,
  contentType: string,
  fileName: string | undefined,
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // File names in Chinese: a form's filename parameter is UTF-8 (busboy's default is latin1).
        defParamCharset: 'utf8',
        limits: { files: 1, fileSize: importMaxBytes + 1, fields: 5, fieldSize: 64 * 1024 },
      });
    } catch (error) {
      reject(validationError(`The form cannot be read: ${(error as Error).message}`, []));
      return;
    }
    let file: UploadedFile | undefined;
    let optionsText: string | undefined;
    const pending: Promise<void>[] = [];
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      pending.push(
        new Promise((done) => {
          stream.on('data', (part: Buffer) => parts.push(part));
          stream.on('end', () => {
            file = {
              bytes: Buffer.concat(parts),
              fileName: fileName ?? info.filename ?? 'import.csv',
              contentType: info.mimeType || 'application/octet-stream',
            };
            done();
          });
        }),
      );
    });
    parser.on('field', (name, value) => {
      if (name === 'options') optionsText = value;
    });
    parser.on('error', (error: Error) =>
      reject(
        validationError(`The form cannot be read: ${error.message}`, [
          { path: 'file', message: error.message },
        ]),
      ),
    );
    parser.on('close', async () => {
      await Promise.all(pending);
      if (!file) {
        reject(
          validationError('The form has no "file" part', [
            { path: 'file', message: 'Required', code: 'required' },
          ]),
        );
        return;
      }
      if (optionsText !== undefined) {
        let json: unknown;
        try {
          json = JSON.parse(optionsText);
        } catch {
          reject(
            validationError('The "options" part is not JSON', [
              { path: 'options', message: 'JSON', code: 'invalid' },
            ]),
          );
          return;
        }
        const parsed = RunOptionsBody.safeParse(json);
        if (!parsed.success) {
          reject(
            validationError(
              'The "options" part is not valid',
              parsed.error.issues.map((i) => ({
                path: `options.${i.path.join('.')}`,
                message: i.message,
                code: i.code,
              })),
            ),
          );
          return;
        }
        file.options = parsed.data;
      }
      resolve(file);
    });
    Readable.from([body]).pipe(parser);
  });
}
