import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  betaBinomialUpperTail,
  betaI,
  bonferroni,
  gammaQ,
  logGamma,
  negativeBinomialUpperTail,
  poissonUpperTail,
} from '../../../shared/domain/analytics/distributions.ts';

/** Relative closeness: what a p-value of 1e-9 needs (absolute tolerance would pass anything that small). */
function expectClose(actual: number, expected: number, relative = 1e-9) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);
}

// Expected values: SciPy 1.17 (scipy.special.gammaln, gammaincc, betainc; scipy.stats poisson.sf(k − 1, μ),
// nbinom.sf(k − 1, r, r / (r + μ)), betabinom.sf(k − 1, n, a, b)).
describe('Count distributions for the spike test', () => {
  it('computes ln Γ like SciPy', () => {
    expectClose(logGamma(0.5), 0.5723649429247);
    expectClose(logGamma(10.3), 13.482036786138359);
    expectClose(logGamma(150.7), 603.5162155733925);
  });

  it('computes the regularized incomplete gamma and beta like SciPy', () => {
    expectClose(gammaQ(3, 10), 0.0027693957155115775);
    expectClose(gammaQ(0.5, 0.1), 0.6547208460185768);
    expectClose(betaI(2.5, 3.5, 0.3), 0.29675298929566646);
    expectClose(betaI(30, 10, 0.9), 0.9958352791323182);
  });

  it.each([
    [1, 0.5, 0.3934693402873665],
    [5, 2, 0.052653017343711125],
    [10, 2, 4.649807501726386e-5],
    [30, 10, 2.509951201527959e-7],
    [50, 20, 1.2458926079719434e-8],
    [3, 5, 0.8753479805169189],
    [200, 150, 5.709688574208249e-5],
    [12, 1, 8.316107426882326e-10],
  ])('gives the Poisson tail P(X ≥ %d | μ = %d) like SciPy', (k, mean, expected) => {
    expectClose(poissonUpperTail(k, mean), expected, 1e-8);
  });

  it.each([
    [10, 2, 5, 0.001096589387435341],
    [30, 10, 20, 5.870963395339987e-5],
    [5, 4, 1, 0.32768],
    [50, 20, 100, 3.8898448288008527e-7],
    [12, 1, 2, 1.693508780843031e-5],
  ])('gives the negative binomial tail P(X ≥ %d | μ = %d, r = %d) like SciPy', (k, mean, size, expected) => {
    expectClose(negativeBinomialUpperTail(k, mean, size), expected, 1e-8);
  });

  it('tends to the Poisson tail as the negative binomial size grows', () => {
    expectClose(negativeBinomialUpperTail(30, 10, 1e9), poissonUpperTail(30, 10), 1e-6);
  });

  it.each([
    [30, 60, 20.5, 40.5, 0.038824807536174344],
    [8, 10, 2, 3, 0.09490509490509491],
    // SciPy's betabinom.sf gives 5.5464000059402e-10 here (1 − cdf loses digits); mpmath's exact sum at 40 digits:
    [46, 60, 20.5, 60.5, 5.546363923625169e-10],
  ])('gives the beta-binomial tail P(X ≥ %d | n = %d, a, b) like an exact sum', (k, n, a, b, expected) => {
    expectClose(betaBinomialUpperTail(k, n, a, b), expected, 1e-8);
  });

  it('keeps the edges: P(X ≥ 0) = 1 and P(X ≥ k > n) = 0', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(negativeBinomialUpperTail(0, 3, 2)).toBe(1);
    expect(betaBinomialUpperTail(11, 10, 1, 1)).toBe(0);
  });
});

describe('Multiple-testing control', () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5];

  it('Benjamini–Hochberg finds what SciPy false_discovery_control adjusts to ≤ q', () => {
    // SciPy's adjusted values: [0.03, 0.06, 0.06, 0.03, 0.24, 0.5]
    expect(benjaminiHochberg(p, 0.05)).toEqual([true, false, false, true, false, false]);
    expect(benjaminiHochberg(p, 0.061)).toEqual([true, true, true, true, false, false]);
  });

  it('Bonferroni tests each against α / m', () => {
    expect(bonferroni(p, 0.05)).toEqual([false, false, false, true, false, false]);
    expect(bonferroni(p, 0.061)).toEqual([true, false, false, true, false, false]);
  });
});
