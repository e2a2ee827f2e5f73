/**
 * The most any spike detector can reach on the bench population (bench/spikes.ts):
 * `node --import tsx bench/spikes-bound.ts`. An oracle that knows the true 2-hour mean mu of the spike window
 * (today's level included) runs one test of the whole spike at level alpha: recall = P(Poisson(3 mu) >= c),
 * c the alpha-critical count of Poisson(mu); averaged per band over 20,000 draws of the bench's volumes.
 */
import { poissonUpperTail } from '#shared/domain/analytics/distributions.ts';
import { bucketRate, mondayBucket, seededRandom } from '../test/support/synthetic-series.ts';

const random = seededRandom(1);
const crit = (mu: number, a: number) => {
  let k = 0;
  while (poissonUpperTail(k, mu) > a) k++;
  return k;
};
const mus: number[] = [];
for (let i = 0; i < 20000; i++) {
  const perHour = Math.exp(Math.log(0.5) + random() * (Math.log(8) - Math.log(0.5)));
  const sb = mondayBucket + Math.floor(random() * 5) * 96 + 36 + Math.floor(random() * 32);
  let mu = 0;
  for (let b = sb; b < sb + 8; b++) mu += bucketRate(perHour, b);
  mus.push(mu);
}
for (const [name, a] of [
  ['1e-3/672 (one test a run)', 1e-3 / 672],
  ['1e-3/84 (84 disjoint 2-h windows a week)', 1e-3 / 84],
] as const) {
  const out = [];
  for (const [b, lo, hi] of [
    ['all', 0, 1e9],
    ['<5', 0, 5],
    ['5-10', 5, 10],
    ['10-20', 10, 20],
    ['>=20', 20, 1e9],
  ] as const) {
    const m = mus.filter((x) => x >= lo && x < hi);
    out.push(
      `${b} n=${(m.length / mus.length).toFixed(2)} ${(m.reduce((s, mu) => s + poissonUpperTail(crit(mu, a), 3 * mu), 0) / m.length).toFixed(3)}`,
    );
  }
  console.log(name, '|', out.join(' | '));
}
for (const a of [1e-3 / 672, 1e-3 / 84]) {
  let lo = 1;
  while (poissonUpperTail(crit(lo, a), 3 * lo) < 0.9) lo += 0.25;
  console.log('mu for 0.9 at', a.toExponential(2), lo);
}
