import * as z from 'zod';

/**
 * A ticket's product and region (docs/analytics.md, "Product and region"): first-class fields every
 * report can group by. Set by whoever opens or edits the ticket, or derived here when absent:
 *
 * - the product from a model number in the text (`KFR-35GW` → model `KFR-35GW`, line 空调), its line from
 *   the model-prefix table (`defaultModelPrefixes`, extended or replaced by the routing configuration's
 *   `products` section);
 * - the region from an address (the location's, the portal's address field, else the text), as
 *   `<province-level>/<city-level>`: `北京市/朝阳区` (a municipality and its district), `广东省/深圳市`
 *   (a province and its prefecture-level city), or the province-level name alone (`广东省`).
 *
 * Pure: no I/O, linear in the text.
 */

export const Product = z
  .object({
    /** The product line: 空调, 洗衣机, 冰箱… */
    line: z.string().trim().min(1).max(40),
    /** The model number, e.g. `KFR-35GW`. */
    model: z.string().trim().min(1).max(60).optional(),
  })
  .strict();
export type Product = z.infer<typeof Product>;

/** `北京市/朝阳区`, `广东省/深圳市`, `广东省`; free text (trimmed) when it names no known place. */
export const RegionName = z.string().trim().min(1).max(60);

/** Which fields of a ticket were derived rather than given (shown as such in the console). */
export const DerivedField = z.enum(['product', 'region']);
export type DerivedField = z.infer<typeof DerivedField>;

/** A model-number prefix and the product line it stands for (`KFR` → 空调). */
export const ModelPrefix = z
  .object({
    prefix: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{1,8}$/, 'Letters only, 1 to 8'),
    line: z.string().trim().min(1).max(40),
  })
  .strict();
export type ModelPrefix = z.infer<typeof ModelPrefix>;

/**
 * The routing configuration's `products` section (`PUT /config/routing`, optional): `modelPrefixes`
 * come before the built-in table (the same prefix overrides it); `useDefaults: false` drops the
 * built-in table.
 */
export const ProductSettings = z
  .object({
    modelPrefixes: z.array(ModelPrefix).max(500).default([]),
    useDefaults: z.boolean().default(true),
  })
  .strict();
export type ProductSettings = z.infer<typeof ProductSettings>;

/**
 * Common prefixes of Chinese household-appliance model numbers (GB/T naming: KFR = 空调 room unit with
 * heat pump, XQG = 滚筒洗衣机, BCD = 冷藏冷冻箱…). The longest matching prefix wins.
 */
export const defaultModelPrefixes: readonly ModelPrefix[] = [
  { prefix: 'KFR', line: '空调' },
  { prefix: 'KF', line: '空调' },
  { prefix: 'KFRD', line: '空调' },
  { prefix: 'RF', line: '空调' },
  { prefix: 'XQG', line: '洗衣机' },
  { prefix: 'XQB', line: '洗衣机' },
  { prefix: 'XQS', line: '洗衣机' },
  { prefix: 'XPB', line: '洗衣机' },
  { prefix: 'GDHN', line: '干衣机' },
  { prefix: 'BCD', line: '冰箱' },
  { prefix: 'BC', line: '冰箱' },
  { prefix: 'BD', line: '冰柜' },
  { prefix: 'SC', line: '冰柜' },
  { prefix: 'JSQ', line: '热水器' },
  { prefix: 'JSG', line: '热水器' },
  { prefix: 'DSZF', line: '热水器' },
  { prefix: 'ES', line: '热水器' },
  { prefix: 'RSJ', line: '热水器' },
  { prefix: 'CXW', line: '油烟机' },
  { prefix: 'JZT', line: '燃气灶' },
  { prefix: 'JZY', line: '燃气灶' },
  { prefix: 'WQP', line: '洗碗机' },
  { prefix: 'ZTD', line: '消毒柜' },
  { prefix: 'MG', line: '微波炉' },
  { prefix: 'EG', line: '微波炉' },
  { prefix: 'LED', line: '电视' },
];

/** The table a ticket is read with: configured prefixes first, then (unless dropped) the built-in ones. */
export function modelPrefixes(settings?: Partial<ProductSettings> | null): ModelPrefix[] {
  const own = settings?.modelPrefixes ?? [];
  const base = settings?.useDefaults === false ? [] : defaultModelPrefixes;
  const seen = new Set<string>();
  const out: ModelPrefix[] = [];
  for (const entry of [...own, ...base]) {
    const key = entry.prefix.toUpperCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ prefix: key, line: entry.line });
  }
  // Longest first, so KFR wins over KF.
  return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

