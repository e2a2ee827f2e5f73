import { type ClosingReport, reportText, reportTime } from './closing-report.ts';
import { html, type SafeHtml } from './portal/html.ts';
import { bareLayout, pageHeaders } from './portal/portal-pages.ts';
import type { Lang } from './portal/portal-text.ts';

/** Why a rating link cannot be used: 401 not one of the ticket's, 410 expired, 409 rated already. */
export type FeedbackRefusal = 'invalid' | 'expired' | 'rated' | 'not_resolved' | 'not_low';

const text = {
  zh: {
    title: '服务评价',
    score: '您对本次服务的满意程度',
    scores: ['1 非常不满意', '2 不满意', '3 一般', '4 满意', '5 非常满意'],
    comment: '意见或建议（可选）',
    send: '提交评价',
    pick: '请选择 1 到 5 分。',
    thanks: '感谢您的评价！',
    yourRating: (n: number) => `您的评分：${n} / 5`,
    sorry: '很抱歉这次没有让您满意。主管已收到通知，会跟进此事。',
    reopenOffer: '如果问题仍未解决，您可以重新打开工单，我们会继续处理：',
    reopen: '重新打开工单',
    reopened: '工单已重新打开，我们会尽快与您联系。',
    refused: {
      invalid: '此评价链接无效。请使用服务报告中的完整链接。',
      expired: '此评价链接已过期。',
      rated: '此工单已经评价过，感谢您的反馈。',
      not_resolved: '工单尚未解决，暂时不能评价。',
      not_low: '此操作不可用。',
    },
  },
  en: {
    title: 'Rate our service',
    score: 'How satisfied are you with how it went?',
    scores: ['1 Very dissatisfied', '2 Dissatisfied', '3 Neutral', '4 Satisfied', '5 Very satisfied'],
    comment: 'Comment (optional)',
    send: 'Send rating',
    pick: 'Choose a score from 1 to 5.',
    thanks: 'Thank you for your rating!',
    yourRating: (n: number) => `Your rating: ${n} / 5`,
    sorry: 'We are sorry it did not go well. A supervisor has been told and will follow up.',
    reopenOffer: 'If the problem is not solved, you can reopen the ticket and we will keep working on it:',
    reopen: 'Reopen the ticket',
    reopened: 'The ticket is open again; we will be in touch soon.',
    refused: {
      invalid: 'This rating link is not valid. Use the whole link from the service report.',
      expired: 'This rating link has expired.',
      rated: 'This ticket has been rated already. Thank you for your feedback.',
      not_resolved: 'The ticket is not resolved yet, so it cannot be rated.',
      not_low: 'This is not available.',
    },
  },
} as const;

/** The closing report as a page section (the rating page and the portal's status page show it). */
export function reportSection(report: ClosingReport, lang: Lang, timeZone?: string): SafeHtml {
  const t = reportText[lang];
  return html`<section id="closing-report" aria-labelledby="report-title">
<h2 id="report-title">${t.title}</h2>
<dl>
<dt>${t.asked}</dt><dd class="asked">${report.asked || report.subject}</dd>
<dt>${t.done}</dt><dd id="resolution-summary">${report.done}</dd>
${report.handledBy ? html`<dt>${t.handledBy}</dt><dd>${report.handledBy}</dd>` : null}
</dl>
<h2>${t.timeline}</h2>
<ul class="progress" id="report-timeline">${report.timeline.map(
    (e) =>
      html`<li><span class="name">${t.steps[e.key]}</span><span class="hint">${reportTime(e.at, lang, timeZone)}</span></li>`,
  )}</ul>
${
  report.visit
    ? html`<h2>${t.visit}</h2><ul class="files">${report.visit.signer ? html`<li>${t.signedBy(report.visit.signer)}</li>` : null}${report.visit.photos ? html`<li>${t.photos(report.visit.photos)}</li>` : null}</ul>`
    : null
}
</section>`;
}

/** The rating form: five labelled choices and a comment; posts to `action` (with the token, if any). */
export function ratingForm(
  lang: Lang,
  action: string,
  hidden: Record<string, string>,
  error?: string,
): SafeHtml {
  const t = text[lang];
  return html`<section id="rating">
<h2>${t.title}</h2>
${error ? html`<p class="alert" role="alert" id="score-error">${error}</p>` : null}
<form method="post" action="${action}">
${Object.entries(hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<fieldset class="score"${error ? html` aria-invalid="true" aria-describedby="score-error"` : null}>
<legend>${t.score}</legend>
${t.scores.map(
  (label, i) =>
    html`<label class="choice"><input type="radio" name="score" value="${i + 1}" required> ${label}</label>`,
)}
</fieldset>
<label for="comment">${t.comment}</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit">${t.send}</button>
</form>
</section>`;
}

/** What the customer sees once rated; after a low score, the offer to reopen (when it still can be). */
export function thanksSection(
  lang: Lang,
  rating: { score: number },
  reopen: { action: string; hidden: Record<string, string> } | null,
): SafeHtml {
  const t = text[lang];
  return html`<section id="rating">
<p class="notice" role="status">${t.thanks} ${t.yourRating(rating.score)}</p>
${
  reopen
    ? html`<p>${t.sorry}</p><p>${t.reopenOffer}</p>
<form method="post" action="${reopen.action}">
${Object.entries(reopen.hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" class="reject">${t.reopen}</button>
</form>`
    : null
}
</section>`;
}

const page = (status: number, lang: Lang, number: string, body: SafeHtml) => ({
  status,
  html: bareLayout(lang, `${text[lang].title} · ${number}`, body),
  headers: pageHeaders,
});

/** The rating page: the report, then the form (or the thanks, once rated). */
export function feedbackPage(lang: Lang, report: ClosingReport, rating: SafeHtml, status = 200) {
  return page(
    status,
    lang,
    report.number,
    html`<section><h1>${report.number} · ${report.subject}</h1></section>${reportSection(report, lang)}${rating}`,
  );
}

export const pickScore = (lang: Lang) => text[lang].pick;

/** A reopened ticket's page. */
export function reopenedPage(lang: Lang, number: string) {
  return page(
    200,
    lang,
    number,
    html`<section><h1>${number}</h1><p class="notice" role="status">${text[lang].reopened}</p></section>`,
  );
}

/** Why the link cannot do what was asked, with its status. */
export function feedbackRefusedPage(lang: Lang, why: FeedbackRefusal) {
  const t = text[lang];
  const status = why === 'invalid' ? 401 : why === 'expired' ? 410 : 409;
  return {
    status,
    html: bareLayout(
      lang,
      t.title,
      html`<section><h1>${t.title}</h1><p class="alert" role="alert">${t.refused[why]}</p></section>`,
    ),
    headers: pageHeaders,
  };
}
