import { closeSync, openSync, writeSync } from 'node:fs';

export type CsvValue = string | number | boolean | null;

const FLUSH_CHARS = 1 << 20;

/** Streams rows to a UTF-8 CSV file with a header, in bounded memory (about 1 MB of buffer). */
export class CsvFileWriter {
  private readonly fd: number;
  private buffer = '';
  rowCount = 0;

  constructor(readonly path: string, readonly columns: readonly string[]) {
    this.fd = openSync(path, 'w');
    this.buffer = columns.join(',') + '\n';
  }

  row(values: readonly CsvValue[]): void {
    if (values.length !== this.columns.length) {
      throw new RangeError(`${this.path}: row has ${values.length} values for ${this.columns.length} columns`);
    }
    let line = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += ',';
      const value = values[i];
      if (value === null || value === undefined) continue;
      const text = typeof value === 'string' ? value : String(value);
      line += /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    }
    this.buffer += line + '\n';
    this.rowCount++;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
