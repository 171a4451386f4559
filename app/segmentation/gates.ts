/**
 * Minimum-data gates: before a model is fitted, check the shop has enough data for it to mean
 * anything. A closed gate is reported with a machine-readable code and a sentence for the
 * merchant; the engine then leaves that model's outputs empty (null) and simpler rules stand in.
 */

export type ModelName = "rfm" | "bgnbd" | "gammaGamma" | "propensity";

export type GateCode =
  | "TOO_FEW_CUSTOMERS"
  | "TOO_FEW_REPEAT_BUYERS"
  | "HISTORY_TOO_SHORT"
  | "TOO_FEW_OUTCOMES"
  | "FIT_DID_NOT_CONVERGE"
  | "DEGENERATE_FIT"
  | "DEPENDS_ON_SKIPPED_MODEL";

export interface GateDecision {
  model: ModelName;
  used: boolean;
  /** Present when the model was skipped (or fell back). */
  code?: GateCode;
  reason?: string;
}

export interface MinimumData {
  rfm: { customers: number };
  bgnbd: { customers: number; repeatBuyers: number; historyDays: number };
  gammaGamma: { repeatBuyers: number };
  /** Propensity needs two label windows of history before the as-of date for a backtest. */
  propensity: { customers: number; positives: number; negatives: number };
}

/**
 * Defaults. BG/NBD has four parameters and learns dropout only from repeat buyers; below ~20 of
 * them the dropout parameters are guesswork. Gamma-Gamma has three parameters estimated from
 * repeat buyers alone. Three months of history is the least that separates "slow" from "gone".
 */
export const DEFAULT_MINIMUM_DATA: MinimumData = {
  rfm: { customers: 10 },
  bgnbd: { customers: 100, repeatBuyers: 20, historyDays: 90 },
  gammaGamma: { repeatBuyers: 30 },
  propensity: { customers: 200, positives: 20, negatives: 20 },
};

export interface ShopDataFacts {
  customersWithOrders: number;
  repeatBuyers: number;
  historyDays: number;
}

export function open(model: ModelName): GateDecision {
  return { model, used: true };
}

export function closed(model: ModelName, code: GateCode, reason: string): GateDecision {
  return { model, used: false, code, reason };
}

export function rfmGate(
  facts: ShopDataFacts,
  min: MinimumData = DEFAULT_MINIMUM_DATA,
): GateDecision {
  return facts.customersWithOrders < min.rfm.customers
    ? closed(
        "rfm",
        "TOO_FEW_CUSTOMERS",
        `RFM scores rank customers in fifths; with fewer than ${min.rfm.customers} customers with orders (the shop has ${facts.customersWithOrders}) the groups are shown but say little.`,
      )
    : open("rfm");
}

export function bgnbdGate(
  facts: ShopDataFacts,
  min: MinimumData = DEFAULT_MINIMUM_DATA,
): GateDecision {
  const m = min.bgnbd;
  if (facts.customersWithOrders < m.customers) {
    return closed(
      "bgnbd",
      "TOO_FEW_CUSTOMERS",
      `The churn model needs at least ${m.customers} customers with orders; the shop has ${facts.customersWithOrders}.`,
    );
  }
  if (facts.repeatBuyers < m.repeatBuyers) {
    return closed(
      "bgnbd",
      "TOO_FEW_REPEAT_BUYERS",
      `The churn model learns from customers who came back; it needs at least ${m.repeatBuyers} of them, the shop has ${facts.repeatBuyers}.`,
    );
  }
  if (facts.historyDays < m.historyDays) {
    return closed(
      "bgnbd",
      "HISTORY_TOO_SHORT",
      `The churn model needs at least ${m.historyDays} days of order history; the shop has ${facts.historyDays}.`,
    );
  }
  return open("bgnbd");
}

export function gammaGammaGate(
  facts: ShopDataFacts,
  min: MinimumData = DEFAULT_MINIMUM_DATA,
): GateDecision {
  return facts.repeatBuyers < min.gammaGamma.repeatBuyers
    ? closed(
        "gammaGamma",
        "TOO_FEW_REPEAT_BUYERS",
        `The spend model needs at least ${min.gammaGamma.repeatBuyers} repeat buyers with positive spend; the shop has ${facts.repeatBuyers}.`,
      )
    : open("gammaGamma");
}
