import { blockPadding, Column, COLUMN_TYPES, ColumnEntry, ColumnType } from './blockColumns';

/**
 * Reads what a `BlockWriter` wrote. Anything that does not add up (cut short, a column missing or of
 * another type, a field of the wrong shape) throws an error naming it: the caller then refuses the block whole.
 */
export class BlockReader {
  private readonly fields: Record<string, unknown>;
  private readonly columns = new Map<string, { type: ColumnType; length: number; at: number }>();

  constructor(
    private readonly bytes: Uint8Array,
    /** Named in every error: "the metrics state". */
    readonly what: string,
  ) {
    if (bytes.length < 4) throw new Error(`${what} has no header`);
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
    if (4 + headerLength > bytes.length) throw new Error(`${what}: the header is cut short`);
    let header: { fields?: unknown; columns?: unknown };
    try {
      header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 4, headerLength).toString('utf8')) as typeof header;
    } catch (error) {
      throw new Error(`${what}: the header is not JSON (${(error as Error).message})`);
    }
    if (typeof header?.fields !== 'object' || header.fields === null || !Array.isArray(header.columns)) throw new Error(`${what}: the header has no fields or columns`);
    this.fields = header.fields as Record<string, unknown>;
    let at = 4 + headerLength;
    for (const entry of header.columns as unknown[]) {
      const [name, type, length] = (Array.isArray(entry) ? entry : []) as Partial<ColumnEntry>;
      if (typeof name !== 'string' || !(typeof type === 'string' && Object.hasOwn(COLUMN_TYPES, type)) || !(Number.isInteger(length) && (length as number) >= 0)) {
        throw new Error(`${what}: a column entry ${JSON.stringify(entry)} is not [name, type, length]`);
      }
      at += blockPadding(at);
      this.columns.set(name, { type, length: length as number, at });
      at += (length as number) * COLUMN_TYPES[type].BYTES_PER_ELEMENT;
    }
    if (at > bytes.length) throw new Error(`${what} is cut short: its columns need ${at} bytes, it holds ${bytes.length}`);
    if (at < bytes.length) throw new Error(`${what} holds ${bytes.length - at} bytes past its last column`);
  }

  field(name: string): unknown {
    if (!Object.hasOwn(this.fields, name)) throw new Error(`${this.what} has no field ${name}`);
    return this.fields[name];
  }

  /** A field that must be a finite number. */
  number(name: string): number {
    const value = this.field(name);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${this.what}: ${name} must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A field that must be a list of strings. */
  strings(name: string): string[] {
    const value = this.field(name);
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${this.what}: ${name} must be a list of strings`);
    return value as string[];
  }

  /** A column `BlockWriter.unsigned` wrote, in whichever unsigned type it chose, widened back. */
  unsigned(name: string, length?: number): Uint32Array {
    const type = this.columns.get(name)?.type;
    return new Uint32Array(this.column(name, type === 'Uint8Array' || type === 'Uint16Array' ? type : 'Uint32Array', length));
  }

  /** A copy of a column (the block's bytes need not be aligned for its element size); `length`, when given, is checked. */
  column<T extends ColumnType>(name: string, type: T, length?: number): InstanceType<(typeof COLUMN_TYPES)[T]> {
    const found = this.columns.get(name);
    if (!found) throw new Error(`${this.what} has no column ${name}`);
    if (found.type !== type) throw new Error(`${this.what}: the column ${name} holds ${found.type}, not ${type}`);
    if (length !== undefined && found.length !== length) throw new Error(`${this.what}: the column ${name} holds ${found.length} values, not ${length}`);
    const values = new COLUMN_TYPES[type](found.length) as Column;
    new Uint8Array(values.buffer).set(this.bytes.subarray(found.at, found.at + values.byteLength));
    return values as InstanceType<(typeof COLUMN_TYPES)[T]>;
  }
}
