/**
 * Key facts of an incoming ticket — when, where, which equipment or system, what is wrong with it, which
 * documents it cites and what money is involved — quoted verbatim, so an agent or a routing rule can
 * read them without re-reading the message.
 *
 * How it reads, in Chinese and English alike:
 * - Named things (assets, symptoms, named places, time words) come from curated vocabularies held in a
 *   trie: the longest term at the leftmost position wins, English is case-insensitive and bounded by
 *   non-alphanumerics (so "app" is not found in "happen"), a space in a term also matches a hyphen or a
 *   run of spaces ("air-con", "wi-fi"), and asset nouns take a plural "s"/"es".
 * - Numbers with a shape (dates, clock times, room and floor numbers, codes, money) come from regular
 *   expressions written to run in linear time: every leading run is anchored by a look-behind, and no
 *   quantified group can match the same text two ways.
 * - Pieces that touch are joined: "3号楼" + "7楼" → "3号楼7楼", "从" + "上周一" + "开始" →
 *   "从上周一开始", "since" + "Monday" → "since Monday". Linking words ("since", "at", "从", "开始")
 *   count only next to a real time.
 *
 * Phone numbers, e-mail addresses and ID-card numbers are masked before anything is matched, so no fact
 * ever contains one, and a phone number is never read as an amount, a reference or a time.
 */

/** Key facts as written in a ticket: spans quoted verbatim, in order of appearance, deduplicated, at most 5 each. */
export interface TicketFacts {
  /** "今天早上8点", "昨晚", "从上周一开始", "since Monday", "at 9:30am", "2026-11-20", "11月20日下午" */
  times: string[];
  /** "3号楼7楼", "B座2号电梯", "地下一层", "1203室", "Building C", "Room 1203", "level 5", "north lobby" */
  places: string[];
  /** Devices and systems named: "电梯", "空调外机", "门禁", "escalator", "fire alarm", "VPN", "SSO" */
  assets: string[];
  /** "不制冷", "漏水", "异响", "困人", "won't close", "leaking", "no power", "keeps beeping" */
  symptoms: string[];
  /** Ticket numbers ("GD-000123") and invoice, order or contract numbers ("发票号 12345678", "order #5531") */
  references: string[];
  /** "¥300", "300元", "三百块", "RMB 1,200", "$45.00", "1200 yuan" */
  amounts: string[];
}

const MAX_FACTS_PER_FIELD = 5;

/**
 * How a matched piece takes part in a fact. A `lead` ("since", "从") or `trail` ("开始", "morning") piece
 * counts only when it touches a `core` one; a `block` piece is a longer phrase that is not a fact
 * ("报警器" among symptoms), matched only to hide the shorter term inside it.
 */
type Role = 'core' | 'lead' | 'trail' | 'block';

interface Piece {
  start: number;
  end: number;
  role: Role;
}

// ---------------------------------------------------------------------------------------------------
// Vocabulary trie

/** Terms by the role their matches play; `|`-separated lists via `terms()`. */
type Vocabulary = Partial<Record<Role, readonly string[]>>;

/** A term of one vocabulary ending at a trie node. */
interface TermEnd {
  readonly vocabulary: number;
  role: Role;
}

interface TrieNode {
  readonly next: Map<number, TrieNode>;
  ends: TermEnd[] | undefined;
  /** The term ends in an ASCII letter or digit, so it must end on a word boundary. */
  boundedEnd: boolean;
}

/** Every node with the same fields from the start, so the scan's property reads stay monomorphic. */
const trieNode = (): TrieNode => ({ next: new Map(), ends: undefined, boundedEnd: false });

/**
 * All vocabularies in one trie, so the text is walked once for all of them. `plural` lists the
 * vocabularies whose terms ending in a letter also match with an "s"/"es" ("lights", "switches").
 */
interface Trie {
  readonly root: TrieNode;
  readonly size: number;
  readonly plural: readonly boolean[];
  /** Scratch space of `scanTrie`, allocated once: per vocabulary, the longest term found so far. */
  readonly bestEnd: Int32Array;
  readonly bestRole: Role[];
}

const SPACE = 0x20;

/** ASCII case, hyphens (also U+2010–2013, which NFKC keeps) and tabs as spaces, curly apostrophes as straight. */
function fold(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  if (c === 0x2d || c === 0x09 || (c >= 0x2010 && c <= 0x2013)) return SPACE;
  if (c === 0x2018 || c === 0x2019) return 0x27;
  return c;
}

