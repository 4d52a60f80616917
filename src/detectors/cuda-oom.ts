/**
 * Fields of a PyTorch CUDA out-of-memory message, across its generations:
 *   1.x    RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.78 GiB total capacity; ...)
 *   1.13+  torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate ... (GPU 0; ...)
 *   2.1    ... Tried to allocate 2.00 GiB. GPU 0 has a total capacty of 79.15 GiB of which ... is free. ...
 *   2.2+   ... GPU 0 has a total capacity of ... of which ... is free. Process 123 has ... memory in use. ...
 *   2.4+   torch.OutOfMemoryError: CUDA out of memory. ...
 * PyTorch prints sizes with two decimals in 1024-based units, or whole `bytes` up to 1 KiB.
 */

export interface CudaOomFields {
  /** bytes the failed allocation asked for; null when the line does not say. */
  tried_alloc_bytes: number | null;
  /** the CUDA device index; null when the line does not say. */
  gpu_index: number | null;
  /** the exception type printed before the message, e.g. "torch.OutOfMemoryError"; null when absent. */
  exception: string | null;
}

const UNIT_BYTES: Record<string, number> = {
  bytes: 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

const TRIED = /Tried to allocate (\d+)(?:\.(\d+))? ?(bytes|B|KiB|MiB|GiB|TiB)\b/;
// "(GPU 0;" up to 2.0; "GPU 0 has a total capacity" from 2.1 (printed "capacty" in 2.1).
const GPU = /\(GPU (\d+);|\bGPU (\d+) has a total capac(?:i)?ty\b/;
// Matched on the few characters before the anchor only: a scan of the whole line would be quadratic on long words.
const EXCEPTION = /([A-Za-z_][\w.]*(?:Error|Exception)): $/;
const EXCEPTION_LOOKBACK = 120;

/**
 * X.YY <unit> in integer bytes: whole × unit + hundredths × ⌊unit / 100⌋. The fraction is read
 * as hundredths (one digit is tenths, digits past the second are dropped); null past 2^53.
 */
export function allocSizeToBytes(whole: string, fraction: string | undefined, unit: string): number | null {
  const unitBytes = UNIT_BYTES[unit];
  if (unitBytes === undefined) return null;
  const hundredths = fraction === undefined || fraction === '' ? 0 : Number((fraction + '0').slice(0, 2));
  const bytes = Number(whole) * unitBytes + hundredths * Math.floor(unitBytes / 100);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Reads the fields of a line already known to contain `CUDA out of memory`. */
export function parseCudaOom(text: string): CudaOomFields {
  const tried = TRIED.exec(text);
  const gpu = GPU.exec(text);
  const anchor = text.indexOf('CUDA out of memory');
  const exc = anchor < 0 ? null : EXCEPTION.exec(text.slice(Math.max(0, anchor - EXCEPTION_LOOKBACK), anchor));
  const gpuDigits = gpu ? (gpu[1] ?? gpu[2]) : undefined;
  return {
    tried_alloc_bytes: tried ? allocSizeToBytes(tried[1]!, tried[2], tried[3]!) : null,
    gpu_index: gpuDigits === undefined ? null : Number(gpuDigits),
    exception: exc ? exc[1]! : null,
  };
}
