/**
 * Maximum-likelihood fitting shared by the purchase models (MBG/NBD, Pareto/NBD). Every
 * parameter of those models is positive, so the search runs over θ = ln(parameter): the
 * problem becomes unconstrained, and the objective is −LL/N so its scale does not depend on the
 * shop's size.
 *
 * With an analytic gradient the search is L-BFGS, restarted from Nelder–Mead's answer when it
 * fails to converge; without one (Pareto/NBD, whose likelihood has ₂F₁ terms in every
 * parameter) it is L-BFGS on a central-difference gradient, with Nelder–Mead as the fallback. The
 * observed information at the optimum (the Hessian of −LL in θ, by central differences of the
 * gradient) is returned for Laplace-approximation intervals.
 */
import { minimizeLbfgs, minimizeNelderMead, type OptimizeResult } from "./optimize";

export interface MleProblem {
  names: readonly string[];
  /** Natural-scale start values, all > 0. */
  start: readonly number[];
  /** Σ w ln L at natural parameters; writes ∂/∂parameter into `gradient` when given. */
  logLikelihood: (params: Float64Array, gradient?: Float64Array) => number;
  /** Whether `logLikelihood` fills `gradient`. */
  analyticGradient: boolean;
  /** Σ w (the number of customers). */
  customers: number;
  maxIterations?: number;
}

export interface MleResult {
  params: Float64Array;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  gradientNorm: number;
  method: OptimizeResult["method"];
  message: string;
}

export function maximizeLikelihood(problem: MleProblem): MleResult {
  const { customers, names } = problem;
  const k = names.length;
  if (!(customers > 0)) throw new RangeError("maximizeLikelihood: no customers");
  const natural = new Float64Array(k);
  const naturalGradient = new Float64Array(k);
  const negativeMean = (theta: ArrayLike<number>, gradient?: Float64Array): number => {
    for (let j = 0; j < k; j++) natural[j] = Math.exp(theta[j]);
    const ll = problem.logLikelihood(natural, gradient ? naturalGradient : undefined);
    if (gradient)
      for (let j = 0; j < k; j++) gradient[j] = (-naturalGradient[j] * natural[j]) / customers;
    return -ll / customers;
  };
  const withGradient = problem.analyticGradient
    ? (theta: Float64Array, gradient: Float64Array) => negativeMean(theta, gradient)
    : (theta: Float64Array, gradient: Float64Array) => {
        centralGradient((t) => negativeMean(t), theta, gradient);
        return negativeMean(theta);
      };
  const theta0 = problem.start.map((v) => Math.log(v));
  const maxIterations = problem.maxIterations ?? 500;

  let result: OptimizeResult;
  if (problem.analyticGradient) {
    result = safeLbfgs(withGradient, theta0, maxIterations) ?? nelderMead(negativeMean, theta0);
    if (!result.converged) {
      const simplex = nelderMead(negativeMean, result.x);
      const polished = safeLbfgs(withGradient, simplex.x, maxIterations) ?? simplex;
      result = polished.value <= result.value ? polished : result;
    }
  } else {
    // L-BFGS on the numerical gradient first (a few hundred likelihood evaluations); the
    // simplex, which needs several times more, only when that does not converge.
    // A central-difference gradient is good to ~1e-9; asking for less than 1e-6 of it only
    // spends evaluations on rounding noise.
    const direct = safeLbfgs(withGradient, theta0, maxIterations, 1e-6);
    if (direct?.converged) {
      result = direct;
    } else {
      const simplex = nelderMead(negativeMean, direct?.x ?? theta0);
      const polished = safeLbfgs(withGradient, simplex.x, maxIterations);
      result = polished && polished.value <= simplex.value ? polished : simplex;
    }
    if (result.method === "Nelder-Mead") {
      // The simplex answer stands; its gradient is measured so convergence can be judged.
      const g = new Float64Array(k);
      centralGradient((t) => negativeMean(t), result.x, g);
      const norm = Math.max(...Array.from(g, Math.abs));
      result = { ...result, gradient: g, gradientNorm: norm, converged: norm < 1e-4 };
    }
  }
  const params = Float64Array.from(result.x, Math.exp);
  return {
    params,
    logLikelihood: problem.logLikelihood(params),
    converged: result.converged,
    iterations: result.iterations,
    gradientNorm: result.gradientNorm,
    method: result.method,
    message: result.message,
  };
}

function nelderMead(f: (theta: Float64Array) => number, start: ArrayLike<number>): OptimizeResult {
  // Two rounds: a restart from the first answer re-expands a simplex that collapsed early.
  const first = minimizeNelderMead(f, start, { functionTolerance: 1e-13 });
  return minimizeNelderMead(f, first.x, { functionTolerance: 1e-14, initialStep: 0.05 });
}

function safeLbfgs(
  fg: (theta: Float64Array, gradient: Float64Array) => number,
  start: ArrayLike<number>,
  maxIterations: number,
  gradientTolerance = 1e-7,
): OptimizeResult | undefined {
  try {
    return minimizeLbfgs(fg, start, { maxIterations, gradientTolerance });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Central differences with a step scaled to each coordinate. */
export function centralGradient(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  gradient: Float64Array,
): void {
  const point = Float64Array.from(theta);
  for (let j = 0; j < point.length; j++) {
    const h = 1e-5 * Math.max(1, Math.abs(point[j]));
    const saved = point[j];
    point[j] = saved + h;
    const up = f(point);
    point[j] = saved - h;
    const down = f(point);
    point[j] = saved;
    gradient[j] = (up - down) / (2 * h);
  }
}

/**
 * Observed information −∂²LL/∂θ² in log-parameters θ = ln(params), by central differences of
 * the log-likelihood. Its inverse is the Laplace (asymptotic normal) covariance of θ̂.
 */
export function observedInformation(
  logLikelihood: (params: Float64Array) => number,
  params: ArrayLike<number>,
): number[][] {
  const k = params.length;
  const theta = Float64Array.from(params, Math.log);
  const f = (t: Float64Array) => -logLikelihood(Float64Array.from(t, Math.exp));
  const h = 1e-4;
  const H: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const f0 = f(theta);
  const at = (di: number, dj: number, i: number, j: number) => {
    const t = Float64Array.from(theta);
    t[i] += di;
    t[j] += dj;
    return f(t);
  };
  for (let i = 0; i < k; i++) {
    H[i][i] = (at(h, 0, i, i) - 2 * f0 + at(-h, 0, i, i)) / (h * h);
    for (let j = 0; j < i; j++) {
      const v =
        (at(h, h, i, j) - at(h, -h, i, j) - at(-h, h, i, j) + at(-h, -h, i, j)) / (4 * h * h);
      H[i][j] = H[j][i] = v;
    }
  }
  return H;
}
