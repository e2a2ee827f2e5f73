/**
 * Upper-tail probabilities of the count distributions the spike test uses (docs/analytics.md, "Spikes").
 * No statistics package is installed in the project, so these are the standard numerical methods
 * (Lanczos log-gamma; the incomplete gamma by its series and Legendre continued fraction; the incomplete
 * beta by its continued fraction, Lentz's method — Numerical Recipes §6.1–6.4), checked against SciPy's
 * values in test/unit/analytics/distributions.test.ts, down to tails of 1e-12.
 */

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = lanczos[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (lanczos[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const eps = 1e-16;
const tiny = 1e-300;
const maxIterations = 10_000;

/** The regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), a > 0, x ≥ 0. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0) throw new RangeError(`gammaQ needs a > 0 and x ≥ 0 (a=${a}, x=${x})`);
  if (x === 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // Series for P, then Q = 1 − P (P is small here only when Q is near 1, so no cancellation matters).
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < maxIterations; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * eps) break;
    }
    return 1 - Math.exp(logPrefix) * sum;
  }
  // Continued fraction for Q (converges fast for x ≥ a + 1), modified Lentz.
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < maxIterations; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < eps) break;
  }
  return Math.exp(logPrefix) * h;
}

/** The regularized lower incomplete gamma P(a, x) = 1 − Q(a, x), computed without cancellation. */
export function gammaP(a: number, x: number): number {
  if (x < a + 1) {
    if (x === 0) return 0;
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < maxIterations; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * eps) break;
    }
    return Math.exp(a * Math.log(x) - x - logGamma(a)) * sum;
  }
  return 1 - gammaQ(a, x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < eps) break;
  }
  return h;
}

/** The regularized incomplete beta I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function betaI(a: number, b: number, x: number): number {
  if (!(a > 0 && b > 0) || x < 0 || x > 1) throw new RangeError(`betaI(${a}, ${b}, ${x})`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges for x < (a+1)/(a+b+2); otherwise use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(X ≥ k) for X ~ Poisson(mean): P(k, mean), the regularized lower incomplete gamma. */
export function poissonUpperTail(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  return gammaP(k, mean);
}

/**
 * P(X ≥ k) for X negative binomial with the given mean and size r (Var = mean + mean²/r): with
 * p = r / (r + mean) the probability of a "success", P(X ≥ k) = I_{1−p}(k, r). As r → ∞ it tends to
 * the Poisson tail.
 */
export function negativeBinomialUpperTail(k: number, mean: number, size: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  if (!Number.isFinite(size)) return poissonUpperTail(k, mean);
  return betaI(k, size, mean / (size + mean));
}

/**
 * Benjamini–Hochberg: which of the p-values are discoveries at false-discovery rate q (returned as a
 * boolean per input, in input order).
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): boolean[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  let cut = -1;
  for (let rank = m; rank >= 1; rank--) {
    if ((order[rank - 1] as readonly [number, number])[0] <= (rank / m) * q) {
      cut = rank;
      break;
    }
  }
  const out = new Array<boolean>(m).fill(false);
  for (let r = 0; r < cut; r++) out[(order[r] as readonly [number, number])[1]] = true;
  return out;
}

/** Bonferroni: each p-value against α / m. */
export function bonferroni(pValues: readonly number[], alpha: number): boolean[] {
  const m = pValues.length;
  return pValues.map((p) => p <= alpha / m);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * P(X ≥ k) for X beta-binomial(n, a, b): a binomial count whose success probability is Beta(a, b) — the
 * predictive distribution of a share estimated from earlier counts. Summed term by term from k (n is a
 * ticket count: at most a few thousand).
 */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const base = logGamma(n + 1) - logBeta(a, b);
  let total = 0;
  for (let j = k; j <= n; j++) {
    const log = base - logGamma(j + 1) - logGamma(n - j + 1) + logBeta(j + a, n - j + b);
    const term = Math.exp(log);
    total += term;
    if (j > k && term < total * 1e-17) break;
  }
  return Math.min(1, total);
}