// ---------------------------------------------------------------------------------------------------
// Model numbers

/**
 * A model-number-shaped token: letters, then (after an optional hyphen) a run that holds a digit,
 * then more segments after `-`, `/` or `.`. Not inside a longer word or number.
 */
const modelToken =
  /(?<![A-Za-z0-9-])([A-Za-z]{1,8})(-?)([A-Za-z]{0,3}\d[A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*)(?![A-Za-z0-9])/g;

/** A model number needs this many letters and digits: `KF94` (a mask) is not one, `KF-23GW` is. */
const MIN_MODEL_LENGTH = 6;

/** The first model number in `text` whose prefix is in `prefixes`, with its line; null when none. */
export function findModel(
  text: string,
  prefixes: readonly ModelPrefix[] = modelPrefixes(),
): { model: string; line: string } | null {
  const normal = text.normalize('NFKC');
  modelToken.lastIndex = 0;
  for (let m = modelToken.exec(normal); m !== null; m = modelToken.exec(normal)) {
    const letters = m[1]!.toUpperCase();
    const token = m[0].replace(/[.]+$/, '');
    // Order, tracking and invoice numbers carry long runs of digits; model numbers do not.
    if (/\d{6}/.test(token)) continue;
    if (token.replace(/[^A-Za-z0-9]/g, '').length < MIN_MODEL_LENGTH) continue;
    const digits = (m[3]!.match(/\d/g) ?? []).length;
    if (digits < 2) continue;
    const entry = prefixes.find((p) => letters.startsWith(p.prefix));
    // The letters beyond the prefix are a variant mark (KFRd, BCD-…), at most two of them.
    if (!entry || letters.length - entry.prefix.length > 2) continue;
    return { model: token.toUpperCase(), line: entry.line };
  }
  return null;
}

/**
 * What a person typed in one product field ("空调 KFR-35GW", "KFR-35GW", "洗衣机"): a model number in it
 * with the rest of the text as the line (else the table's line); without a model, the text is the line.
 * Null for blank text or a model whose line nobody can tell.
 */
export function readProductText(
  text: string,
  prefixes: readonly ModelPrefix[] = modelPrefixes(),
): Product | null {
  const trimmed = text.normalize('NFKC').trim();
  if (!trimmed) return null;
  const found = findModel(trimmed, prefixes);
  if (!found) return { line: trimmed.slice(0, 40) };
  const at = trimmed.toUpperCase().indexOf(found.model);
  const rest = (at >= 0 ? trimmed.slice(0, at) + trimmed.slice(at + found.model.length) : '')
    .replace(/[\s,，、/:：()（）-]+/g, ' ')
    .trim();
  return { line: (rest || found.line).slice(0, 40), model: found.model };
}

/** A product from separate line and model values (the import's columns): the line from the table when absent. */
export function productOf(
  line: string | undefined,
  model: string | undefined,
  prefixes: readonly ModelPrefix[] = modelPrefixes(),
): Product | null {
  const l = line?.trim();
  const m = model?.normalize('NFKC').trim().toUpperCase();
  if (!m) return l ? { line: l } : null;
  const known = l || findModel(m, prefixes)?.line;
  return known ? { line: known, model: m } : null;
}

// ---------------------------------------------------------------------------------------------------
// Regions

const municipalities = ['北京', '上海', '天津', '重庆'];

/** Province-level divisions: the short name and the full one. */
const provinces: readonly [string, string][] = [
  ...municipalities.map((m): [string, string] => [m, `${m}市`]),
  ...[
    '河北',
    '山西',
    '辽宁',
    '吉林',
    '黑龙江',
    '江苏',
    '浙江',
    '安徽',
    '福建',
    '江西',
    '山东',
    '河南',
    '湖北',
    '湖南',
    '广东',
    '海南',
    '四川',
    '贵州',
    '云南',
    '陕西',
    '甘肃',
    '青海',
    '台湾',
  ].map((p): [string, string] => [p, `${p}省`]),
  ['内蒙古', '内蒙古自治区'],
  ['广西', '广西壮族自治区'],
  ['西藏', '西藏自治区'],
  ['宁夏', '宁夏回族自治区'],
  ['新疆', '新疆维吾尔自治区'],
  ['香港', '香港特别行政区'],
  ['澳门', '澳门特别行政区'],
];

/** The ways a province-level name is written, longest first: 广西壮族自治区, 广西自治区, 广西省 (sic), 广西. */
const provinceForms: readonly { form: string; full: string }[] = provinces
  .flatMap(([short, full]) =>
    [...new Set([full, short, ...(full.endsWith('自治区') ? [`${short}自治区`] : [])])].map((form) => ({
      form,
      full,
    })),
  )
  .sort((a, b) => b.form.length - a.form.length);

/**
 * Prefecture-level cities named without their province, by province: capitals, sub-provincial cities
 * and the larger others. A city outside this list is still read when the address names its province.
 */
const citiesByProvince: Record<string, string> = {
  河北省: '石家庄 唐山 保定 邯郸 廊坊 沧州 秦皇岛 张家口 邢台 承德 衡水',
  山西省: '太原 大同 长治 晋城 临汾 运城',
  辽宁省: '沈阳 大连 鞍山 抚顺 锦州 营口 丹东',
  吉林省: '长春 吉林 四平 延边',
  黑龙江省: '哈尔滨 大庆 齐齐哈尔 牡丹江 佳木斯',
  江苏省: '南京 苏州 无锡 常州 南通 徐州 扬州 镇江 泰州 盐城 淮安 连云港 宿迁',
  浙江省: '杭州 宁波 温州 绍兴 嘉兴 湖州 金华 台州 舟山 丽水 衢州',
  安徽省: '合肥 芜湖 蚌埠 马鞍山 安庆 阜阳',
  福建省: '福州 厦门 泉州 漳州 莆田 宁德',
  江西省: '南昌 赣州 九江 上饶 景德镇',
  山东省: '济南 青岛 烟台 潍坊 淄博 临沂 济宁 威海 泰安 日照',
  河南省: '郑州 洛阳 开封 南阳 新乡 许昌 安阳',
  湖北省: '武汉 宜昌 襄阳 荆州 十堰 黄石',
  湖南省: '长沙 株洲 湘潭 衡阳 岳阳 常德',
  广东省: '广州 深圳 佛山 东莞 珠海 中山 惠州 江门 汕头 湛江 肇庆 茂名 清远 揭阳',
  海南省: '海口 三亚',
  四川省: '成都 绵阳 德阳 宜宾 南充 泸州 乐山',
  贵州省: '贵阳 遵义',
  云南省: '昆明 大理 曲靖 玉溪',
  陕西省: '西安 宝鸡 咸阳 榆林 延安',
  甘肃省: '兰州 天水',
  青海省: '西宁',
  台湾省: '台北 高雄 台中',
  内蒙古自治区: '呼和浩特 包头 鄂尔多斯 赤峰',
  广西壮族自治区: '南宁 柳州 桂林 北海',
  西藏自治区: '拉萨',
  宁夏回族自治区: '银川',
  新疆维吾尔自治区: '乌鲁木齐 克拉玛依',
};

/**
 * City names that are also common words or street names (未开封, 大同小异, 中山路, 延安路, 北海公园,
 * 大理石…): read only as `<name>市`.
 */
const ambiguousCities = new Set([
  '开封',
  '大同',
  '长治',
  '大庆',
  '日照',
  '金华',
  '北海',
  '延安',
  '包头',
  '中山',
  '大理',
  '吉林',
  '江门',
  '常德',
]);

/** Known cities, longest first (乌鲁木齐 before any shorter name it starts with). */
const knownCities: readonly { city: string; province: string; ambiguous: boolean }[] = Object.entries(
  citiesByProvince,
)
  .flatMap(([province, names]) =>
    names.split(' ').map((city) => ({ city, province, ambiguous: ambiguousCities.has(city) })),
  )
  .sort((a, b) => b.city.length - a.city.length);

const han = '[\\u4e00-\\u9fff]';
/** A district or county of a municipality, right after its name: 朝阳区, 浦东新区, 密云县 (徐匯區 as written). */
const districtAfter = new RegExp(`^(${han}{1,6}?(?:新区|区|县|新區|區|縣))`);
/** A prefecture-level unit right after a province: 深圳市, 延边朝鲜族自治州, 阿里地区, 锡林郭勒盟. */
const cityAfter = new RegExp(`^(${han}{1,3}?(?:市|地区|盟)|${han}{1,10}?自治州)`);
/** What may stand between the parts of an address: spaces, slashes, hyphens, commas. */
const separators = /[\s/／\\\-－—,，、·.]+/g;

/**
 * The region an address or a text names, as `<province>/<city>` (municipalities: `<city>/<district>`),
 * or the province-level name alone, or null when it names none. Reads the first place named:
 * `北京市朝阳区望京西园三区12号楼` → `北京市/朝阳区`, `广东省深圳市南山区科技园` → `广东省/深圳市`,
 * `深圳南山区` → `广东省/深圳市`. In free text (`strict`) a city named without its province counts only
 * as `<name>市` (深圳市), so "深圳湾的朋友" or a street called 中山路 is no region.
 */
export function findRegion(text: string, options: { strict?: boolean } = {}): string | null {
  const normal = text.normalize('NFKC').replace(separators, '');
  if (!normal) return null;
  const best = { at: Number.POSITIVE_INFINITY, region: '' };
  const consider = (at: number, region: string) => {
    // The earliest place named; at the same place, the longest name (北京市 before 北京).
    if (at < best.at) {
      best.at = at;
      best.region = region;
    }
  };

  for (const { form, full } of provinceForms) {
    const at = normal.indexOf(form);
    if (at < 0 || at >= best.at) continue;
    const rest = normal.slice(at + form.length);
    const isMunicipality = municipalities.some((m) => full === `${m}市`);
    if (isMunicipality) {
      const district = districtAfter.exec(rest)?.[1];
      consider(at, district ? `${full}/${district}` : full);
    } else {
      // 吉林市 is a city of 吉林省 named like it.
      if (form !== full && rest.startsWith('市')) {
        consider(at, `${full}/${form}市`);
        continue;
      }
      const known = knownCities.find((c) => c.province === full && rest.startsWith(c.city));
      const named = known ? undefined : cityAfter.exec(rest)?.[1];
      consider(at, known ? `${full}/${known.city}市` : named ? `${full}/${named}` : full);
    }
  }
  for (const { city, province, ambiguous } of knownCities) {
    const needsSuffix = ambiguous || options.strict === true;
    const at = normal.indexOf(needsSuffix ? `${city}市` : city);
    if (at < 0 || at >= best.at) continue;
    consider(at, `${province}/${city}市`);
  }
  return best.region || null;
}

/** A region as given (API, portal, import): its canonical form when it names a known place, else trimmed. */
export function normaliseRegion(text: string): string {
  const trimmed = text.normalize('NFKC').trim();
  return findRegion(trimmed) ?? trimmed;
}

// ---------------------------------------------------------------------------------------------------
// Derivation

/** What derivation reads of a ticket. */
export interface DerivationSource {
  subject: string;
  description: string;
  location?: { address?: string | undefined } | null;
  customFields?: Record<string, unknown>;
  /** Key facts already quoted from the text (assets, places): read before the whole text. */
  classification?: { facts: { assets: string[]; places: string[] } } | null;
}

/** Custom fields an address may be kept in (the portal keeps its location text in `location`). */
const addressFields = ['address', 'location', '地址'];

/**
 * The product and region a ticket's own data implies, for whichever of them it lacks: the fields it
 * has are kept. `derived` names those filled in here.
 */
export function deriveProductRegion(
  source: DerivationSource,
  current: { product: Product | null; region: string | null },
  prefixes: readonly ModelPrefix[] = modelPrefixes(),
): { product: Product | null; region: string | null; derived: DerivedField[] } {
  const derived: DerivedField[] = [];
  let { product, region } = current;
  const texts = [...(source.classification?.facts.assets ?? []), source.subject, source.description];
  if (!product) {
    for (const text of texts) {
      const found = findModel(text, prefixes);
      if (found) {
        product = { line: found.line, model: found.model };
        derived.push('product');
        break;
      }
    }
  }
  if (!region) {
    const addresses = [
      ...[source.location?.address, ...addressFields.map((f) => source.customFields?.[f])].map((text) => ({
        text,
        strict: false,
      })),
      ...[...(source.classification?.facts.places ?? []), source.subject, source.description].map((text) => ({
        text,
        strict: true,
      })),
    ].filter(
      (a): a is { text: string; strict: boolean } => typeof a.text === 'string' && a.text.trim() !== '',
    );
    for (const { text, strict } of addresses) {
      const found = findRegion(text, { strict });
      if (found) {
        region = found;
        derived.push('region');
        break;
      }
    }
  }
  return { product, region, derived };
}
