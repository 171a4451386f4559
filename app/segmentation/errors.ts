/**
 * Errors raised for input the engine refuses to model. They carry a machine-readable code so
 * callers (workers, the CLI) can tell "bad data" from bugs, and a sentence a merchant or support
 * engineer can act on.
 */
export type InputErrorCode =
  | "INVALID_AMOUNT"
  | "INVALID_DATE"
  | "INVALID_FIELD"
  | "MIXED_CURRENCIES"
  | "AS_OF_BEFORE_FIRST_PURCHASE"
  | "INCONSISTENT_SUMMARY"
  | "NO_DATA";

export class SegmentationInputError extends Error {
  override readonly name = "SegmentationInputError";
  constructor(
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
