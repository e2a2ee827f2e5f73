import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractFacts, type TicketFacts } from '#shared/domain/classify/facts.ts';

const noFacts: TicketFacts = { times: [], places: [], assets: [], symptoms: [], references: [], amounts: [] };
const allSpans = (facts: TicketFacts) => Object.values(facts).flat() as string[];

describe('extractFacts()', () => {
  describe('on a Chinese ticket', () => {
    it('quotes when, where, which asset and what is wrong in a trapped-passenger report', () => {
      // Act
      const facts = extractFacts(
        '3号楼电梯困人',
        '今天早上8点，B座2号电梯突然停在地下一层，有人被困，警铃一直响。',
      );
      // Assess
      expect(facts).toEqual({
        ...noFacts,
        times: ['今天早上8点'],
        places: ['3号楼', 'B座2号电梯', '地下一层'],
        assets: ['电梯'],
        symptoms: ['困人', '被困', '一直响'],
      });
    });

    it('quotes an air-conditioning complaint with its start, room, invoice, ticket and cost', () => {
      // Act
      const facts = extractFacts(
        '空调不制冷',
        '从上周一开始，1203室空调外机漏水，有异响，11月20日下午维修过一次，花了三百块。发票号 12345678，工单 GD-000123。',
      );
      // Assess
      expect(facts).toEqual({
        times: ['从上周一开始', '11月20日下午'],
        places: ['1203室'],
        assets: ['空调', '空调外机'],
        symptoms: ['不制冷', '漏水', '异响'],
        references: ['发票号 12345678', 'GD-000123'],
        amounts: ['三百块'],
      });
    });

    it('joins touching place and time pieces into one phrase', () => {
      // Act
      const facts = extractFacts('', '3号楼7楼会议室的灯从昨晚10点左右开始一直闪烁，3楼东侧卫生间马桶堵了。');
      // Assess
      expect(facts.places).toEqual(['3号楼7楼会议室', '3楼东侧卫生间']);
      expect(facts.times).toEqual(['从昨晚10点左右开始']);
      expect(facts.assets).toEqual(['灯', '马桶']);
      expect(facts.symptoms).toEqual(['闪烁', '堵了']);
    });

    it('reads access-control and power faults with their amount and claim number', () => {
      // Act
      const facts = extractFacts(
        '门禁刷卡没反应',
        '北门门禁刷卡没反应，保安室说昨晚停电了，配电箱跳闸。损失约1.2万元，报销单号 BX20261120。',
      );
      // Assess
      expect(facts).toEqual({
        times: ['昨晚'],
        places: ['北门', '保安室'],
        assets: ['门禁', '配电箱'],
        symptoms: ['没反应', '停电', '跳闸'],
        references: ['报销单号 BX20261120'],
        amounts: ['1.2万元'],
      });
    });

    it('does not take a measure word for money, "a bit" for a time, or a fire-alarm device for an alarm going off', () => {
      // Act
      const facts = extractFacts(
        '',
        '一块玻璃碎了，我们一块去看。快一点！每周一次巡检。火灾报警器误报，西门子电梯异响。',
      );
      // Assess
      expect(facts.amounts).toEqual([]);
      expect(facts.times).toEqual([]);
      expect(facts.places).toEqual([]);
      expect(facts.symptoms).toEqual(['碎了', '误报', '异响']);
      expect(facts.assets).toEqual(['玻璃', '火灾报警器', '电梯']);
    });

    it('reads Chinese-numeral clock times only where they cannot mean "a bit"', () => {
      // Act
      const facts = extractFacts('', '下午两点空调停了，晚上十点半又好了，今天一点也不冷。');
      // Assess
      expect(facts.times).toEqual(['下午两点', '晚上十点半', '今天']);
    });

    it('reads amounts in yuan, in Chinese numerals and with the currency sign', () => {
      // Act
      const facts = extractFacts('', '维修费300元，配件 ¥1,200.50，人工三百块，押金五十块钱，另付2,500元。');
      // Assess
      expect(facts.amounts).toEqual(['300元', '¥1,200.50', '三百块', '五十块钱', '2,500元']);
    });
  });

  describe('on an English ticket', () => {
    it('quotes when, where, which asset and what is wrong in an escalator report', () => {
      // Act
      const facts = extractFacts(
        "Escalator in north lobby won't stop beeping",
        'Since Monday the escalator at Building C, level 5 keeps beeping and at 9:30am it stopped working.',
      );
      // Assess
      expect(facts).toEqual({
        ...noFacts,
        times: ['Since Monday', 'at 9:30am'],
        places: ['north lobby', 'Building C', 'level 5'],
        assets: ['Escalator'],
        symptoms: ["won't stop beeping", 'keeps beeping', 'stopped working'],
      });
    });

    it('quotes an IT outage with its references and amounts', () => {
      // Act
      const facts = extractFacts(
        'VPN and SSO down',
        'VPN is down since yesterday at 9am; SSO login failed. Invoice INV-2026-0042, order #5531, ' +
          'charged $45.00 and RMB 1,200 (1200 yuan). Room 1203, unit 12B, 2026-11-20.',
      );
      // Assess
      expect(facts).toEqual({
        times: ['since yesterday at 9am', '2026-11-20'],
        places: ['Room 1203', 'unit 12B'],
        assets: ['VPN', 'SSO'],
        symptoms: ['is down', 'login failed'],
        references: ['INV-2026-0042', 'order #5531'],
        amounts: ['$45.00', 'RMB 1,200', '1200 yuan'],
      });
    });

    it('matches vocabulary case-insensitively, with plurals and hyphens, on word boundaries only', () => {
      // Act
      const facts = extractFacts(
        '',
        'Air-con not cooling in Rm 1203; the AHU makes a grinding noise. The LIGHTS are flickering. ' +
          'It will happen again, the apple cart overturned.',
      );
      // Assess
      expect(facts.assets).toEqual(['Air-con', 'AHU', 'LIGHTS']);
      expect(facts.symptoms).toEqual(['not cooling', 'grinding noise', 'flickering']);
      expect(facts.places).toEqual(['Rm 1203']);
    });

    it('does not read "room I booked" or "floor a bit wet" as places', () => {
      // Act
      const facts = extractFacts('', 'The room I booked is cold and the floor a bit wet, see floor 2.');
      // Assess
      expect(facts.places).toEqual(['floor 2']);
    });

    it('reads dates, clock times and durations in their usual English forms', () => {
      // Act
      const facts = extractFacts(
        '',
        'Started 2026-11-20 09:30, again on Nov 20th, 2026 and 3 days ago; broken for the past two weeks.',
      );
      // Assess
      expect(facts.times).toEqual([
        '2026-11-20 09:30',
        'on Nov 20th, 2026',
        '3 days ago',
        'for the past two weeks',
      ]);
    });

    it('reads floor and wing names in their Hong Kong and ordinal forms', () => {
      // Act
      const facts = extractFacts('', 'Toilets on 3rd floor, G/F lobby and the east wing; also 7F pantry.');
      // Assess
      expect(facts.places).toEqual(['3rd floor', 'G/F', 'lobby', 'east wing', '7F']);
    });
  });

  describe('quoting', () => {
    it('lists each fact once, in order of appearance, ignoring case', () => {
      // Act
      const facts = extractFacts(
        'VPN down',
        'The vpn is down. VPN down again; Printer offline, printer jammed.',
      );
      // Assess
      expect(facts.assets).toEqual(['VPN', 'Printer']);
      expect(facts.symptoms).toEqual(['is down', 'offline', 'jammed']);
    });

    it('keeps at most five facts per field', () => {
      // Act
      const facts = extractFacts('', '电梯、空调、门禁、水泵、发电机、打印机、路由器都坏了。');
      // Assess
      expect(facts.assets).toEqual(['电梯', '空调', '门禁', '水泵', '发电机']);
    });

    it('puts the subject’s facts before the description’s', () => {
      // Act
      const facts = extractFacts('Printer jammed', 'Also the elevator is stuck, and the printer again.');
      // Assess
      expect(facts.assets).toEqual(['Printer', 'elevator']);
      expect(facts.symptoms).toEqual(['jammed', 'stuck']);
    });

    it('reads full-width letters and digits, quoting the NFKC-normalised text', () => {
      // Act
      const facts = extractFacts(
        'ＶＰＮ　连不上',
        'Ｒｏｏｍ　１２０３，￥３００，１１月２０日，ＧＤ－０００１２３',
      );
      // Assess
      expect(facts).toEqual({
        times: ['11月20日'],
        places: ['Room 1203'],
        assets: ['VPN'],
        symptoms: ['连不上'],
        references: ['GD-000123'],
        amounts: ['¥300'],
      });
    });

    it('keeps a span to the phrase, however long the run of numerals or units around it', () => {
      // Act
      const facts = extractFacts('', `${'三'.repeat(500)}块 ${'3楼'.repeat(500)}`);
      // Assess
      expect(facts.amounts).toEqual([]);
      expect(facts.places.every((p) => p.length <= 16)).toBe(true);
    });
  });

  describe('personal data', () => {
    it('never returns a phone number as a time, amount, reference or place', () => {
      // Prepare
      const phones = [
        '13812345678',
        '138-1234-5678',
        '+86 138 1234 5678',
        '010-12345678',
        '(021) 87654321',
        '(415) 555-0134',
        '415.555.0134',
        '+44 20 7946 0958',
      ];
      // Act: each where a number would otherwise be read as a reference, an amount or a time
      const facts = phones.map((phone) =>
        extractFacts(`订单号 ${phone}`, `Call ${phone}元 or order #${phone} about the 300元 repair at 9am.`),
      );
      // Assess
      for (const f of facts) {
        expect(f.references).toEqual([]);
        expect(f.amounts).toEqual(['300元']);
        expect(f.times).toEqual(['at 9am']);
        expect(f.places).toEqual([]);
      }
    });

    it('never returns a labelled number, an e-mail address or an ID-card number', () => {
      // Act
      const facts = extractFacts(
        '联系电话 8765 4321',
        '邮箱 zhang.san@example.com，电话：8765-4321，tel: 2345 6789，身份证 110101199003077777，' +
          'vpn-admin@corp.example.com 说 VPN 连不上。',
      );
      // Assess
      expect(facts).toEqual({ ...noFacts, assets: ['VPN'], symptoms: ['连不上'] });
    });

    it('does not let an address hide the facts around it', () => {
      // Act
      const facts = extractFacts('', 'Email bob@corp.com: Room 1203 printer jammed at 9am.');
      // Assess
      expect(facts.places).toEqual(['Room 1203']);
      expect(facts.assets).toEqual(['printer']);
      expect(allSpans(facts).some((s) => s.includes('@') || s.includes('bob'))).toBe(false);
    });
  });

  describe('robustness', () => {
    it('returns no facts for empty text', () => {
      expect(extractFacts('', '')).toEqual(noFacts);
    });

    it('reads text with emoji and lone surrogates around the facts', () => {
      // Act
      const facts = extractFacts('\uD800🛗电梯\uDC00', '🔥 leaking \uDFFF since Monday 🙏');
      // Assess
      expect(facts.assets).toEqual(['电梯']);
      expect(facts.symptoms).toEqual(['leaking']);
      expect(facts.times).toEqual(['since Monday']);
    });

    it('reads 20,000-character pathological inputs in linear time', () => {
      // Prepare
      const inputs = [
        '1'.repeat(20_000),
        'a'.repeat(20_000),
        'a.'.repeat(10_000),
        'a@'.repeat(10_000),
        '1,'.repeat(10_000),
        '三'.repeat(20_000),
        '+1'.repeat(10_000),
        'phone '.repeat(3_000),
        'order '.repeat(3_000),
        'keeps    '.repeat(2_000),
        '电梯'.repeat(10_000),
        '3号楼7楼今天早上8点¥300 GD-000123 '.repeat(700),
      ];
      // Act
      const started = performance.now();
      for (const input of inputs) extractFacts(input, input);
      const elapsed = performance.now() - started;
      // Assess (a quadratic pattern would take seconds here)
      expect(elapsed).toBeLessThan(1_500);
    });

    it('never throws, and every span is a substring of the NFKC-normalised subject or description', () => {
      // Prepare
      const pieces = [
        '电梯',
        '不制冷',
        '3号楼',
        '7楼',
        '今天',
        '早上8点',
        '从',
        '开始',
        'since ',
        'Monday',
        ' at 9:30am',
        'Room 1203',
        'GD-000123',
        '发票号 ',
        '12345678',
        '¥300',
        '三百块',
        'RMB 1,200',
        ' keeps beeping',
        'VPN',
        '13812345678',
        'a@b.co',
        'ＶＰＮ',
        '１２０３',
        '\uD800',
        '🛗',
        ' ',
        '，',
        '-',
      ];
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc
          .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 30 })
          .map((a) => a.join('')),
      );
      // Act / Assess
      fc.assert(
        fc.property(text, text, (subject, description) => {
          const facts = extractFacts(subject, description);
          const sources = [subject.normalize('NFKC'), description.normalize('NFKC')];
          for (const span of allSpans(facts)) {
            expect(span.length).toBeGreaterThan(0);
            expect(sources.some((s) => s.includes(span))).toBe(true);
          }
          for (const list of Object.values(facts)) expect(list.length).toBeLessThanOrEqual(5);
        }),
        { numRuns: 500 },
      );
    });
  });
});
