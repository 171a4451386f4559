/** A rule that cannot be read or does not fit the known fields, pointing at where. */
export class RuleError extends Error {
  override readonly name = "RuleError";
  /** 1-based line and column of `position`. */
  readonly line: number;
  readonly column: number;
  constructor(
    readonly detail: string,
    /** 0-based offset into the rule text. */
    readonly position: number,
    readonly source: string,
  ) {
    const before = source.slice(0, position);
    const line = before.split("\n").length;
    const column = position - (before.lastIndexOf("\n") + 1) + 1;
    super(`${detail} (line ${line}, column ${column})`);
    this.line = line;
    this.column = column;
  }

  /** The offending line with a caret under the position, for CLIs and logs. */
  pointer(): string {
    const lines = this.source.split("\n");
    return `${lines[this.line - 1]}\n${" ".repeat(this.column - 1)}^`;
  }
}
