import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConsoleConfig } from '../config.ts';
import { useI18n } from '../i18n.tsx';
import { loadSession, type Session, saveSession, sessionFromToken } from '../session.ts';
import { compressPhoto, distanceText, type Here, whereAmI } from './device.ts';
import { enqueue, flush, newKey, type Pending, pending } from './queue.ts';
import { SignaturePad, type SignaturePadHandle } from './SignaturePad.tsx';

type VisitStatus = 'on-the-way' | 'arrived' | 'on-site' | 'completed';

interface Visit {
  id: string;
  status: VisitStatus;
  flagged: boolean;
  steps: { action: string; distanceMeters?: number | null; outsideRadius?: boolean }[];
  photos: { attachmentId: string; tag: string }[];
  notes: { at: string; text: string }[];
  parts: { at: string; name: string; quantity: number }[];
  signOff: { signerName: string } | null;
}

interface Job {
  id: string;
  number: string;
  subject: string;
  description: string;
  status: string;
  priority: string;
  customer: { name?: string; phone?: string };
  location: { lat: number; lng: number; address?: string } | null;
  distanceMeters: number | null;
  navigationUrl: string | null;
  visit: Visit | null;
}

const jobsKey = 'gongdan.field.jobs';
const nextStatus: Record<string, VisitStatus> = {
  start: 'on-the-way',
  arrive: 'arrived',
  'check-in': 'on-site',
  'check-out': 'completed',
};

/** The visit's status as the phone knows it: the server's, then what is still queued for it. */
function localStatus(job: Job, queued: readonly Pending[]): VisitStatus | null {
  let status: VisitStatus | null = job.visit && job.visit.status !== 'completed' ? job.visit.status : null;
  for (const item of queued) {
    if (item.ticketId !== job.id || item.kind !== 'visit') continue;
    const action = String(item.body.action);
    if (nextStatus[action]) status = nextStatus[action]!;
  }
  return status;
}

export function FieldApp({ config }: { config: ConsoleConfig }) {
  const { t, lang, setLang } = useI18n();
  const [session, setSession] = useState<Session | null>(loadSession);
  const [online, setOnline] = useState(navigator.onLine);
  const [queued, setQueued] = useState<Pending[]>([]);
  const [jobs, setJobs] = useState<Job[] | null>(() => {
    try {
      return JSON.parse(localStorage.getItem(jobsKey) ?? 'null') as Job[] | null;
    } catch {
      return null;
    }
  });
  const [here, setHere] = useState<Here | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'warn' | 'error'; text: string } | null>(null);

  const token = session?.token ?? null;

  const loadJobs = useCallback(
    async (at: Here | null) => {
      if (!token) return;
      const query = at ? `?lat=${at.lat}&lng=${at.lng}` : '';
      try {
        const response = await fetch(`${config.apiUrl}/field/jobs${query}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.status === 401) {
          saveSession(null);
          setSession(null);
          return;
        }
        if (!response.ok) return;
        const items = ((await response.json()) as { items: Job[] }).items;
        localStorage.setItem(jobsKey, JSON.stringify(items));
        setJobs(items);
      } catch {
        // Offline: the last list stays on screen.
      }
    },
    [config.apiUrl, token],
  );

  const sync = useCallback(async () => {
    if (!token) return;
    const result = await flush(token);
    setQueued(await pending());
    if (result.refused.length) {
      setNotice({ kind: 'error', text: result.refused.map((r) => r.message).join('；') });
    }
    if (result.sent.length || result.refused.length) await loadJobs(here);
  }, [token, loadJobs, here]);

  useEffect(() => {
    const on = () => {
      setOnline(true);
      void sync();
    };
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, [sync]);

  // Once per sign-in (later loads follow actions): the latest functions, read through refs.
  const latest = useRef({ loadJobs, sync });
  latest.current = { loadJobs, sync };
  useEffect(() => {
    if (!token) return;
    void pending().then(setQueued);
    void whereAmI()
      .then((at) => {
        setHere(at);
        return latest.current.loadJobs(at);
      })
      .catch(() => latest.current.loadJobs(null))
      .then(() => latest.current.sync());
  }, [token]);

  /** Queues an action and sends it at once when there is a network. */
  const act = useCallback(
    async (item: Pending, done?: string) => {
      await enqueue(item);
      setQueued(await pending());
      if (navigator.onLine) await sync();
      else setNotice({ kind: 'warn', text: t('field_queuedOffline') });
      if (done && navigator.onLine) setNotice({ kind: 'ok', text: done });
    },
    [sync, t],
  );

  if (!session) {
    return (
      <FieldSignIn
        config={config}
        onSignIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }

  const job = jobs?.find((j) => j.id === openId) ?? null;

  return (
    <div className="fld">
      <header className="fld-bar">
        {job ? (
          <button type="button" className="fld-link" onClick={() => setOpenId(null)}>
            ‹ {t('field_jobs')}
          </button>
        ) : (
          <h1>{t('field_jobs')}</h1>
        )}
        <span className={online ? 'fld-pill ok' : 'fld-pill off'} role="status">
          {online ? t('field_online') : t('field_offline')}
          {queued.length
            ? ` · ${lang === 'zh' ? `${queued.length} 条待同步` : `${queued.length} to send`}`
            : ''}
        </span>
        <button type="button" className="fld-link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('language')}
        </button>
      </header>
      {notice && (
        <p className={`fld-notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          <button
            type="button"
            className="fld-link"
            onClick={() => setNotice(null)}
            aria-label={t('field_dismiss')}
          >
            ×
          </button>
        </p>
      )}
      <main className="fld-main">
        {job ? (
          <JobView
            job={job}
            status={localStatus(job, queued)}
            queued={queued.filter((q) => q.ticketId === job.id)}
            act={act}
            setNotice={setNotice}
          />
        ) : (
          <JobList
            jobs={jobs}
            queued={queued}
            userName={session.user.name}
            onOpen={setOpenId}
            act={act}
            refresh={() =>
              void whereAmI()
                .then((at) => {
                  setHere(at);
                  return loadJobs(at);
                })
                .catch(() => loadJobs(here))
            }
          />
        )}
      </main>
    </div>
  );
}

