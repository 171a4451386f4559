/**
 * Small unconstrained optimisers for the model fits: limited-memory BFGS with a strong-Wolfe
 * line search (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 for the two-loop
 * recursion, Alg. 3.5/3.6 for the line search), and Nelder–Mead as a derivative-free fallback
 * (Nelder & Mead 1965, with the adaptive coefficients of Gao & Han 2012).
 *
 * The models optimise over log-parameters, so the problems are unconstrained; an objective may
 * still return a non-finite value far from the optimum (overflowing Γ, say), which the line
 * search treats as "too far" and backs off from.
 */

/** Writes ∇f(x) into `gradient` and returns f(x). */
export type ObjectiveWithGradient = (x: Float64Array, gradient: Float64Array) => number;
export type Objective = (x: Float64Array) => number;

export interface OptimizeOptions {
  maxIterations?: number;
  /** Converged when the largest gradient component is below this. */
  gradientTolerance?: number;
  /** Converged when an iteration lowers f by less than this, relative to max(1, |f|). */
  functionTolerance?: number;
  /** Number of (s, y) correction pairs kept by L-BFGS. */
  memory?: number;
}

export interface OptimizeResult {
  method: "L-BFGS" | "Nelder-Mead";
  x: Float64Array;
  value: number;
  /** Gradient at x (NaN-filled for Nelder–Mead, which never computes it). */
  gradient: Float64Array;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

const WOLFE_C1 = 1e-4;
const WOLFE_C2 = 0.9;
const MAX_LINE_SEARCH_STEPS = 40;

export function minimizeLbfgs(
  fg: ObjectiveWithGradient,
  start: ArrayLike<number>,
  options: OptimizeOptions = {},
): OptimizeResult {
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-8;
  const functionTolerance = options.functionTolerance ?? 1e-14;
  const memory = options.memory ?? 8;
  const n = start.length;

  let x: Float64Array = Float64Array.from(start);
  let gradient: Float64Array = new Float64Array(n);
  let value = fg(x, gradient);
  let evaluations = 1;
  if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) {
    throw new RangeError("minimizeLbfgs: objective is not finite at the starting point");
  }

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const direction = new Float64Array(n);
  const alphas = new Float64Array(memory);

  let iterations = 0;
  let message = "maximum iterations reached";
  let converged = false;

