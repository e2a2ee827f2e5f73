import { describe, expect, it } from 'vitest';
import {
  allowedHostsFromEnv,
  checkDevBodyType,
  checkHostAndOrigin,
  hostName,
} from '#infra/local/request-guard.ts';

const check = (host: string | undefined, origin?: string, fetchSite?: string) =>
  checkHostAndOrigin({ host, origin, fetchSite, port: 3000, allowedHosts: ['desk.lan'] })?.code;

describe('The local gateway’s Host and Origin checks', () => {
  it('reads the host name out of a Host header', () => {
    expect(['localhost:3000', 'LOCALHOST', 'localhost.', '[::1]:3000', '127.0.0.1'].map(hostName)).toEqual([
      'localhost',
      'localhost',
      'localhost',
      '[::1]',
      '127.0.0.1',
    ]);
  });

  it('answers loopback and configured names only, whatever the port', () => {
    for (const host of ['localhost:3000', '127.0.0.1:9', '[::1]:3000', 'desk.lan:3000']) {
      expect(check(host), host).toBeUndefined();
    }
    for (const host of [
      'localhost.attacker.example',
      '127.0.0.1.nip.io',
      'attacker.example:3000',
      '',
      '[::2]',
    ]) {
      expect(check(host), host).toBe('REQUEST.HOST_NOT_ALLOWED');
    }
    expect(check(undefined)).toBe('REQUEST.HOST_NOT_ALLOWED');
    expect(allowedHostsFromEnv({ GONGDAN_ALLOWED_HOSTS: ' Desk.LAN:80 , ,box ' })).toEqual([
      'desk.lan',
      'box',
    ]);
  });

  it('lets only this origin in: Sec-Fetch-Site first, else Origin', () => {
    expect(check('localhost:3000', 'http://localhost:3000')).toBeUndefined();
    expect(check('localhost:3000', 'http://127.0.0.1:3000')).toBeUndefined();
    expect(check('localhost:3000', 'null', 'same-origin')).toBeUndefined();
    expect(check('localhost:3000', undefined, 'none')).toBeUndefined();
    for (const [origin, site] of [
      ['http://localhost:3001', undefined],
      ['https://localhost:3000', undefined],
      ['http://localhost:3000/x', undefined],
      ['null', undefined],
      [undefined, 'cross-site'],
      ['http://localhost:3000', 'same-site'],
    ] as const) {
      expect(check('localhost:3000', origin, site), `${origin} ${site}`).toBe('REQUEST.CROSS_SITE');
    }
  });

  it('takes JSON (or the route’s own type) on /dev/* POSTs, and leaves other requests alone', () => {
    const type = (path: string, contentType: string | undefined, hasBody = true, accepted?: string[]) =>
      checkDevBodyType({ method: 'POST', path, contentType, hasBody, ...(accepted ? { accepted } : {}) })
        ?.status;
    expect(type('/dev/events', 'application/json; charset=utf-8')).toBeUndefined();
    expect(type('/dev/events', 'application/cloudevents+json')).toBeUndefined();
    expect(type('/dev/jobs/x', undefined, false)).toBeUndefined();
    expect(type('/dev/inbound-email', 'message/rfc822', true, ['message/rfc822'])).toBeUndefined();
    for (const t of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect(type('/dev/events', t), t).toBe(415);
    }
    expect(type('/dev/events', undefined, true)).toBe(415);
    expect(type('/portal', 'multipart/form-data; boundary=x')).toBeUndefined();
    expect(
      checkDevBodyType({ method: 'PUT', path: '/dev/files/a', contentType: 'image/png', hasBody: true }),
    ).toBeUndefined();
  });
});
