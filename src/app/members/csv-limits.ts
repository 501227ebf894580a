/*
 * What one record of a CSV import may cost (SPEC S5). A member row is well
 * under 1 KB and a handful of fields; a record past these limits is a broken
 * file (a quote that never closed swallowing the rest) or a hostile one (a
 * gigabyte of commas: every field empty, so only the count of fields grows).
 * The bytes of a whole upload are capped apart (DIALER_MAX_IMPORT_BYTES).
 */
export const CSV_LIMITS = {
  /** Characters of one record's fields (a separator past the last allowed field counts as one). */
  recordChars: 64 * 1024,
  /** Fields of one record, and so columns of the column mapping. */
  fieldsPerRecord: 1000,
} as const;