  while (iterations < maxIterations) {
    if (maxAbs(gradient) < gradientTolerance) {
      converged = true;
      message = "gradient norm below tolerance";
      break;
    }
    iterations++;

    // Two-loop recursion: direction = −H·g with H the L-BFGS inverse-Hessian approximation.
    for (let i = 0; i < n; i++) direction[i] = -gradient[i];
    const k = sHistory.length;
    for (let j = k - 1; j >= 0; j--) {
      alphas[j] = rhoHistory[j] * dot(sHistory[j], direction);
      axpy(-alphas[j], yHistory[j], direction);
    }
    if (k > 0) {
      // Initial Hessian scaling γ = sᵀy / yᵀy (N&W eq. 7.20).
      const gamma = dot(sHistory[k - 1], yHistory[k - 1]) / dot(yHistory[k - 1], yHistory[k - 1]);
      for (let i = 0; i < n; i++) direction[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const beta = rhoHistory[j] * dot(yHistory[j], direction);
      axpy(alphas[j] - beta, sHistory[j], direction);
    }
    if (dot(direction, gradient) >= 0) {
      // Not a descent direction (can happen after a poor curvature pair): restart.
      sHistory.length = yHistory.length = rhoHistory.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -gradient[i];
    }

    const initialStep = sHistory.length === 0 ? Math.min(1, 1 / maxAbs(direction)) : 1;
    const search = strongWolfeLineSearch(fg, x, value, gradient, direction, initialStep);
    evaluations += search.evaluations;
    if (!search.ok) {
      if (sHistory.length > 0 && maxAbs(gradient) >= Math.sqrt(gradientTolerance)) {
        // Retry from steepest descent before giving up.
        sHistory.length = yHistory.length = rhoHistory.length = 0;
        continue;
      }
      // Near the optimum of a sum over millions of terms, f's rounding noise exceeds the
      // decrease any step can make; a small gradient there is as converged as it gets.
      converged = maxAbs(gradient) < Math.sqrt(gradientTolerance);
      message = converged
        ? "no further decrease at floating-point precision; gradient small"
        : "line search failed to find a lower point";
      break;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = search.x[i] - x[i];
      y[i] = search.gradient[i] - gradient[i];
    }
    const previousValue = value;
    x = search.x;
    gradient = search.gradient;
    value = search.value;

    const curvature = dot(s, y);
    if (curvature > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (sHistory.length === memory) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rhoHistory.push(1 / curvature);
    }

    if (previousValue - value <= functionTolerance * Math.max(1, Math.abs(value))) {
      converged = maxAbs(gradient) < Math.sqrt(gradientTolerance);
      message = converged
        ? "relative function reduction below tolerance"
        : "stalled: function no longer decreases but the gradient is not small";
      break;
    }
  }

  return {
    method: "L-BFGS",
    x,
    value,
    gradient,
    gradientNorm: maxAbs(gradient),
    iterations,
    evaluations,
    converged,
    message,
  };
}

interface LineSearchResult {
  ok: boolean;
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  evaluations: number;
}

/** N&W Algorithm 3.5 (bracketing) with Algorithm 3.6 (zoom, safeguarded quadratic steps). */
function strongWolfeLineSearch(
  fg: ObjectiveWithGradient,
  x0: Float64Array,
  f0: number,
  g0: Float64Array,
  direction: Float64Array,
  initialStep: number,
): LineSearchResult {
  const n = x0.length;
  const slope0 = dot(g0, direction);
  let evaluations = 0;

  interface Point {
    step: number;
    value: number;
    slope: number;
    x: Float64Array;
    gradient: Float64Array;
  }
  const evaluate = (step: number): Point => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = x0[i] + step * direction[i];
    const gradient = new Float64Array(n);
    let value = fg(x, gradient);
    evaluations++;
    if (!Number.isFinite(value) || !gradient.every(Number.isFinite)) value = Infinity;
    return { step, value, slope: dot(gradient, direction), x, gradient };
  };
  const sufficientDecrease = (p: Point) => p.value <= f0 + WOLFE_C1 * p.step * slope0;
  const curvatureHolds = (p: Point) => Math.abs(p.slope) <= -WOLFE_C2 * slope0;
  const success = (p: Point): LineSearchResult => ({
    ok: true,
    x: p.x,
    value: p.value,
    gradient: p.gradient,
    evaluations,
  });

  const zoom = (lo: Point, hi: Point): LineSearchResult => {
    let best = lo;
    for (let i = 0; i < MAX_LINE_SEARCH_STEPS; i++) {
      const width = hi.step - lo.step;
      let trial = lo.step + 0.5 * width;
      if (Number.isFinite(hi.value)) {
        // Minimiser of the quadratic through (lo.value, lo.slope) and hi.value.
        const denominator = 2 * (hi.value - lo.value - lo.slope * width);
        if (denominator > 0) trial = lo.step - (lo.slope * width * width) / denominator;
      }
      const low = lo.step + 0.1 * width;
      const high = lo.step + 0.9 * width;
      trial = Math.min(Math.max(trial, Math.min(low, high)), Math.max(low, high));
      const p = evaluate(trial);
      if (!sufficientDecrease(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvatureHolds(p)) return success(p);
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = p;
        best = p;
      }
      // Steps closer than this cannot change f measurably; stop shrinking the bracket.
      if (Math.abs(hi.step - lo.step) < 1e-10 * Math.max(1, Math.abs(lo.step))) break;
    }
    // Accept the best sufficient-decrease point even if the curvature condition never held.
    if (best.step > 0 && best.value < f0) return success(best);
    return { ok: false, x: x0, value: f0, gradient: g0, evaluations };
  };

