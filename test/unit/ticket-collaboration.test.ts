import { describe, expect, it } from 'vitest';
import type { DomainError } from '#shared/domain/errors.ts';
import {
  attachmentIdOf,
  checkUpload,
  defaultAttachmentLimits,
} from '#shared/domain/ticket/attachment-policy.ts';
import { mentionsIn } from '#shared/domain/ticket/collaboration.ts';

describe('mentionsIn()', () => {
  it('finds @agentIds at the start, after spaces and punctuation, each once, in order', () => {
    expect(mentionsIn('@u-agent-wang 请看，（@u-agent-li）再 @u-agent-wang。')).toEqual([
      'u-agent-wang',
      'u-agent-li',
    ]);
  });

  it('does not read e-mail addresses as mentions, and drops a trailing full stop', () => {
    expect(mentionsIn('发给 li.na@gongdan.local 或 zhang@example.com，谢谢 @u-sup-desk.')).toEqual([
      'u-sup-desk',
    ]);
  });

  it('finds none in text without @', () => {
    expect(mentionsIn('没有提及任何人')).toEqual([]);
  });
});

describe('checkUpload()', () => {
  const refusal = (file: { filename: string; contentType: string; size: number }) => {
    try {
      checkUpload(file, defaultAttachmentLimits);
      return null;
    } catch (error) {
      return error as DomainError;
    }
  };

  it('accepts a PDF, an image and an Office document within the size limit', () => {
    expect(refusal({ filename: '报告.pdf', contentType: 'application/pdf', size: 1024 })).toBeNull();
    expect(refusal({ filename: 'a.jpg', contentType: 'image/jpeg', size: 10 * 1024 * 1024 })).toBeNull();
    expect(
      refusal({
        filename: 'a.xlsx',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        size: 1,
      }),
    ).toBeNull();
  });

  it('refuses a file one byte over the limit with 413 naming the size', () => {
    const error = refusal({ filename: 'a.zip', contentType: 'application/zip', size: 10 * 1024 * 1024 + 1 });
    expect(error).toMatchObject({ kind: 'too_large', code: 'ATTACHMENT.TOO_LARGE' });
    expect(error!.details).toMatchObject({ fields: [{ path: 'size' }] });
  });

  it('refuses programs by extension whatever type is claimed, and types not allowed, with 415', () => {
    expect(refusal({ filename: 'Setup.EXE', contentType: 'application/pdf', size: 1 })).toMatchObject({
      kind: 'unsupported_media',
      details: { fields: [{ path: 'filename', code: 'executable' }] },
    });
    expect(refusal({ filename: 'page.html', contentType: 'text/html', size: 1 })).toMatchObject({
      kind: 'unsupported_media',
      details: { fields: [{ path: 'contentType' }] },
    });
  });
});

describe('attachmentIdOf()', () => {
  it('is stable for a file and differs by name', () => {
    const sha = 'a'.repeat(64);
    expect(attachmentIdOf(sha, 'a.pdf')).toBe(attachmentIdOf(sha, 'a.pdf'));
    expect(attachmentIdOf(sha, 'a.pdf')).not.toBe(attachmentIdOf(sha, 'b.pdf'));
    expect(attachmentIdOf(sha, 'a.pdf')).toMatch(/^[\w-]{22}$/);
  });
});