type Act = (item: Pending, done?: string) => Promise<void>;

function JobList(props: {
  jobs: Job[] | null;
  queued: Pending[];
  userName: string;
  onOpen(id: string): void;
  act: Act;
  refresh(): void;
}) {
  const { t, lang } = useI18n();
  const [declining, setDeclining] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  // Accepted or declined here: kept so between the action being sent and the list reloading.
  const [taken, setTaken] = useState<ReadonlyMap<string, 'accept' | 'decline'>>(new Map());
  const { jobs, queued } = props;
  if (!jobs) return <p className="fld-muted">{t('field_loading')}</p>;
  const accepted = (j: Job) =>
    j.status !== 'new' ||
    taken.get(j.id) === 'accept' ||
    queued.some((q) => q.ticketId === j.id && q.kind === 'accept');
  const declined = (j: Job) =>
    taken.get(j.id) === 'decline' || queued.some((q) => q.ticketId === j.id && q.kind === 'decline');
  const take = (id: string, kind: 'accept' | 'decline') => setTaken(new Map([...taken, [id, kind]]));
  const visible = jobs.filter((j) => !declined(j));
  return (
    <>
      <p className="fld-muted" data-testid="jobs">
        {props.userName} ·{' '}
        <button type="button" className="fld-link" onClick={props.refresh}>
          {t('field_refresh')}
        </button>
      </p>
      {visible.length === 0 && <p className="fld-muted">{t('field_noJobs')}</p>}
      <ol className="fld-jobs">
        {visible.map((j, i) => (
          <li key={j.id} className="fld-card" data-job={j.number}>
            <div className="fld-row">
              <span className="fld-order">{i + 1}</span>
              <strong>{j.subject}</strong>
              {j.priority === 'urgent' || j.priority === 'high' ? (
                <span className="fld-pill warn">{t(j.priority)}</span>
              ) : null}
            </div>
            <div className="fld-muted">
              {j.number} · {j.location?.address ?? t('field_noAddress')}
              {j.distanceMeters !== null ? ` · ${distanceText(j.distanceMeters, lang)}` : ''}
            </div>
            {j.visit && j.visit.status !== 'completed' && (
              <div className="fld-pill ok">{t(`field_status_${j.visit.status}`)}</div>
            )}
            <div className="fld-actions">
              {j.navigationUrl && (
                <a className="fld-btn" href={j.navigationUrl} target="_blank" rel="noreferrer">
                  {t('field_navigate')}
                </a>
              )}
              {accepted(j) ? (
                <button type="button" className="fld-btn primary" onClick={() => props.onOpen(j.id)}>
                  {t('field_open')}
                </button>
              ) : (
                <button
                  type="button"
                  className="fld-btn primary"
                  onClick={() => {
                    take(j.id, 'accept');
                    void props.act({ key: newKey(), ticketId: j.id, kind: 'accept', at: Date.now() });
                  }}
                >
                  {t('field_accept')}
                </button>
              )}
              {!j.visit || j.visit.status === 'completed' ? (
                <button type="button" className="fld-btn" onClick={() => setDeclining(j.id)}>
                  {t('field_decline')}
                </button>
              ) : null}
            </div>
            {declining === j.id && (
              <form
                className="fld-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!reason.trim()) return;
                  take(j.id, 'decline');
                  void props.act({
                    key: newKey(),
                    ticketId: j.id,
                    kind: 'decline',
                    body: { reason: reason.trim() },
                    at: Date.now(),
                  });
                  setDeclining(null);
                  setReason('');
                }}
              >
                <label>
                  {t('field_declineReason')}
                  <input
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    required
                    maxLength={1000}
                  />
                </label>
                <button type="submit" className="fld-btn danger">
                  {t('field_declineConfirm')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

const steps = ['start', 'arrive', 'check-in', 'check-out'] as const;

function JobView(props: {
  job: Job;
  status: VisitStatus | null;
  queued: Pending[];
  act: Act;
  setNotice(n: { kind: 'ok' | 'warn' | 'error'; text: string } | null): void;
}) {
  const { t, format, lang } = useI18n();
  const { job, status, act } = props;
  const [busy, setBusy] = useState(false);
  const [notes, setNotes] = useState('');
  const [part, setPart] = useState({ name: '', quantity: '1' });
  const [signer, setSigner] = useState(job.customer.name ?? '');
  const [signed, setSigned] = useState(false);
  const [summary, setSummary] = useState('');
  const pad = useRef<SignaturePadHandle>(null);
  const onSite = status === 'on-site';
  const lastCheckIn = useMemo(
    () => [...(job.visit?.steps ?? [])].reverse().find((s) => s.action === 'check-in') ?? null,
    [job.visit],
  );
  const queuedPhotos = props.queued.filter((q) => q.kind === 'photo').length;
  // The steps this visit has taken: the server's (a visit under way), then what is queued.
  const taken = new Set<string>([
    ...(job.visit && (status !== null || job.visit.status === 'completed')
      ? job.visit.steps.map((x) => x.action)
      : []),
    ...props.queued.flatMap((q) => (q.kind === 'visit' ? [String(q.body.action)] : [])),
  ]);
  const queuedSign = props.queued.some((q) => q.kind === 'sign-off');

  const position = async () => {
    try {
      return await whereAmI();
    } catch {
      props.setNotice({ kind: 'error', text: t('field_noPosition') });
      return null;
    }
  };

  const step = async (action: (typeof steps)[number]) => {
    setBusy(true);
    try {
      const at = await position();
      if (!at) return;
      const body: Record<string, unknown> = { action, ...at };
      if (action === 'check-out') body.summary = summary.trim();
      await act(
        { key: newKey(), ticketId: job.id, kind: 'visit', body, at: Date.now() },
        t(`field_done_${action}`),
      );
    } finally {
      setBusy(false);
    }
  };

  const nextStep: (typeof steps)[number] | null =
    status === null ? 'start' : status === 'on-the-way' ? 'arrive' : status === 'arrived' ? 'check-in' : null;

  return (
    <article className="fld-job">
      <h2>{job.subject}</h2>
      <p className="fld-muted">
        {job.number} · {job.customer.name ?? ''} {job.customer.phone ? `· ${job.customer.phone}` : ''}
      </p>
      <p>{job.location?.address}</p>
      <p className="fld-desc">{job.description}</p>
      {job.navigationUrl && (
        <a className="fld-btn" href={job.navigationUrl} target="_blank" rel="noreferrer">
          {t('field_navigate')}
        </a>
      )}
      <ol className="fld-steps" aria-label={t('field_steps')}>
        {steps.map((s) => {
          const reached = taken.has(s);
          return (
            <li key={s} className={reached ? 'done' : ''}>
              {t(`field_step_${s}`)}
            </li>
          );
        })}
      </ol>
      {lastCheckIn && lastCheckIn.distanceMeters !== undefined && lastCheckIn.distanceMeters !== null && (
        <p
          className={`fld-notice ${lastCheckIn.outsideRadius ? 'warn' : 'ok'}`}
          data-testid="checkin-distance"
        >
          {format(lastCheckIn.outsideRadius ? 'field_checkedInFar' : 'field_checkedInNear', {
            distance: distanceText(lastCheckIn.distanceMeters, lang),
          })}
        </p>
      )}
      {nextStep && (
        <button
          type="button"
          className="fld-btn primary big"
          disabled={busy}
          onClick={() => void step(nextStep)}
        >
          {t(`field_do_${nextStep}`)}
        </button>
      )}
      {status === 'on-the-way' && (
        <button type="button" className="fld-btn" disabled={busy} onClick={() => void step('check-in')}>
          {t('field_do_check-in')}
        </button>
      )}
      {onSite && (
        <>
          <section className="fld-section">
            <h3>{t('field_photos')}</h3>
            <div className="fld-actions">
              {(['before', 'after'] as const).map((tag) => (
                <label key={tag} className="fld-btn">
                  {t(`field_photo_${tag}`)}
                  <input
                    type="file"
                    accept="image/*"
                    capture="environment"
                    className="fld-hidden"
                    data-testid={`photo-${tag}`}
                    onChange={async (e) => {
                      const file = e.target.files?.[0];
                      e.target.value = '';
                      if (!file) return;
                      try {
                        const blob = await compressPhoto(file);
                        await act(
                          { key: newKey(), ticketId: job.id, kind: 'photo', blob, tag, at: Date.now() },
                          t('field_photoSaved'),
                        );
                      } catch {
                        props.setNotice({ kind: 'error', text: t('field_photoFailed') });
                      }
                    }}
                  />
                </label>
              ))}
            </div>
            <p className="fld-muted" data-testid="photo-count">
              {format('field_photoCount', { count: (job.visit?.photos.length ?? 0) + queuedPhotos })}
            </p>
          </section>
          <section className="fld-section">
            <h3>{t('field_record')}</h3>
            <label>
              {t('field_notes')}
              <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} maxLength={4000} />
            </label>
            <div className="fld-row">
              <label className="grow">
                {t('field_part')}
                <input
                  value={part.name}
                  onChange={(e) => setPart({ ...part, name: e.target.value })}
                  maxLength={120}
                />
              </label>
              <label className="qty">
                {t('field_quantity')}
                <input
                  type="number"
                  min={1}
                  inputMode="numeric"
                  value={part.quantity}
                  onChange={(e) => setPart({ ...part, quantity: e.target.value })}
                />
              </label>
            </div>
            <button
              type="button"
              className="fld-btn"
              disabled={!notes.trim() && !part.name.trim()}
              onClick={async () => {
                const at = await whereAmI().catch(() => null);
                await act(
                  {
                    key: newKey(),
                    ticketId: job.id,
                    kind: 'visit',
                    body: {
                      action: 'record',
                      ...(at ?? {}),
                      ...(notes.trim() ? { notes: notes.trim() } : {}),
                      ...(part.name.trim()
                        ? { parts: [{ name: part.name.trim(), quantity: Number(part.quantity) || 1 }] }
                        : {}),
                    },
                    at: Date.now(),
                  },
                  t('field_recordSaved'),
                );
                setNotes('');
                setPart({ name: '', quantity: '1' });
              }}
            >
              {t('field_saveRecord')}
            </button>
            {job.visit?.notes.length || job.visit?.parts.length ? (
              <ul className="fld-muted">
                {job.visit?.notes.map((n) => (
                  <li key={`n${n.at}`}>{n.text}</li>
                ))}
                {job.visit?.parts.map((p) => (
                  <li key={`p${p.at}${p.name}`}>{`${p.name} × ${p.quantity}`}</li>
                ))}
              </ul>
            ) : null}
          </section>
          <section className="fld-section">
            <h3>{t('field_signature')}</h3>
            {job.visit?.signOff || queuedSign ? (
              <p className="fld-notice ok" data-testid="signed">
                {format('field_signedBy', { name: job.visit?.signOff?.signerName ?? signer })}
              </p>
            ) : (
              <>
                <label>
                  {t('field_signerName')}
                  <input value={signer} onChange={(e) => setSigner(e.target.value)} maxLength={80} />
                </label>
                <SignaturePad ref={pad} label={t('field_signHere')} onChange={(empty) => setSigned(!empty)} />
                <div className="fld-actions">
                  <button type="button" className="fld-btn" onClick={() => pad.current?.clear()}>
                    {t('field_clear')}
                  </button>
                  <button
                    type="button"
                    className="fld-btn primary"
                    disabled={!signed || !signer.trim()}
                    onClick={async () => {
                      const at = await whereAmI().catch(() => null);
                      await act(
                        {
                          key: newKey(),
                          ticketId: job.id,
                          kind: 'sign-off',
                          body: { signerName: signer.trim(), signature: pad.current!.toPng(), ...(at ?? {}) },
                          at: Date.now(),
                        },
                        t('field_signSaved'),
                      );
                    }}
                  >
                    {t('field_confirmSignature')}
                  </button>
                </div>
              </>
            )}
          </section>
          <section className="fld-section">
            <h3>{t('field_step_check-out')}</h3>
            <label>
              {t('field_summary')}
              <textarea
                value={summary}
                onChange={(e) => setSummary(e.target.value)}
                rows={2}
                maxLength={4000}
              />
            </label>
            <button
              type="button"
              className="fld-btn primary big"
              disabled={busy || !summary.trim()}
              onClick={() => void step('check-out')}
            >
              {t('field_do_check-out')}
            </button>
          </section>
        </>
      )}
      {(status === 'completed' || (status === null && job.visit?.status === 'completed')) && (
        <p className="fld-notice ok">{t('field_completed')}</p>
      )}
    </article>
  );
}

/** Locally: the seeded staff by name (tokens from `/dev/tokens`); in AWS: the console's sign-in. */
function FieldSignIn({ config, onSignIn }: { config: ConsoleConfig; onSignIn(s: Session): void }) {
  const { t, lang, setLang } = useI18n();
  const [users, setUsers] = useState<{ id: string; name: string; roles: string[]; token: string }[] | null>(
    null,
  );
  useEffect(() => {
    if (config.mode !== 'local') return;
    void fetch(`${config.apiUrl}/dev/tokens`)
      .then((r) => r.json())
      .then((b: { users: { id: string; name: string; roles: string[]; token: string }[] }) =>
        setUsers(b.users.filter((u) => u.roles.includes('agent'))),
      );
  }, [config]);
  return (
    <div className="fld">
      <header className="fld-bar">
        <h1>{t('field_title')}</h1>
        <button type="button" className="fld-link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('language')}
        </button>
      </header>
      <main className="fld-main">
        {config.mode === 'local' ? (
          <>
            <p className="fld-muted">{t('signInTitle')}</p>
            <ul className="fld-jobs">
              {(users ?? []).map((u) => (
                <li key={u.id}>
                  <button
                    type="button"
                    className="fld-btn block"
                    data-user={u.id}
                    onClick={() => onSignIn(sessionFromToken(u.token))}
                  >
                    {u.name}
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <a className="fld-btn primary block" href={`${import.meta.env.BASE_URL}`}>
            {t('signInCognito')}
          </a>
        )}
      </main>
    </div>
  );
}
