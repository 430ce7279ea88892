/** The typed arrays a state block holds, by the name its header gives each column's type. */
export const COLUMN_TYPES = { Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, Float64Array } as const;

export type ColumnType = keyof typeof COLUMN_TYPES;

export type Column = Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** Columns start on multiples of 8 bytes, as in the snapshot, so that any element size is aligned. */
export const BLOCK_ALIGN = 8;

export const blockPadding = (length: number): number => (BLOCK_ALIGN - (length % BLOCK_ALIGN)) % BLOCK_ALIGN;

/** What a block's JSON header says of each column, in the order they follow it. */
export type ColumnEntry = [name: string, type: ColumnType, length: number];
