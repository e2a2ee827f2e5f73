import * as z from 'zod';

/** Whether a name is an IANA time zone this runtime knows (`Asia/Shanghai`, `Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const HttpsUrl = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'Must be an https URL (https://…)' })
  .max(500)
  .describe('An https URL');

const OptionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => s || null)
    .nullable()
    .default(null);

/** A logo image stored in the configuration itself (PNG, JPEG or WebP, base64), served by the portal. */
export const LogoImage = z.object({
  contentType: z.enum(['image/png', 'image/jpeg', 'image/webp']),
  /** The image, base64; at most 96 KiB of image. */
  data: z.base64().max(131_072, 'The logo image may be at most 96 KiB'),
});
export type LogoImage = z.infer<typeof LogoImage>;

/**
 * The portal's branding and legal text (`CONFIG`/`portal` in the ticket table; defaults, version 0,
 * until one is stored; docs/channels.md):
 * - `companyName` in Chinese and in English (null: "Gongdan 客服中心" / "Gongdan Customer Service");
 * - `logoUrl` (https) or `logoImage` (an uploaded PNG/JPEG/WebP served at `/portal/assets/logo`); the
 *   image wins when both are set; the CSP allows exactly the logo's origin;
 * - `servicePhone`, shown in the header and on the confirmation;
 * - `privacyNote` (short text per language) and `privacyUrl` (https), shown under every form;
 * - `timeZone`: the IANA zone times are shown in (default `Asia/Shanghai`, for both languages).
 */
export const PortalConfig = z
  .object({
    version: z.number().int().nonnegative().default(0),
    companyName: z.object({ zh: OptionalText(80), en: OptionalText(80) }).default({ zh: null, en: null }),
    logoUrl: HttpsUrl.nullable().default(null),
    logoImage: LogoImage.nullable().default(null),
    servicePhone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[+\d][\d\s()-]{2,39}$|^$/, 'Digits, spaces, dashes, brackets and a leading +')
      .transform((s) => s || null)
      .nullable()
      .default(null),
    privacyNote: z.object({ zh: OptionalText(500), en: OptionalText(500) }).default({ zh: null, en: null }),
    privacyUrl: HttpsUrl.nullable().default(null),
    timeZone: z
      .string()
      .trim()
      .max(60)
      .refine(isTimeZone, 'Not an IANA time zone (e.g. Asia/Shanghai)')
      .default('Asia/Shanghai'),
  })
  .strict();
export type PortalConfig = z.infer<typeof PortalConfig>;

/** The body of `PUT /config/portal`: the configuration without its version (If-Match carries that). */
export const PortalConfigInput = PortalConfig.omit({ version: true });
export type PortalConfigInput = z.input<typeof PortalConfigInput>;

export const defaultPortalConfig: PortalConfig = PortalConfig.parse({});

/** Where the portal's configuration is kept: read (defaults when none) and a conditional write. */
export interface PortalConfigStore {
  get(): Promise<PortalConfig>;
  /** Writes `next` if the stored version is still `expectedVersion` (0: none stored); false if not. */
  put(next: PortalConfig, expectedVersion: number): Promise<boolean>;
}
