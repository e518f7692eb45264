/**
 * Logistic regression fitted by Newton–Raphson (IRLS), with optional L2 penalty and sample weights,
 * standard errors and Wald p-values from the inverse information matrix, and convergence diagnostics.
 * It refuses, with a typed error, problems whose answer would be nonsense: perfectly separable data (the
 * coefficients run to infinity) and singular designs (collinear columns).
 *
 * Data is row-major: x[i * p + j] is feature j of row i; an intercept is added unless asked not to.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { ParamChecker } from './params.ts';

export interface LogisticOptions {
  /** L2 penalty λ on the coefficients (not the intercept): minimises −log-likelihood + λ/2·‖β‖². */
  l2?: number;
  weights?: ArrayLike<number>;
  fitIntercept?: boolean;
  maxIterations?: number;
  /** Converged when the largest coefficient change is below this. */
  tolerance?: number;
}

export interface LogisticModel {
  intercept: number;
  coefficients: number[];
  standardErrors: number[];
  interceptStandardError: number;
  pValues: number[];
  iterations: number;
  converged: boolean;
  logLikelihood: number;
  aic: number;
  bic: number;
}

export class ModelFitError extends Error {
  constructor(readonly reason: 'separation' | 'singular' | 'no_convergence' | 'input', message: string) {
    super(message);
    this.name = 'ModelFitError';
  }
}

export const ITERATIONS_MAX = 100;
/** A linear predictor this large means probabilities of 1 − 1e-13: the data separates. */
const SEPARATION_ETA = 30;

const sigmoid = (eta: number) => (eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta)));

/** Standard normal upper tail, from the complementary error function (W. J. Cody's rational approximation). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc (Chebyshev fit), fractional error below 1.2e-7 everywhere.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export function fitLogistic(x: ArrayLike<number>, y: ArrayLike<number | boolean>, features: number, options: LogisticOptions = {}): LogisticModel {
  const n = y.length;
  if (x.length !== n * features) throw new ModelFitError('input', `x has ${x.length} values, expected ${n} rows × ${features} features`);
  const weights = options.weights;
  if (weights && weights.length !== n) throw new ModelFitError('input', `${weights.length} weights for ${n} rows`);
  const intercept = options.fitIntercept !== false;
  const p = features + (intercept ? 1 : 0);
  const l2 = options.l2 ?? 0;
  const maxIterations = Math.min(options.maxIterations ?? 50, ITERATIONS_MAX);
  const tolerance = options.tolerance ?? 1e-10;
  const beta = new Float64Array(p); // [intercept?, coefficients…]
  const row = new Float64Array(p);
  let converged = false;
  let iterations = 0;
  let information = new Matrix(p, p);
  for (; iterations < maxIterations && !converged; iterations++) {
    const hessian = new Float64Array(p * p);
    const gradient = new Float64Array(p);
    let maxEta = 0;
    for (let i = 0; i < n; i++) {
      if (intercept) row[0] = 1;
      for (let j = 0; j < features; j++) row[j + (intercept ? 1 : 0)] = x[i * features + j]!;
      let eta = 0;
      for (let j = 0; j < p; j++) eta += row[j]! * beta[j]!;
      maxEta = Math.max(maxEta, Math.abs(eta));
      const mu = sigmoid(eta);
      const w = weights ? weights[i]! : 1;
      const residual = w * ((y[i] ? 1 : 0) - mu);
      const curvature = w * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        gradient[a]! += residual * row[a]!;
        const ra = curvature * row[a]!;
        for (let b = 0; b <= a; b++) hessian[a * p + b]! += ra * row[b]!;
      }
    }
    const start = intercept ? 1 : 0;
    for (let a = start; a < p; a++) { gradient[a]! -= l2 * beta[a]!; hessian[a * p + a]! += l2; }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) hessian[a * p + b] = hessian[b * p + a]!;
    if (maxEta > SEPARATION_ETA && l2 === 0) {
      throw new ModelFitError('separation', `the outcome is (quasi-)perfectly separated by the features (a linear predictor reached ${maxEta.toFixed(1)}); use binned features, add an L2 penalty (l2; on the command line --l2, e.g. --l2 1), or drop the separating variable`);
    }
    information = new Matrix(Array.from({ length: p }, (_, a) => Array.from(hessian.subarray(a * p, (a + 1) * p))));
    const cholesky = new CholeskyDecomposition(information);
    if (!cholesky.isPositiveDefinite()) {
      throw new ModelFitError('singular', 'the information matrix is singular: some features are constant or collinear (check VIF / correlations)');
    }
    const step = cholesky.solve(Matrix.columnVector(Array.from(gradient)));
    let change = 0;
    for (let a = 0; a < p; a++) {
      const delta = step.get(a, 0);
      beta[a]! += delta;
      change = Math.max(change, Math.abs(delta));
    }
    if (!Number.isFinite(change)) throw new ModelFitError('singular', 'the Newton step is not finite: the design is singular');
    converged = change < tolerance;
  }
  if (!converged) throw new ModelFitError('no_convergence', `no convergence in ${maxIterations} iterations`);
  return summarise(x, y, features, beta, intercept, information, weights, iterations);
}

function summarise(x: ArrayLike<number>, y: ArrayLike<number | boolean>, features: number, beta: Float64Array, intercept: boolean, information: Matrix, weights: ArrayLike<number> | undefined, iterations: number): LogisticModel {
  const n = y.length;
  const p = beta.length;
  let logLikelihood = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    let eta = intercept ? beta[0]! : 0;
    for (let j = 0; j < features; j++) eta += beta[j + (intercept ? 1 : 0)]! * x[i * features + j]!;
    const w = weights ? weights[i]! : 1;
    weightSum += w;
    // log σ(η) = −log(1 + e^−η), computed stably
    const logP = eta >= 0 ? -Math.log1p(Math.exp(-eta)) : eta - Math.log1p(Math.exp(eta));
    const logQ = eta >= 0 ? -eta - Math.log1p(Math.exp(-eta)) : -Math.log1p(Math.exp(eta));
    logLikelihood += w * (y[i] ? logP : logQ);
  }
  const covariance = new CholeskyDecomposition(information).solve(Matrix.eye(p));
  const se = Array.from({ length: p }, (_, a) => Math.sqrt(covariance.get(a, a)));
  const offset = intercept ? 1 : 0;
  const coefficients = Array.from(beta.subarray(offset));
  const standardErrors = se.slice(offset);
  return {
    intercept: intercept ? beta[0]! : 0, coefficients, standardErrors, interceptStandardError: intercept ? se[0]! : 0,
    pValues: coefficients.map((b, j) => 2 * normalUpperTail(Math.abs(b / standardErrors[j]!))),
    iterations, converged: true, logLikelihood, aic: 2 * p - 2 * logLikelihood, bic: p * Math.log(weightSum) - 2 * logLikelihood,
  };
}

/** Probability of the positive class for one row. */
export function predictLogistic(model: Pick<LogisticModel, 'intercept' | 'coefficients'>, row: ArrayLike<number>): number {
  let eta = model.intercept;
  for (let j = 0; j < model.coefficients.length; j++) eta += model.coefficients[j]! * row[j]!;
  return sigmoid(eta);
}

