import { describe, expect, it } from 'vitest';
import { defaultFormLimits, parseForm } from '#shared/channels/portal/form-data.ts';
import { DomainError } from '#shared/domain/errors.ts';

const boundary = '----GongdanBoundary7MA4YWxk';
const type = `multipart/form-data; boundary=${boundary}`;

function multipart(
  parts: { name: string; value?: string; filename?: string; type?: string; bytes?: Buffer }[],
) {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.filename !== undefined ? `; filename="${p.filename}"` : '';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${disposition}\r\n` +
          (p.type ? `Content-Type: ${p.type}\r\n` : '') +
          '\r\n',
      ),
      p.bytes ?? Buffer.from(p.value ?? '', 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? `${error.kind}:${error.code}` : String(error);
  }
  return 'no error';
};

describe('parseForm()', () => {
  it('reads a URL-encoded form, UTF-8 and + as space', () => {
    const body = Buffer.from('subject=%E7%94%B5%E6%A2%AF+%E5%9D%8F%E4%BA%86&email=a%40b.cn');
    expect(parseForm(body, 'application/x-www-form-urlencoded').fields).toEqual({
      subject: '电梯 坏了',
      email: 'a@b.cn',
    });
  });

  it('reads multipart fields and files, with their bytes, types and UTF-8 names', () => {
    // Prepare
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const body = multipart([
      { name: 'subject', value: '打印机\r\n卡纸' },
      { name: 'attachments', filename: '现场照片.png', type: 'image/png', bytes: png },
    ]);

    // Act
    const form = parseForm(body, type);

    // Assess
    expect(form.fields).toEqual({ subject: '打印机\r\n卡纸' });
    expect(form.files).toHaveLength(1);
    expect(form.files[0]).toMatchObject({
      field: 'attachments',
      filename: '现场照片.png',
      contentType: 'image/png',
    });
    expect(form.files[0]!.content.equals(png)).toBe(true);
  });

  it('treats an empty file input as no file', () => {
    const body = multipart([
      { name: 'attachments', filename: '', type: 'application/octet-stream', bytes: Buffer.alloc(0) },
    ]);
    expect(parseForm(body, type).files).toEqual([]);
  });

  it('refuses too many files, a file too large and a field too long with 413', () => {
    const file = (i: number, size = 10) => ({
      name: 'attachments',
      filename: `f${i}.txt`,
      bytes: Buffer.alloc(size, 1),
    });
    const limits = { ...defaultFormLimits, maxFiles: 2, maxFileBytes: 100, maxFieldBytes: 20 };
    expect(codeOf(() => parseForm(multipart([file(1), file(2), file(3)]), type, limits))).toBe(
      'too_large:REQUEST.FORM_TOO_LARGE',
    );
    expect(codeOf(() => parseForm(multipart([file(1, 101)]), type, limits))).toBe(
      'too_large:REQUEST.FORM_TOO_LARGE',
    );
    expect(codeOf(() => parseForm(multipart([{ name: 'x', value: 'y'.repeat(21) }]), type, limits))).toBe(
      'too_large:REQUEST.FORM_TOO_LARGE',
    );
  });

  it('refuses a body that does not match its multipart Content-Type with 400, other types with 415', () => {
    expect(codeOf(() => parseForm(Buffer.from('not multipart'), type))).toBe(
      'invalid:REQUEST.MALFORMED_FORM',
    );
    expect(codeOf(() => parseForm(Buffer.from('x'), 'multipart/form-data'))).toBe(
      'invalid:REQUEST.MALFORMED_FORM',
    );
    expect(
      codeOf(() =>
        parseForm(
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated`),
          type,
        ),
      ),
    ).toBe('invalid:REQUEST.MALFORMED_FORM');
    expect(codeOf(() => parseForm(Buffer.from('{}'), 'application/json'))).toBe(
      'unsupported_media:REQUEST.UNSUPPORTED_MEDIA_TYPE',
    );
  });
});
