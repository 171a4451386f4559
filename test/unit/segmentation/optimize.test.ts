import { describe, expect, it } from "vitest";
import { minimizeLbfgs, minimizeNelderMead } from "~/segmentation/optimize";

const rosenbrock = (x: Float64Array, g?: Float64Array): number => {
  const [a, b] = [x[0], x[1]];
  if (g) {
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
  }
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

describe("optimizers", () => {
  it("L-BFGS finds the Rosenbrock minimum and reports convergence", () => {
    const result = minimizeLbfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.gradientNorm).toBeLessThan(1e-4);
  });
  it("Nelder–Mead finds the Rosenbrock minimum", () => {
    const result = minimizeNelderMead((x) => rosenbrock(x), [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });
  it("L-BFGS backs off from non-finite regions", () => {
    // log barrier: undefined for x ≤ 0, minimum at x = 1.
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 1 - 1 / x[0];
      return x[0] - Math.log(x[0]);
    };
    const result = minimizeLbfgs(f, [20]);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });
});