export interface LogisticParams { l2?: number; maxIterations?: number; tolerance?: number }

/** The fitted regression as plain data (it survives JSON): what `LogisticRegression.fit` learns. */
export type LogisticFitted = LogisticModel & { features: string[] };

export const L2_MAX = 1e6;

/**
 * The estimator face of `fitLogistic` (after scikit-learn's LogisticRegression): parameters validated in the
 * constructor, all problems reported at once; `fit` takes named columns and returns plain data.
 */
export class LogisticRegression {
  constructor(readonly params: LogisticParams = {}) {
    const checker = new ParamChecker();
    LogisticRegression.check(params, checker);
    checker.throwIfAny();
  }

  static check(params: LogisticParams, checker: ParamChecker): void {
    checker.number('l2', params.l2, { min: 0, max: L2_MAX });
    checker.number('maxIterations', params.maxIterations, { min: 1, max: ITERATIONS_MAX, integer: true });
    checker.number('tolerance', params.tolerance, { min: 0, max: 1e-2, minExclusive: true });
  }

  fit(columns: Record<string, Float64Array>, y: ArrayLike<number | boolean>, weights?: ArrayLike<number>): LogisticFitted {
    const features = Object.keys(columns);
    const n = y.length;
    const p = features.length;
    const x = new Float64Array(n * p);
    features.forEach((name, j) => { const column = columns[name]!; for (let i = 0; i < n; i++) x[i * p + j] = column[i]!; });
    const model = fitLogistic(x, y, p, { ...this.params, ...(weights ? { weights } : {}) });
    return { ...model, features };
  }
}