/** ASCII letters and digits: what an English term may not run into. `NaN` (out of range) is not. */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A vocabulary written as terms separated by `|` or line breaks. */
function terms(list: string): string[] {
  return list
    .split(/[|\n]/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function buildTrie(vocabularies: readonly { words: Vocabulary; plural?: boolean }[]): Trie {
  const root = trieNode();
  vocabularies.forEach(({ words }, vocabulary) => {
    for (const role of ['core', 'lead', 'trail', 'block'] as const) {
      for (const term of words[role] ?? []) {
        const key = term
          .toLowerCase()
          .replace(/[\s-]+/g, ' ')
          .trim();
        if (!key) continue;
        let node = root;
        for (let i = 0; i < key.length; i++) {
          const c = fold(key.charCodeAt(i));
          let child = node.next.get(c);
          if (!child) {
            child = trieNode();
            node.next.set(c, child);
          }
          node = child;
        }
        node.boundedEnd = isWordChar(key.charCodeAt(key.length - 1));
        node.ends ??= [];
        const same = node.ends.find((e) => e.vocabulary === vocabulary);
        if (same) same.role = role;
        else node.ends.push({ vocabulary, role });
      }
    }
  });
  const size = vocabularies.length;
  return {
    root,
    size,
    plural: vocabularies.map((v) => v.plural ?? false),
    bestEnd: new Int32Array(size),
    bestRole: new Array<Role>(size).fill('core'),
  };
}

/**
 * The longest term of each vocabulary starting at each position, one list of pieces per vocabulary.
 * Pieces may overlap; `leftmostLongest` later keeps what a left-to-right reading would. Each position
 * costs at most (longest term) steps.
 */
function scanTrie(text: string, { root, size, plural, bestEnd, bestRole }: Trie): Piece[][] {
  const found: Piece[][] = [];
  for (let v = 0; v < size; v++) found.push([]);
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const first = text.charCodeAt(i);
    // Inside an English word no term may start.
    if (isWordChar(first) && isWordChar(text.charCodeAt(i - 1))) continue;
    let node = root.next.get(fold(first));
    if (node === undefined) continue;
    bestEnd.fill(-1);
    let j = i + 1;
    for (;;) {
      if (node.ends !== undefined) {
        for (const { vocabulary, role } of node.ends) {
          const termEnd = node.boundedEnd ? wordEnd(text, j, plural[vocabulary]!) : j;
          if (termEnd > 0) {
            bestEnd[vocabulary] = termEnd;
            bestRole[vocabulary] = role;
          }
        }
      }
      if (j >= n) break;
      const c = fold(text.charCodeAt(j));
      node = node.next.get(c);
      if (node === undefined) break;
      j++;
      if (c === SPACE) while (j < n && fold(text.charCodeAt(j)) === SPACE) j++;
    }
    for (let v = 0; v < size; v++) {
      if (bestEnd[v]! > i) found[v]!.push({ start: i, end: bestEnd[v]!, role: bestRole[v]! });
    }
  }
  return found;
}

/** Where a term ending in a letter or digit ends: at a word boundary, after an optional plural; -1 if it runs on. */
function wordEnd(text: string, j: number, plurals: boolean): number {
  if (!isWordChar(text.charCodeAt(j))) return j;
  if (plurals && isLetter(text.charCodeAt(j - 1))) {
    const s = fold(text.charCodeAt(j));
    if (s === 0x73 && !isWordChar(text.charCodeAt(j + 1))) return j + 1;
    if (s === 0x65 && fold(text.charCodeAt(j + 1)) === 0x73 && !isWordChar(text.charCodeAt(j + 2)))
      return j + 2;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// Patterns

interface Pattern {
  /** Global; reset before each use. */
  readonly re: RegExp;
  /** The piece a match stands for, or null to drop it; by default the whole match, as a core piece. */
  readonly piece?: (m: RegExpExecArray, text: string) => Piece | null;
}

/** The whole match as a core piece. */
function whole(m: RegExpExecArray): Piece {
  return { start: m.index, end: m.index + m[0].length, role: 'core' };
}

/** The last capture group of a match, which always ends the match, as a piece. */
function lastGroup(m: RegExpExecArray, group: string): Piece {
  const end = m.index + m[0].length;
  return { start: end - group.length, end, role: 'core' };
}

/** Stands in for masked personal data: no pattern or term matches it. */
const MASK = '\u0000';

function scanPatterns(text: string, patterns: readonly Pattern[], out: Piece[]): void {
  for (const { re, piece } of patterns) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (m[0].includes(MASK)) continue;
      const found = piece ? piece(m, text) : whole(m);
      if (found) out.push(found);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Personal data (masked, never extracted)

const personalData: readonly RegExp[] = [
  // E-mail, with a label just before it ("邮箱：", "email "): the local part starts only where a run of
  // its characters starts, so a long run is read once.
  /(?:(?<![A-Za-z])(?:e-?mail|邮箱|电子邮件|邮件)(?:地址|[ \t]?address)?[ \t:]{0,3})?(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/gi,
  // International: +86 138 1234 5678, +44 20 7946 0958, +1 (415) 555-0134.
  /\+\d[\d \t().-]{6,20}\d/g,
  // Mainland mobile: 13812345678, 138-1234-5678, 86 138 1234 5678.
  /(?<!\d)(?:86[ \t-]?)?1[3-9]\d(?:[ \t-]?\d{4}){2}(?!\d)/g,
  // Mainland landline with its area code: 010-12345678, (021) 87654321, 075586001234.
  /(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3})[ \t-]?\d{7,8}(?!\d)/g,
  // North American: (415) 555-0134, 415-555-0134, 415.555.0134.
  /(?<![\d-])(?:1[ \t.-]?)?(?:\(\d{3}\)[ \t.-]?|\d{3}[ \t.-])\d{3}[ \t.-]\d{4}(?![\d-])/g,
  // Any number written after a phone label: "电话 8765 4321", "tel: 2345 6789", "ext 5566".
  /(?<![A-Za-z])(?:tel|phone|mobile|cell|whatsapp|fax|ext|联系电话|联系方式|电话|手机|座机|分机)(?:号码|号|[ \t]?(?:number|no\.?|num))?[ \t:#.=]{0,4}\+?\d[\d \t().-]{2,18}\d/gi,
  // Resident ID card: 17 digits and a check digit.
  /(?<![A-Za-z0-9])\d{17}[\dXx](?![A-Za-z0-9])/g,
];

/** The text with phone numbers, e-mail addresses and ID numbers overwritten, same length. */
function maskPersonalData(text: string): string {
  const ranges: [number, number][] = [];
  for (const re of personalData) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) ranges.push([m.index, m.index + m[0].length]);
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let masked = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    masked += text.slice(at, from) + MASK.repeat(end - from);
    at = end;
  }
  return masked + text.slice(at);
}

// ---------------------------------------------------------------------------------------------------
// Times

const weekdaysZh = ['一', '二', '三', '四', '五', '六', '日', '天'].flatMap((d) =>
  ['周', '星期', '礼拜'].map((w) => `${w}${d}`),
);
const weekdaysEn = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const weekdayQualifiersZh = ['', '上', '本', '这', '下', '上个', '这个', '下个', '每'];
const weekdayQualifiersEn = ['', 'last ', 'this ', 'next ', 'every ', 'past '];

const timeWords: Vocabulary = {
  core: [
    ...terms(`
      今天|今日|昨天|昨日|前天|大前天|明天|后天|今早|今晨|昨早|昨晚
      昨夜|今晚|今夜|明早|明晚|当天|当晚|当时|每天|每晚|每日|天天
      早上|早晨|清晨|上午|中午|午后|下午|傍晚|晚上|晚间|夜里|夜间
      半夜|深夜|凌晨|午夜|白天|周末|上周|本周|这周|下周|每周|上星期
      这星期|上个星期|这个星期|上礼拜|这礼拜|上个礼拜|上个月|上月|本月|这个月
      下个月|去年|今年|最近|近期|刚才|刚刚|这几天|前几天|近几天|节后
    `),
    ...weekdayQualifiersZh.flatMap((q) => weekdaysZh.map((d) => `${q}${d}`)),
    ...terms(`
      today|tonight|yesterday|tomorrow|this morning|this afternoon|this evening
      last night|last evening|overnight|earlier today|earlier this morning|just now
      recently|noon|midday|midnight|all day|all night|every day|everyday|daily
      every morning|every night|every evening|every afternoon|every hour|in the morning
      in the afternoon|in the evening|at night|during the night|over the weekend
      at the weekend|this weekend|last weekend|the day before yesterday|lunchtime
      lunch time|end of day|last week|this week|next week|last month|this month
      past week|past few days|last few days|past couple of days|last couple of days
    `),
    ...weekdayQualifiersEn.flatMap((q) => weekdaysEn.map((d) => `${q}${d}`)),
    ...weekdaysEn.map((d) => `${d}s`),
  ],
  lead: terms(`
      从|自从|自|大约|大概|约|截至|直到
      since|from|starting|starting from|beginning|as of|at|on|around|about
      approx|approx.|approximately|roughly|by|before|after|until|till
    `),
  trail: terms(`
      开始|起|以来|至今|左右|前后|许|之后|以后|之前|以前
      morning|afternoon|evening|night|onwards|onward|or so
    `),
  // "每周一次" is "once a week", not a Monday; "早上起来" is getting up.
  block: [
    ...weekdayQualifiersZh.flatMap((q) =>
      ['周', '星期', '礼拜'].flatMap((w) => ['一次', '一回', '一遍'].map((x) => `${q}${w}${x}`)),
    ),
    '起来',
  ],
};

const ampm = String.raw`[ \t]?(?:a\.m\.|p\.m\.|am|pm)(?![A-Za-z])`;
const zhNumeral = '[零一二两三四五六七八九十]';
const dayPartsZh = '早上|早晨|上午|中午|下午|傍晚|晚上|凌晨|半夜|夜里|今早|昨晚|今晚|明早';
const monthEn =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const countEn = String.raw`\d{1,3}|a[ \t]few|a[ \t]couple[ \t]of|couple[ \t]of|several|few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve`;
const unitEn = 'minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?';
const unitZh = '分钟|小时|钟头|天|日|周|星期|礼拜|月|年';
const agoZh = '以前|之前|以来|前|多了|了';

// Each alternative is a pattern of its own: a regular expression whose matches all start with one kind of
// character is scanned much faster than an alternation of differently-starting ones. A run of Chinese
// numerals is told apart from the middle of one by a look-behind placed after its first character.
const timePatterns: readonly Pattern[] = [
  // 9:30, 9:30am, 21:00:05, 9am, 9 p.m., 9 o'clock
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9:.])\d{1,2}(?:(?::[0-5]\d){1,2}(?:${ampm})?|${ampm}|[ \t]?o'clock)(?![\d:])`,
      'gi',
    ),
  },
  // 8点, 8点30分, 8点半, 8时
  { re: /(?<!\d)\d{1,2}[点时](?:[0-5]?\d分|[0-5]\d(?![\d分])|半|一刻|三刻|整|钟)?/g },
  // 十点钟, 三点半, 八点二十分; a bare 八点 only after 早上/下午/…, since 一点 is also "a bit".
  {
    re: new RegExp(
      `${zhNumeral}{1,3}[点时](?:半|钟|整|一刻|三刻|${zhNumeral}{1,3}分|(?<=(?:${dayPartsZh})${zhNumeral}{1,3}[点时]))`,
      'g',
    ),
  },
  // 2026-11-20, 2026/11/20, 20/11/2026
  {
    re: /(?<![A-Za-z0-9./-])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}\/\d{1,2}\/(?:\d{4}|\d{2}))(?![0-9]|[./-]\d)/g,
  },
  // 2026年11月20日, 11月20号, 3月
  { re: /(?<!\d)(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月(?:\d{1,2}[日号])?)/g },
  // 十一月二十日
  {
    re: new RegExp(
      `[一二三四五六七八九十](?<!${zhNumeral}{2})[一二三四五六七八九十]{0,2}月(?:[一二三四五六七八九十]{1,3}[日号])?`,
      'g',
    ),
  },
  // Nov 20, November 20th, 2026
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z])(?:${monthEn})\.?[ \t]\d{1,2}(?:st|nd|rd|th)?(?:,?[ \t]\d{4})?(?![A-Za-z0-9])`,
      'gi',
    ),
  },
  // 20 Nov, 3rd of March 2026
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9])\d{1,2}(?:st|nd|rd|th)?[ \t](?:of[ \t])?(?:${monthEn})\.?(?:,?[ \t]\d{4})?(?![A-Za-z])`,
      'gi',
    ),
  },
  // 3 days ago, an hour ago
  {
    re: new RegExp(String.raw`(?<![A-Za-z0-9])(?:${countEn})[ \t](?:${unitEn})[ \t]ago(?![A-Za-z])`, 'gi'),
  },
  // for the past two weeks, over the last few days, for 2 hours
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z])(?:for|over|in)[ \t](?:the[ \t](?:past|last)[ \t](?:(?:${countEn})[ \t])?|(?:${countEn})[ \t])(?:${unitEn})(?![A-Za-z])`,
      'gi',
    ),
  },
  // 这两天, 最近三天, 过去两周, 前几天
  {
    re: new RegExp(
      `(?:最近|近|这|过去|前)(?:\\d{1,3}|[一二两三四五六七八九十几]{1,3})个?多?(?:${unitZh})`,
      'g',
    ),
  },
  // 3天前, 2个小时前, 5天了
  { re: new RegExp(`(?<!\\d)\\d{1,3}个?多?(?:${unitZh})(?:${agoZh})`, 'g') },
  // 两天前, 三个月了, 半个月以来
  {
    re: new RegExp(
      `[一二两三四五六七八九十几半](?<![一二两三四五六七八九十几半]{2})[一二两三四五六七八九十几半]{0,2}个?多?(?:${unitZh})(?:${agoZh})`,
      'g',
    ),
  },
];

// ---------------------------------------------------------------------------------------------------
// Places

const namedPlacesEn = terms(`
    lobby|lift lobby|elevator lobby|reception|front desk|server room|data center
    data centre|comms room|it room|plant room|boiler room|electrical room|switch room
    pump room|meeting room|conference room|boardroom|board room|canteen|cafeteria
    kitchen|pantry|break room|restroom|bathroom|washroom|men's room|women's room
    ladies' room|stairwell|staircase|corridor|hallway|rooftop|car park|carpark
    parking lot|parking garage|garage|basement|loading dock|loading bay|warehouse
    gym|mailroom|mail room|security office|guard house|guardhouse|entrance
    fire exit|emergency exit|atrium|courtyard|podium|plaza|dormitory|clubhouse
    print room|copy room|storeroom|store room|storage room|lift shaft|elevator shaft
  `);
/** Places that name a spot only with a side or a role: "north lobby", "east wing", "staff entrance". */
const placeQualifiersEn = terms(`
    north|south|east|west|northeast|northwest|southeast|southwest|main|front
    back|rear|side|upper|lower|ground floor|first floor|staff|visitor|public
  `);
const qualifiablePlacesEn = terms(`
    lobby|entrance|reception|car park|carpark|parking lot|stairwell|staircase
    corridor|hallway|atrium|courtyard|kitchen|pantry|canteen|restroom|restrooms
    toilets|plaza|wing|tower|gate|exit|door|garden|stairs|elevators|lifts
  `);

const placeWords: Vocabulary = {
  core: [
    ...terms(`
      大堂|大厅|前台|接待处|机房|服务器机房|弱电间|强电间|配电房|配电室
      配电间|水泵房|泵房|消防泵房|锅炉房|空调机房|电梯机房|楼梯间|楼梯口|楼道
      走廊|过道|通道|卫生间|洗手间|厕所|男厕|女厕|男卫|女卫|茶水间
      会议室|大会议室|小会议室|办公室|办公区|开放办公区|停车场|地下停车场|停车库
      地下车库|车库|地库|天台|屋顶|楼顶|屋面|电梯厅|电梯间|电梯口|电梯前室
      食堂|餐厅|员工餐厅|宿舍|门口|大门口|正门|后门|侧门|东门|西门|南门
      北门|消防通道|安全通道|疏散通道|地下室|设备层|设备间|避难层|阳台|厨房
      仓库|库房|花园|广场|入口|出口|出入口|收发室|门卫室|门岗|保安室
      监控室|消防控制室|中控室|数据中心|工位|前厅|中庭|连廊|装卸区|卸货区
      吸烟区|健身房|母婴室|会客室|培训室|打印室|档案室|电井|管道井|楼梯
    `),
    ...namedPlacesEn,
    ...placeQualifiersEn.flatMap((q) => qualifiablePlacesEn.map((p) => `${q} ${p}`)),
  ],
  block: ['西门子'],
};

const placeUnitZh =
  '号楼|号馆|号门|号扶梯|号电梯|号梯|号机房|号车位|号房间|号房|号厅|号库|号口|栋|幢|座|楼|层|室|房间|房|单元|区|期|车位';

const placePatterns: readonly Pattern[] = [
  // 3号楼, 7楼, B座, 2号电梯, 1203室, 地下2层, 第3层, A区, 7F — touching units join later.
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9])(?:地下|负|第|-)?(?:\d{1,5}|[A-Za-z]\d{0,3})(?:${placeUnitZh})`,
      'g',
    ),
  },
  // 7F, B1F
  { re: /(?<![A-Za-z0-9])B?\d{1,3}F(?![A-Za-z0-9])/g },
  // 地下一层, 负二楼, 二期, 十二层
  { re: new RegExp(`(?:地下|负|第)?[零〇一二两三四五六七八九十百]{1,4}(?:${placeUnitZh})`, 'g') },
  // 东区, 西侧, 北门, 南大堂 (but not 西门子)
  { re: /[东南西北]{1,2}(?:侧|区|翼|塔|门(?!子)|大堂|大门|入口|出口)/g },
  // Building C, Room 1203, level 5, unit 12B, Bldg. 3, Floor #2; a lone letter only as a capital, never "I".
  {
    re: /(?<![A-Za-z0-9])(?:building|bldg\.?|block|blk\.?|tower|wing|floor|level|lvl\.?|room|rm\.?|unit|suite|ste\.|apartment|apt\.?|flat|gate|dock|bay|zone|area|hall|lab|office|ward|car ?park|parking (?:level|lot|bay|space)|stall)(?:[ \t]{1,2}(?:no\.[ \t]?|#[ \t]?)?|#[ \t]?|(?<=\.))(\d{1,5}(?:-\d{1,4})?[A-Za-z]?|[A-Za-z](?:-?\d{1,4})?)(?![A-Za-z0-9])/gi,
    piece: (m) => {
      const id = m[1] ?? '';
      return /^[a-zI]$/.test(id) ? null : whole(m);
    },
  },
  // 5th floor, ground floor, top level
  {
    re: /(?<![A-Za-z0-9])(?:\d{1,3}(?:st|nd|rd|th)|ground|top|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|lower ground|upper ground|basement|mezzanine)[ \t](?:floor|level)(?![A-Za-z])/gi,
  },
  // 3/F, G/F, LG/F, B2/F (Hong Kong style)
  { re: /(?<![A-Za-z0-9/])(?:\d{1,3}|G|LG|UG|B\d)\/F(?![A-Za-z0-9])/gi },
];

// ---------------------------------------------------------------------------------------------------
// Assets: a facilities-management and IT service desk's equipment and systems

const assetWords: Vocabulary = {
  core: [
    // elevators, escalators
    ...terms(`
        电梯|客梯|货梯|消防电梯|观光电梯|扶梯|自动扶梯|扶手电梯|自动人行道|轿厢
        elevator|lift|passenger lift|goods lift|freight elevator|service elevator
        escalator|travelator|moving walkway|dumbwaiter
      `),
    // HVAC, heating
    ...terms(`
        空调|中央空调|空调外机|空调内机|空调主机|分体空调|风机盘管|新风机|新风系统
        排风机|冷水机组|冷却塔|风机|风扇|排气扇|排风扇|吊扇|暖气|暖气片|地暖
        锅炉|热水器|电热水器|燃气热水器|热泵|温控器|温控面板|恒温器
        air conditioning|air conditioner|air con|aircon|ac|a/c|hvac|ahu
        air handling unit|fcu|fan coil|fan coil unit|chiller|cooling tower|ventilation
        exhaust fan|extractor fan|fan|ceiling fan|heat pump|outdoor unit|indoor unit
        compressor|heating|heater|boiler|radiator|thermostat|underfloor heating
      `),
    // electrical, power
    ...terms(`
        配电箱|配电柜|电箱|电闸|总闸|空气开关|空开|漏电保护器|断路器|保险丝
        插座|插排|开关|电表|变压器|UPS|不间断电源|发电机|柴油发电机|充电桩
        circuit breaker|breaker|fuse|fuse box|distribution board|electrical panel
        switchboard|socket|power socket|outlet|power outlet|light switch|power switch
        electricity meter|meter|transformer|rcd|ups|generator|backup generator
        diesel generator|ev charger|charging point|charging station
      `),
    // lighting
    ...terms(`
        照明|灯|灯管|灯泡|路灯|应急灯|应急照明|筒灯|射灯|灯具|吸顶灯|日光灯
        楼道灯|声控灯|感应灯|指示灯|安全出口指示灯
        light|lighting|lamp|bulb|light bulb|led|fluorescent tube|downlight
        emergency light|emergency lighting|exit sign|street light|floodlight
      `),
    // plumbing, water
    ...terms(`
        水管|水龙头|马桶|坐便器|蹲便器|小便池|小便斗|洗手盆|洗手池|水池|下水道
        地漏|排水管|污水管|化粪池|水表|阀门|水阀|水箱|水塔|花洒|饮水机|净水器
        pipe|water pipe|faucet|water tap|toilet|urinal|sink|basin|wash basin
        drain|floor drain|sewer|gutter|shower|water heater|water tank|water meter
        valve|cistern|water dispenser|water cooler
      `),
    // doors, locks, access control
    ...terms(`
        大门|房门|玻璃门|防火门|消防门|卷帘门|自动门|感应门|旋转门|推拉门|电动门
        单元门|入户门|门锁|智能锁|密码锁|指纹锁|电子锁|磁力锁|挂锁|锁芯|闭门器
        门把手|合页|门禁|门禁卡|门禁系统|门禁机|刷卡器|读卡器|人脸识别|闸机
        钥匙|门铃|对讲|可视对讲|楼宇对讲
        door|fire door|glass door|automatic door|sliding door|revolving door
        roller shutter|shutter|door closer|door handle|lock|door lock|smart lock
        padlock|access control|access card|key card|keycard|badge|badge reader
        card reader|turnstile|gate|intercom|doorbell
      `),
    // fire safety
    ...terms(`
        消防报警|消防报警系统|火灾报警器|火警|烟感|烟雾报警器|温感|报警器|喷淋
        喷淋头|消防栓|消火栓|灭火器|消防广播|消防水带
        fire alarm|fire panel|alarm|smoke detector|smoke alarm|heat detector
        sprinkler|fire sprinkler|fire hydrant|hydrant|fire extinguisher|extinguisher
        fire hose
      `),
    // pumps, generators
    ...terms(`
        水泵|排污泵|潜水泵|消防泵|增压泵|生活水泵
        pump|sump pump|water pump|booster pump|fire pump
      `),
    // windows
    ...terms(`
        窗户|窗框|窗玻璃|玻璃|百叶窗|窗帘|天窗|纱窗
        window|window frame|window pane|skylight|blinds|window blind
      `),
    // CCTV, parking
    ...terms(`
        监控|摄像头|监控摄像头|摄像机|录像机|硬盘录像机|监控系统
        道闸|停车场道闸|车牌识别|车牌识别系统|地锁|车位锁|缴费机
        cctv|camera|security camera|ip camera|dvr|nvr
        parking barrier|barrier gate|boom gate|boom barrier|barrier|ticket machine
        pay station|anpr|license plate reader|number plate reader
      `),
    // network, identity, applications
    ...terms(`
        无线网|无线网络|网络|网线|宽带|交换机|路由器|光猫|防火墙|单点登录
        统一认证|服务器|数据库|接口|门户|网站|官网|内网|外网|小程序|公众号
        邮箱|企业微信|钉钉|飞书|OA系统|财务系统|报销系统|会议系统
        wifi|wi fi|wireless|network|internet|lan|wlan|ethernet|network cable
        router|network switch|access point|firewall|dns|dhcp|proxy|vpn|sso
        single sign on|okta|mfa|2fa|authenticator|active directory|ldap|email
        outlook|teams|zoom|server|database|api|app|mobile app|portal|website
        intranet|erp|crm|sap
      `),
    // printers, end-user devices
    ...terms(`
        打印机|复印机|扫描仪|投影仪|电脑|笔记本|笔记本电脑|台式机|主机|显示器
        键盘|鼠标|电话机|大屏|电视
        printer|copier|photocopier|scanner|projector|laptop|desktop|computer|pc
        workstation|monitor|keyboard|mouse|headset|desk phone|ip phone|tv
      `),
  ],
  // Longer phrases that only contain an asset's name: a place, an action, a symptom.
  block: terms(`
        开关门|开关机|电梯厅|电梯间|电梯口|电梯前室|电梯机房|空调机房|监控室
        false alarm|next door|email me|email us|e mail me
      `),
};

// ---------------------------------------------------------------------------------------------------
// Symptoms

const negationsEn = terms(`
    won't|wont|will not|doesn't|does not|don't|do not|didn't|can't|cannot
    can not|isn't|is not|aren't|not|unable to|fails to|failed to|no longer
  `);
const failingActionsEn = terms(`
    work|working|close|closing|open|opening|start|starting|turn on|turn off
    switch on|lock|locking|unlock|latch|cool|cooling|heat|heating|connect
    connecting|load|loading|print|printing|scan|scanning|respond|responding
    drain|draining|flush|flushing|log in|login|sign in|log on|charge
    charging|boot|booting|move|moving|stop|stopping|lift|rise|read
    reading|recognise|recognize|detect|sync|syncing|send|sending|receive
    receiving|run|running|function|functioning|go up|go down|come on|light up
  `);
const repeatingEn = terms(
  "keeps|keep|kept|keeps on|won't stop|wont stop|will not stop|doesn't stop|does not stop|never stops",
);
const repeatedFailuresEn = terms(`
    beeping|alarming|tripping|restarting|rebooting|crashing|dropping|disconnecting
    flickering|leaking|freezing|dripping|logging me out|logging out|going off
    stopping|shutting down|switching off|turning off|failing|timing out|buffering
    ringing|sounding|opening|closing|jamming|making noise|asking for my password
  `);
const negationsZh = ['无法', '不能', '没法', '没办法', '不可以'];
const failingActionsZh = terms(`
    打开|开启|关闭|关上|启动|开机|登录|登陆|连接|联网|上网|访问|使用
    打印|扫描|刷卡|识别|开门|关门|锁门|上锁|解锁|充电|制冷|制热|加热
    排水|冲水|出水|运行|工作|发送|接收|下载|上传|同步|抬杆|通话|接通
  `);

const symptomWords: Vocabulary = {
  core: [
    ...negationsZh.flatMap((n) => failingActionsZh.map((a) => `${n}${a}`)),
    ...terms(`
      打不开|关不上|关不了|锁不上|锁不了|开不了|开不开|登不上|登录不了|登陆不了
      连不上|连接不上|上不了网|用不了|打印不了|刷不开|刷不了|启动不了|开不了机
      关不了机|充不上电|冲不下去|推不开|拉不开|转不动|点不亮|收不到|发不出
      进不去|出不来|抬不起|识别不了|不能用|不制冷|不制热|不出风|不出水|不出热水
      不出冷气|不出暖气|不冷|不热|不亮|不转|不通|不响|不工作|不运行|不启动
      不加热|不排水|不停|不显示|漏水|渗水|滴水|漏雨|渗漏|漏电|漏气|漏油
      爆管|爆裂|溢水|冒水|积水|倒灌|返水|反水|堵塞|堵了|堵住|下水慢
      排水慢|异响|异音|噪音|噪音大|有噪音|响声大|嗡嗡响|咔咔响|一直响
      响个不停|滴滴响|一直叫|蜂鸣|报警|误报|乱报|困人|关人|被困|停梯|急停
      停运|停止运行|停电|断电|跳闸|没电|无电|电压不稳|闪烁|频闪|忽明忽暗
      坏了|坏掉|故障|损坏|失灵|失效|异常|松动|脱落|掉落|破裂|破损|裂开
      裂缝|碎了|变形|生锈|锈蚀|发霉|发臭|异味|有异味|臭味|烧焦味|焦味
      煤气味|冒烟|起火|着火|火花|打火|温度过高|温度过低|太热|太冷|过热
      发烫|结冰|水压低|水压不足|水压小|没水|停水|没有水|没有热水|没热水
      水温低|卡住|卡死|卡顿|卡纸|夹纸|缺纸|缺墨|没墨|打印模糊|死机|蓝屏
      黑屏|白屏|花屏|闪退|崩溃|报错|出错|错误|超时|无响应|没反应|没有反应
      反应慢|很慢|变慢|缓慢|网速慢|网络慢|断网|掉线|断线|信号差|没信号
      无信号|连接失败|登录失败|认证失败|验证失败|密码错误|密码过期|账号锁定|被锁定
      无权限|没有权限|权限不足|拒绝访问|证书过期|证书错误|晃动|抖动|震动|振动
      关不严|合不上|夹人|反复开关|自动开关
    `),
    ...negationsEn.flatMap((n) => failingActionsEn.map((a) => `${n} ${a}`)),
    ...repeatingEn.flatMap((k) => repeatedFailuresEn.map((f) => `${k} ${f}`)),
    ...terms(`
      stopped working|stopped|beeping|leaking|leak|leaks|leaked|dripping|flooding
      flooded|water damage|overflowing|clogged|blocked|backed up|flickering|noisy
      strange noise|loud noise|weird noise|grinding noise|rattling|squeaking|humming
      buzzing|banging|vibrating|shaking|stuck|trapped|jammed|paper jam|broken
      cracked|shattered|smashed|damaged|faulty|malfunction|malfunctioning
      out of order|out of service|dead|burnt out|burned out|blown|no power
      power outage|power cut|power failure|blackout|outage|tripped|tripping
      no heat|no heating|no hot water|no water|no cold air|no airflow|low pressure
      low water pressure|too hot|too cold|overheating|overheated|freezing|bad smell
      burning smell|gas smell|smell of gas|smell of burning|smells|smoke|smoking
      sparking|sparks|false alarm|alarm going off|going off|offline|is down|are down
      was down|went down|slow|very slow|timeout|timed out|times out|timing out
      error|errors|error 500|500 error|http 500|internal server error|bad gateway
      502 bad gateway|service unavailable|gateway timeout|404 not found|crash|crashes
      crashed|crashing|frozen|freezes|hangs|hanging|not responding|unresponsive
      blank screen|black screen|blue screen|locked out|login failed|password expired
      access denied|permission denied|forbidden|unauthorized|certificate expired
      no signal|weak signal|no internet|no connection|disconnected|disconnects
      dropping|drops out|intermittent|loose|fell off|missing|rusty|mould|mold
    `),
    'stuck between floors',
  ],
  // Equipment whose name contains a symptom word: the 报警器 is an alarm, not an alarm going off.
  block: [
    '报警器',
    '报警系统',
    '报警主机',
    '报警按钮',
    '报警装置',
    '报警阀',
    '报警电话',
    '漏电保护',
    '漏电开关',
  ],
};

// ---------------------------------------------------------------------------------------------------
// References

/** A self-describing code: GD-000123, INV-2026-0042, PO-5531. */
const codeShape = /^[A-Z]{2,6}-\d{3,}(?:-[A-Z0-9]{1,12}){0,3}$/;
const labelsEn =
  'purchase order|work order|invoice|contract|ticket|incident|request|reference|reservation|booking|receipt|transaction|tracking|quotation|quote|claim|order|case|inv|ref|req|txn|po|wo|sr';
const labelsZh =
  '(?:发票|订单|合同|工单|报修单|维修单|报销单|采购单|快递单|运单|收据|凭证|交易|申请单|审批单|流水)(?:号码|编号|号)?|单号|编号';
/** A document number: starts with a letter or digit, hyphens only between them, at least 4 long. */
const documentId = '([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){3,40})';

/** A number after its label, with the label; a self-describing code after its label stands alone. */
function labelledReference(m: RegExpExecArray): Piece | null {
  const id = m[1] ?? '';
  if (!/\d/.test(id)) return null;
  return codeShape.test(id) ? lastGroup(m, id) : whole(m);
}

const referencePatterns: readonly Pattern[] = [
  { re: /(?<![A-Za-z0-9-])[A-Z]{2,6}-\d{3,}(?:-[A-Z0-9]{1,12}){0,3}(?![A-Za-z0-9]|-[A-Za-z0-9])/g },
  // "order #5531", "invoice no. 88231", "ticket GD-000123" (→ "GD-000123")
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z])(?:${labelsEn})(?![A-Za-z])(?:[ \t]?(?:number|num|no\.?|nr\.?|id))?[ \t:#.=]{0,4}${documentId}`,
      'gi',
    ),
    piece: labelledReference,
  },
  // "发票号 12345678", "合同编号：HT2026-07", "订单号为A12345"
  {
    re: new RegExp(String.raw`(?:${labelsZh})(?:为|是)?[ \t:#.=]{0,4}${documentId}`, 'g'),
    piece: labelledReference,
  },
];

