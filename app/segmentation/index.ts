/**
 * Propel's segmentation engine: pure functions from a shop's orders to customer segments.
 * Start with engine.ts (the pipeline); the models are in bgnbd.ts, gammaGamma.ts and
 * propensity.ts, the rule-based families in rfm.ts, frequencyValue.ts and valueType.ts.
 */
export * from "./engine";
export * from "./errors";
export * from "./types";
export * from "./bgnbd";
export * from "./gammaGamma";
export * from "./gates";
export * from "./histories";
export * from "./loyalty";
export * from "./orders";
export * from "./propensity";
export * from "./rfm";
export * from "./frequencyValue";
export * from "./valueType";
export * from "./summary";
export * from "./affinity";
export * from "./holdout";
export { parseIsoDay, dayToIsoDate, toDayNumber, type TimeUnit } from "./time";
export { minorToMajor, parseDecimalToMinor, currencyExponent } from "./money";
export * as rules from "./rules";
