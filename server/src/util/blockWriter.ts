import { blockPadding, Column, COLUMN_TYPES, ColumnEntry, ColumnType } from './blockColumns';

/**
 * A state block as the snapshot keeps it for a stream handler: a 4-byte length, a JSON header (the
 * strings and small parts, and the name, type and length of each column), then the columns as binary,
 * each aligned, in the machine's byte order (a snapshot never leaves the machine that wrote it).
 */
export class BlockWriter {
  private readonly fields: Record<string, unknown> = {};
  private readonly columns: [ColumnEntry, Column][] = [];

  field(name: string, value: unknown): void {
    if (name in this.fields) throw new Error(`the block already has a field ${name}`);
    this.fields[name] = value;
  }

  column(name: string, values: Column): void {
    if (this.columns.some(([[known]]) => known === name)) throw new Error(`the block already has a column ${name}`);
    // By constructor, not by name: a subclass (a Buffer is a Uint8Array) would not be read back as itself.
    const type = (Object.keys(COLUMN_TYPES) as ColumnType[]).find((t) => values.constructor === COLUMN_TYPES[t]);
    if (type === undefined) throw new Error(`the column ${name} is a ${values.constructor.name}, not one of ${Object.keys(COLUMN_TYPES).join(', ')}`);
    this.columns.push([[name, type, values.length], values]);
  }

  /**
   * Counts (or small numbers) in the narrowest unsigned type that holds them all: most counts of a bucket
   * are below 256, and four bytes each made the metrics' block twice its size. Read back with `BlockReader.unsigned`.
   */
  unsigned(name: string, values: Uint32Array): void {
    let max = 0;
    for (let i = 0; i < values.length; i++) if ((values[i] as number) > max) max = values[i] as number;
    this.column(name, max <= 0xff ? new Uint8Array(values) : max <= 0xffff ? new Uint16Array(values) : values);
  }

  bytes(): Uint8Array {
    const json = Buffer.from(JSON.stringify({ fields: this.fields, columns: this.columns.map(([entry]) => entry) }), 'utf8');
    let length = 4 + json.length;
    for (const [, values] of this.columns) length += blockPadding(length) + values.byteLength;
    const block = new Uint8Array(length);
    new DataView(block.buffer).setUint32(0, json.length, true);
    block.set(json, 4);
    let at = 4 + json.length;
    for (const [, values] of this.columns) {
      at += blockPadding(at);
      block.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
      at += values.byteLength;
    }
    return block;
  }
}