// ---------------------------------------------------------------------------------------------------
// Amounts

const money = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?`;
const hanIdeograph = /[\u4e00-\u9fff]/;

/**
 * 块 is also a measure word ("三块玻璃", "一块儿"): it reads as money before 钱, before anything that is
 * not a Chinese character, or after a number of ten or more.
 */
function moneyPiece(text: string, start: number, end: number): Piece | null {
  const piece: Piece = { start, end, role: 'core' };
  if (text.charCodeAt(end - 1) !== 0x5757 /* 块 */) return piece;
  const large = /[十百千万亿]|\d{2}/.test(text.slice(start, end));
  return large || !hanIdeograph.test(text.charAt(end)) ? piece : null;
}

/** 九千九百九十九万 is long enough; a longer run of numerals is not an amount anyone wrote. */
const MAX_ZH_NUMERALS = 12;
const zhMoneyNumerals = new Set([...'零〇一二两三四五六七八九十百千万亿几'].map((c) => c.charCodeAt(0)));

const amountPatterns: readonly Pattern[] = [
  // ¥300, $45.00, RMB 1,200, US$ 30, 人民币500元
  {
    re: new RegExp(
      String.raw`(?:[¥$€£]|(?<![A-Za-z])(?:US\$|HK\$|RMB|CNY|USD|HKD|EUR|GBP)|人民币)[ \t]?${money}(?!\d)(?:万元|万|元)?`,
      'gi',
    ),
  },
  // 300元, 1.2万元, 300块, 45 dollars, 1200 yuan
  {
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9.]|\d,)${money}[ \t]?(?:[千万](?=[元块])|百万(?=元))?(?:元|块钱|块|美元|美金|港币|港元|欧元|英镑|(?:yuan|rmb|cny|usd|hkd|eur|gbp|dollars?|bucks|euros?)(?![A-Za-z]))`,
      'gi',
    ),
    piece: (m, text) => moneyPiece(text, m.index, m.index + m[0].length),
  },
  // 三百块, 两千元, 五十块钱, 几百块: found by the unit, then read back over the numerals.
  {
    re: /(?<=[零〇一二两三四五六七八九十百千万亿几])(?:块钱|块|元|毛钱)/g,
    piece: (m, text) => {
      let start = m.index;
      while (start > 0 && zhMoneyNumerals.has(text.charCodeAt(start - 1))) start--;
      return m.index - start > MAX_ZH_NUMERALS ? null : moneyPiece(text, start, m.index + m[0].length);
    },
  },
];

