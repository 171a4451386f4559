/** A malformed input line; the CLI prints it as "line N: …" and exits non-zero. */
export class InputFormatError extends Error {
  override readonly name = "InputFormatError";
  constructor(
    readonly lineNumber: number,
    readonly detail: string,
  ) {
    super(`line ${lineNumber}: ${detail}`);
  }
}
