/** Types of pg-matrix.mjs (plain JavaScript, shared with scripts/test-matrix.mjs). */
export declare const PG_MATRIX_DIR: string;
export declare function pgMatrixEntry(major: number): string;
export declare function ensurePgMatrix(major: number): Promise<string>;
