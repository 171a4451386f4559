/** Growable typed-array columns: the store keeps millions of rows without an object per row. */
type TypedArray = Float64Array | Int32Array | Uint32Array | Uint16Array | Int16Array | Uint8Array;

interface TypedArrayCtor<A extends TypedArray> {
  new (length: number): A;
}

export class Column<A extends TypedArray> {
  a: A;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<A>,
    capacity = 1024,
    private readonly fill?: number,
  ) {
    this.a = new ctor(capacity);
    if (fill !== undefined) this.a.fill(fill);
  }

  push(value: number): number {
    if (this.length === this.a.length) this.grow(this.a.length * 2);
    this.a[this.length] = value;
    return this.length++;
  }

  get(i: number): number {
    return this.a[i] as number;
  }

  set(i: number, value: number): void {
    this.a[i] = value;
  }

  private grow(capacity: number): void {
    const next = new this.ctor(capacity);
    if (this.fill !== undefined) next.fill(this.fill);
    next.set(this.a);
    this.a = next;
  }
}

export const f64 = (cap?: number): Column<Float64Array> => new Column(Float64Array, cap);
export const i32 = (cap?: number, fill?: number): Column<Int32Array> =>
  new Column(Int32Array, cap, fill);
export const u32 = (cap?: number): Column<Uint32Array> => new Column(Uint32Array, cap);
export const u16 = (cap?: number): Column<Uint16Array> => new Column(Uint16Array, cap);
export const u8 = (cap?: number): Column<Uint8Array> => new Column(Uint8Array, cap);
