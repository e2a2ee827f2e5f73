import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyTicket, intentModelId, predictIntent } from '#shared/domain/classify/classify.ts';
import { stem, ticketFeatures } from '#shared/domain/classify/features.ts';
import {
  compileModel,
  compileTrained,
  defaultTrainingOptions,
  serializeModel,
  trainModel,
} from '#shared/domain/classify/intent-model.ts';
import { intentIds } from '#shared/domain/classify/intents.ts';
import { loadCorpus, modelFile } from '../../infra/tools/intent-corpus.ts';
import { buildModel, renderModel } from '../../infra/tools/train-classifier.ts';

describe('Intent features', () => {
  it('reads Chinese as character unigrams and bigrams, without a segmenter', () => {
    // Act
    const features = ticketFeatures('', '电梯坏了');
    // Assess
    expect(features).toEqual(expect.arrayContaining(['c:电', 'c:电梯', 'c:梯坏', 'c:坏了']));
  });

  it('reads other scripts as stemmed words and adjacent-word bigrams, dropping stop words alone', () => {
    // Act
    const features = ticketFeatures('', 'The lifts stopped working');
    // Assess
    expect(features).toEqual(
      expect.arrayContaining(['w:lift', 'w:stop', 'w:work', 'b:lift_stop', 'b:the_lift']),
    );
    expect(features).not.toContain('w:the');
  });

  it('marks the subject so a title weighs apart from the body', () => {
    expect(ticketFeatures('Refund', 'please')).toEqual(expect.arrayContaining(['w:refund', 'sw:refund']));
    expect(ticketFeatures('please', 'Refund')).not.toContain('sw:refund');
  });

  it('reads full-width letters and digits like half-width ones, and collapses numbers', () => {
    expect(ticketFeatures('', 'ＶＰＮ　Ｒｏｏｍ　１２０３')).toEqual(ticketFeatures('', 'vpn room 1203'));
    expect(ticketFeatures('', 'room 1203')).toContain('b:room_0');
  });

  it('stems inflections of one word to one feature', () => {
    expect(new Set(['refund', 'refunds', 'refunded', 'refunding'].map(stem))).toEqual(new Set(['refund']));
    expect(stem('charges')).toBe(stem('charge'));
    expect(stem('batteries')).toBe('battery');
    expect(stem('stopped')).toBe('stop');
  });
});

describe('Intent model', () => {
  const corpus = loadCorpus();

  it('is exactly what training on the committed corpus produces (run `npm run train:classifier`)', () => {
    // Compared by digest: a diff of two models is unreadable.
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(digest(readFileSync(modelFile, 'utf8'))).toBe(digest(renderModel(buildModel(corpus))));
  });

  it('is trained on every intent, each with at least 100 labelled tickets', () => {
    for (const intent of intentIds)
      expect(corpus.trainedOn.byLabel[intent], intent).toBeGreaterThanOrEqual(100);
  });

  it('keeps its predictions when quantised to int8 for shipping', () => {
    // Prepare
    const trained = trainModel(corpus.documents, defaultTrainingOptions);
    const exact = compileTrained(trained);
    const shipped = compileModel(serializeModel(trained, corpus.trainedOn));
    // Act
    const same = corpus.documents.filter(
      (d) => exact.predict(d.features)[0]!.label === shipped.predict(d.features)[0]!.label,
    ).length;
    // Assess
    expect(same / corpus.documents.length).toBeGreaterThan(0.99);
  });

  it('learns what it is shown: a tiny two-intent corpus separates its own kinds', () => {
    // Prepare
    const docs = [
      ...['电梯坏了', '空调不制冷', '灯不亮了', '水管漏水'].map((t) => ({
        label: 'repair',
        features: ticketFeatures('', t),
      })),
      ...['发票开错了', '多扣了物业费', '退款没到账', '账单金额不对'].map((t) => ({
        label: 'billing',
        features: ticketFeatures('', t),
      })),
    ];
    // Act
    const model = compileTrained(trainModel(docs, { ...defaultTrainingOptions, minCount: 1 }));
    // Assess
    expect(model.predict(ticketFeatures('', '电梯又坏了'))[0]!.label).toBe('repair');
    expect(model.predict(ticketFeatures('', '发票抬头不对'))[0]!.label).toBe('billing');
  });

  it('trains deterministically: the same documents give the same weights', () => {
    const docs = corpus.documents.slice(0, 200);
    const a = trainModel(docs);
    const b = trainModel(docs);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
  });
});

describe('Corpus loading', () => {
  const write = (name: string, lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'gd-corpus-'));
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    return dir;
  };
  const line = (id: string, intent: string) => JSON.stringify({ id, intent, subject: 's', description: 'd' });

  it('refuses an unknown intent, naming the file and line', () => {
    const dir = write('x.jsonl', [line('a', 'repair'), line('b', 'repairs')]);
    expect(() => loadCorpus(dir)).toThrow(/x\.jsonl:2: intent/);
  });

  it('refuses a repeated id and a line that is not JSON', () => {
    expect(() => loadCorpus(write('x.jsonl', [line('a', 'repair'), line('a', 'billing')]))).toThrow(
      /x\.jsonl:2: duplicate id a/,
    );
    expect(() => loadCorpus(write('y.jsonl', ['{"id":']))).toThrow(/y\.jsonl:1: not JSON/);
  });
});

describe('classifyTicket()', () => {
  it.each([
    ['3号楼电梯困人', '电梯停在5楼和6楼之间，里面有人', 'repair'],
    ['发票开错了', '上个月物业费的发票抬头写错了，麻烦重开', 'billing'],
    [
      'Refund not received',
      'I cancelled the parking permit two weeks ago and the refund has not arrived.',
      'billing',
    ],
    [
      'Cannot reset my password',
      'The verification code never arrives when I try to reset my password in the app.',
      'account',
    ],
    ['Lights out in corridor', 'The lights in the 4th floor corridor have stopped working.', 'repair'],
  ])('reads %s as %s', (subject, description, intent) => {
    expect(classifyTicket({ subject, description }).intent).toBe(intent);
  });

  it('gives the three likeliest intents best first, the confidence of the first, and the model id', () => {
    // Act
    const c = classifyTicket({ subject: '电梯坏了', description: '' });
    // Assess
    expect(c.scores).toHaveLength(3);
    expect(c.scores[0]!.probability).toBeGreaterThanOrEqual(c.scores[1]!.probability);
    expect(c.confidence).toBe(c.scores[0]!.probability);
    expect(c.model).toBe(intentModelId());
    expect(c.facts.assets).toContain('电梯');
  });

  it('leaves the intent null when the model is not sure enough to act on', () => {
    // Prepare: text the model has never seen anything like
    const features = ticketFeatures('zzqx', 'qqvv wwkk');
    // Act
    const unsure = predictIntent(features);
    const forced = predictIntent(features, { minConfidence: 0 });
    // Assess
    expect(unsure.intent).toBeNull();
    expect(forced.intent).toBe(forced.scores[0]!.intent);
  });
});
