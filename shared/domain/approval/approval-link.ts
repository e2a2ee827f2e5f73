import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';

/**
 * One-time decision links in approvers' e-mails (docs/collaboration.md, "Decision links"). A link is
 * `…/approvals/<id>/act?token=<token>`: 256 random bits that only the e-mail holds. The approval keeps
 * the token's SHA-256, whom it is for, the stage, and when it expires and was used — so a link decides
 * once, for that approver, while that stage waits on them, and a leaked table holds nothing that works.
 * The approval and its links are written together (conditional on the approval's version), so two
 * uses of one link race to one decision.
 */
export const ApprovalLink = z.object({
  hash: z.string(),
  approver: z.string(),
  stage: z.number().int().nonnegative(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
});
export type ApprovalLink = z.infer<typeof ApprovalLink>;

export type LinkRefusal = 'invalid' | 'expired' | 'used';

/** Links older than this are dropped when new ones are minted (they have expired long since). */
const keepMs = 30 * 24 * 3_600_000;

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

/** A new link for `approver` at `stage`, valid `validHours`; the token goes in the e-mail, the rest is kept. */
export function mintLink(
  approver: string,
  stage: number,
  now: Date,
  validHours: number,
  random: (bytes: number) => Buffer = randomBytes,
): { token: string; link: ApprovalLink } {
  const token = random(32).toString('base64url');
  return {
    token,
    link: {
      hash: hashToken(token),
      approver,
      stage,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + validHours * 3_600_000).toISOString(),
      usedAt: null,
    },
  };
}

/** `links` with `added`, minus the ones expired for a month. */
export const withLinks = (links: readonly ApprovalLink[], added: readonly ApprovalLink[], now: Date) => [
  ...links.filter((l) => Date.parse(l.expiresAt) > now.getTime() - keepMs),
  ...added,
];

/** The link `token` names, if it can still decide: known, unused, not expired. */
export function findLink(
  links: readonly ApprovalLink[],
  token: string,
  now: Date,
): { ok: true; link: ApprovalLink } | { ok: false; why: LinkRefusal } {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, why: 'invalid' };
  const hash = hashToken(token);
  const link = links.find((l) => l.hash === hash);
  if (!link) return { ok: false, why: 'invalid' };
  if (link.usedAt) return { ok: false, why: 'used' };
  if (Date.parse(link.expiresAt) <= now.getTime()) return { ok: false, why: 'expired' };
  return { ok: true, link };
}

/** `links` with the one of `hash` marked used at `now`. */
export const markUsed = (links: readonly ApprovalLink[], hash: string, now: Date) =>
  links.map((l) => (l.hash === hash ? { ...l, usedAt: now.toISOString() } : l));

/** Mints the links of one change's approver messages, and puts them on the approval it writes. */
export interface LinkMinter {
  /** A link for `approver` on the approval's current stage; none where links are off. */
  for(
    approval: { id: string; currentStage: number },
    approver: string,
  ): { url: string; expiresAt: string } | undefined;
  /** `approval` with the links minted so far (and without ones long expired). */
  apply<A extends { links: ApprovalLink[] }>(approval: A): A;
}

/** Links under `base` (`<base>/approvals/<id>/act?token=…`), valid `validHours`; no base, no links. */
export function linkMinter(base: string | undefined, validHours: number, now: Date): LinkMinter {
  const minted: ApprovalLink[] = [];
  return {
    for(approval, approver) {
      if (!base) return undefined;
      const { token, link } = mintLink(approver, approval.currentStage, now, validHours);
      minted.push(link);
      return {
        url: `${base}/approvals/${encodeURIComponent(approval.id)}/act?token=${token}`,
        expiresAt: link.expiresAt,
      };
    },
    apply: (approval) =>
      minted.length ? { ...approval, links: withLinks(approval.links, minted, now) } : approval,
  };
}