// ---------------------------------------------------------------------------------------------------
// Extraction

/** Which vocabulary in the trie feeds a field (by index), which patterns, and how pieces join. */
interface Recipe {
  readonly vocabulary?: number;
  readonly patterns?: readonly Pattern[];
  /** Join pieces separated by at most this many spaces or tabs into one fact; absent: never join. */
  readonly joinGap?: number;
}

const vocabularies = buildTrie([
  { words: timeWords },
  { words: placeWords },
  { words: assetWords, plural: true },
  { words: symptomWords },
]);

const recipes: Readonly<Record<keyof TicketFacts, Recipe>> = {
  times: { vocabulary: 0, patterns: timePatterns, joinGap: 2 },
  places: { vocabulary: 1, patterns: placePatterns, joinGap: 0 },
  assets: { vocabulary: 2 },
  symptoms: { vocabulary: 3 },
  references: { patterns: referencePatterns },
  amounts: { patterns: amountPatterns },
};

const fields = Object.keys(recipes) as (keyof TicketFacts)[];

/**
 * The key facts of a ticket, each a span quoted from its NFKC-normalised subject or description (the
 * subject's first). Never throws; runs in time linear in the text.
 */
export function extractFacts(subject: string, description: string): TicketFacts {
  const found: TicketFacts = { times: [], places: [], assets: [], symptoms: [], references: [], amounts: [] };
  for (const raw of [subject, description]) {
    const text = prepare(raw);
    if (text === '') continue;
    const words = scanTrie(text, vocabularies);
    for (const field of fields) find(text, recipes[field], words, found[field]);
  }
  for (const field of fields) found[field] = distinct(found[field]);
  return found;
}