  let previous: Point = { step: 0, value: f0, slope: slope0, x: x0, gradient: g0 };
  let step = initialStep;
  for (let i = 0; i < MAX_LINE_SEARCH_STEPS; i++) {
    const p = evaluate(step);
    if (!sufficientDecrease(p) || (i > 0 && p.value >= previous.value)) return zoom(previous, p);
    if (curvatureHolds(p)) return success(p);
    if (p.slope >= 0) return zoom(p, previous);
    previous = p;
    step *= 2;
  }
  return previous.step > 0
    ? success(previous)
    : { ok: false, x: x0, value: f0, gradient: g0, evaluations };
}

/**
 * Nelder–Mead simplex search with the dimension-adaptive coefficients of Gao & Han (2012).
 * Converged when the simplex's function values and vertices have both collapsed.
 */
export function minimizeNelderMead(
  f: Objective,
  start: ArrayLike<number>,
  options: OptimizeOptions & { initialStep?: number } = {},
): OptimizeResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 2000 * n;
  const tolerance = options.functionTolerance ?? 1e-12;
  const initialStep = options.initialStep ?? 0.5;
  const reflection = 1;
  const expansion = 1 + 2 / n;
  const contraction = 0.75 - 1 / (2 * n);
  const shrink = 1 - 1 / n;
  const safe = (x: Float64Array) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  const simplex: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < n; i++) {
    const vertex = Float64Array.from(start);
    vertex[i] += initialStep;
    simplex.push(vertex);
  }
  let values = simplex.map(safe);
  let evaluations = n + 1;
  let iterations = 0;
  let converged = false;

  const pointAlong = (centroid: Float64Array, worst: Float64Array, coefficient: number) => {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) p[i] = centroid[i] + coefficient * (centroid[i] - worst[i]);
    return p;
  };

  while (iterations < maxIterations) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const sorted = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    simplex.splice(0, simplex.length, ...sorted);

    const spread = Math.abs(values[n] - values[0]);
    let size = 0;
    for (let v = 1; v <= n; v++) {
      for (let i = 0; i < n; i++) size = Math.max(size, Math.abs(simplex[v][i] - simplex[0][i]));
    }
    if (spread <= tolerance * Math.max(1, Math.abs(values[0])) && size < 1e-9) {
      converged = true;
      break;
    }
    iterations++;

    const centroid = new Float64Array(n);
    for (let v = 0; v < n; v++) for (let i = 0; i < n; i++) centroid[i] += simplex[v][i] / n;
    const worst = simplex[n];
    const reflected = pointAlong(centroid, worst, reflection);
    const fr = safe(reflected);
    evaluations++;
    if (fr < values[0]) {
      const expanded = pointAlong(centroid, worst, reflection * expansion);
      const fe = safe(expanded);
      evaluations++;
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]) {
      simplex[n] = reflected;
      values[n] = fr;
    } else {
      const outside = fr < values[n];
      const contracted = pointAlong(centroid, worst, outside ? contraction : -contraction);
      const fc = safe(contracted);
      evaluations++;
      if (fc < (outside ? fr : values[n])) {
        simplex[n] = contracted;
        values[n] = fc;
      } else {
        for (let v = 1; v <= n; v++) {
          for (let i = 0; i < n; i++) {
            simplex[v][i] = simplex[0][i] + shrink * (simplex[v][i] - simplex[0][i]);
          }
          values[v] = safe(simplex[v]);
          evaluations++;
        }
      }
    }
  }

  const best = values.indexOf(Math.min(...values));
  return {
    method: "Nelder-Mead",
    x: simplex[best],
    value: values[best],
    gradient: new Float64Array(n).fill(NaN),
    gradientNorm: NaN,
    iterations,
    evaluations,
    converged,
    message: converged ? "simplex collapsed" : "maximum iterations reached",
  };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
