import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LineSplitter } from '../run/line-splitter.js';
import type { LineInput, StreamName } from './types.js';

/** A captured <prefix>stderr is stderr; any other plain file is read as stdout. */
export function streamOfFile(path: string): StreamName {
  return basename(path).endsWith('stderr') ? 'stderr' : 'stdout';
}

/**
 * Lines of a plain text file (a run's captured output), capped at 1 MiB each like the
 * live tee does. Plain files carry no per-line times, so every line gets the file's
 * modification time: the hang verdict, which needs elapsed time, cannot fire from them.
 */
export async function* readPlainLines(path: string, stream: StreamName = streamOfFile(path)): AsyncGenerator<LineInput> {
  const time_ms = Math.floor((await stat(path)).mtimeMs);
  const source = { file: path };
  const ready: LineInput[] = [];
  let line_number = 0;
  const splitter = new LineSplitter((text, truncated) => {
    ready.push({ stream, line_number: ++line_number, text, truncated, time_ms, source });
  });
  for await (const chunk of createReadStream(path)) {
    splitter.push(chunk as Buffer);
    yield* ready;
    ready.length = 0;
  }
  splitter.end();
  yield* ready;
}