/** NFKC (full-width letters and digits as ASCII), then personal data masked. */
function prepare(raw: string): string {
  return typeof raw === 'string' ? maskPersonalData(raw.normalize('NFKC')) : '';
}

/** Appends the facts of one field found in a text to `out`. */
function find(text: string, recipe: Recipe, words: Piece[][], out: string[]): void {
  const pieces: Piece[] = recipe.vocabulary === undefined ? [] : words[recipe.vocabulary]!;
  if (recipe.patterns) scanPatterns(text, recipe.patterns, pieces);
  if (pieces.length === 0) return;
  const kept = leftmostLongest(pieces);
  const facts =
    recipe.joinGap === undefined ? kept.filter((p) => p.role === 'core') : join(text, kept, recipe.joinGap);
  for (const p of facts) out.push(text.slice(p.start, p.end));
}

/**
 * Overlapping pieces resolved as one left-to-right reading would: the earliest start, then the longest.
 * Blocking pieces take their place in that reading and are then dropped.
 */
function leftmostLongest(pieces: Piece[]): Piece[] {
  pieces.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Piece[] = [];
  let reached = 0;
  for (const p of pieces) {
    if (p.start < reached) continue;
    if (p.role !== 'block') kept.push(p);
    reached = p.end;
  }
  return kept;
}

