/**
 * L2-regularised logistic regression on standardised features, fitted with L-BFGS
 * (optimize.ts). The loss is the mean log-loss plus (λ / 2n)·‖w‖² — the intercept is not
 * penalised — which is the MAP estimate under a Gaussian prior of variance 1/λ on each
 * standardised weight.
 */
import { minimizeLbfgs } from "./optimize";

export interface LogisticModel {
  featureNames: readonly string[];
  /** Standardisation: z = (x − mean) / scale. */
  means: Float64Array;
  scales: Float64Array;
  /** Weights on standardised features. */
  weights: Float64Array;
  intercept: number;
  converged: boolean;
  iterations: number;
}

export interface LogisticData {
  /** Row-major n × d feature matrix. */
  features: Float64Array;
  labels: Uint8Array;
  rows: number;
  featureNames: readonly string[];
}

export function fitLogistic(data: LogisticData, l2 = 1): LogisticModel {
  const d = data.featureNames.length;
  const n = data.rows;
  const { features, labels } = data;
  const means = new Float64Array(d);
  const scales = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) means[j] += features[i * d + j] / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) scales[j] += (features[i * d + j] - means[j]) ** 2 / n;
  // A constant feature (e.g. consent never given) gets scale 1: it standardises to 0 and drops out.
  for (let j = 0; j < d; j++) scales[j] = scales[j] > 1e-24 ? Math.sqrt(scales[j]) : 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) z[i * d + j] = (features[i * d + j] - means[j]) / scales[j];

  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let eta = theta[d];
      for (let j = 0; j < d; j++) eta += theta[j] * z[i * d + j];
      // log(1 + e^η) − yη, computed stably on either side of 0.
      loss +=
        (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - labels[i] * eta;
      const residual = sigmoid(eta) - labels[i];
      for (let j = 0; j < d; j++) gradient[j] += residual * z[i * d + j];
      gradient[d] += residual;
    }
    let penalty = 0;
    for (let j = 0; j < d; j++) {
      penalty += theta[j] * theta[j];
      gradient[j] = gradient[j] / n + (l2 / n) * theta[j];
    }
    gradient[d] /= n;
    return loss / n + (l2 / (2 * n)) * penalty;
  };
  const result = minimizeLbfgs(objective, new Float64Array(d + 1), { gradientTolerance: 1e-7 });
  return {
    featureNames: data.featureNames,
    means,
    scales,
    weights: result.x.slice(0, d),
    intercept: result.x[d],
    converged: result.converged,
    iterations: result.iterations,
  };
}

/** P(y = 1) for one raw (unstandardised) feature row starting at `offset`. */
export function predictLogistic(model: LogisticModel, features: Float64Array, offset = 0): number {
  let eta = model.intercept;
  for (let j = 0; j < model.weights.length; j++) {
    eta += (model.weights[j] * (features[offset + j] - model.means[j])) / model.scales[j];
  }
  return sigmoid(eta);
}

export function sigmoid(eta: number): number {
  return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
}