/** "从3月5日开始每天晚上十点左右" is seven pieces; a longer run is cut, so a fact stays a phrase. */
const MAX_JOINED = 8;

/**
 * Touching pieces as one fact: a run of pieces at most `gap` spaces apart, cut down to its core pieces,
 * the leads just before the first and the trails just after the last. A run without a core piece is no fact.
 */
function join(text: string, pieces: readonly Piece[], gap: number): Piece[] {
  const facts: Piece[] = [];
  let run: Piece[] = [];
  const close = () => {
    const first = run.findIndex((p) => p.role === 'core');
    if (first >= 0) {
      let last = run.length - 1;
      while (run[last]!.role !== 'core') last--;
      let from = first;
      while (from > 0 && run[from - 1]!.role === 'lead') from--;
      let to = last;
      while (to < run.length - 1 && run[to + 1]!.role === 'trail') to++;
      facts.push({ start: run[from]!.start, end: run[to]!.end, role: 'core' });
    }
    run = [];
  };
  for (const p of pieces) {
    const previous = run[run.length - 1];
    if (previous && (run.length === MAX_JOINED || !isSpacing(text, previous.end, p.start, gap))) close();
    run.push(p);
  }
  close();
  return facts;
}

function isSpacing(text: string, from: number, to: number, gap: number): boolean {
  if (to - from > gap) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== 0x09) return false;
  }
  return true;
}

const spacing = /[ \t]+/g;

/** The first of each fact (compared ignoring case and spacing), at most five. */
function distinct(spans: readonly string[]): string[] {
  const keys: string[] = [];
  const out: string[] = [];
  for (const span of spans) {
    const key = span.toLowerCase().replace(spacing, ' ');
    if (keys.includes(key)) continue;
    keys.push(key);
    out.push(span);
    if (out.length === MAX_FACTS_PER_FIELD) break;
  }
  return out;
}
