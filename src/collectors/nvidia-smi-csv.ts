/**
 * Parsers of nvidia-smi's CSV answers (`--format=csv,nounits`), pure: text in,
 * records out. Memory comes in MiB and leaves in bytes; a field nvidia-smi cannot
 * read (`[N/A]`, `[Not Supported]`) is absent from the record.
 */

const MIB = 1024 * 1024;

/** The device query duct streams; its columns in this order. */
export const GPU_QUERY_FIELDS = ['index', 'uuid', 'utilization.gpu', 'utilization.memory', 'memory.used', 'memory.total', 'name', 'driver_version'] as const;
/** The per-process query duct streams; its columns in this order. */
export const APP_QUERY_FIELDS = ['pid', 'gpu_uuid', 'used_memory'] as const;

export interface GpuRow {
  index: number;
  uuid: string;
  utilPercent?: number;
  memUtilPercent?: number;
  memUsedBytes?: number;
  memTotalBytes?: number;
  name?: string;
  driverVersion?: string;
}

export interface AppRow {
  pid: number;
  gpuUuid: string;
  usedBytes?: number;
}

/** A number of a CSV cell, or undefined for nvidia-smi's "cannot read" markers; a decimal comma is read as a point. */
function numberOf(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const t = cell.trim();
  if (t === '' || t.startsWith('[')) return undefined;
  const v = Number(t.replace(',', '.'));
  return Number.isFinite(v) ? v : undefined;
}

function cellsOf(line: string): string[] {
  return line.split(', ').map((c) => c.trim());
}

/** A CSV header line of either query (its first column's name). */
export function isHeaderLine(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('index,') || t.startsWith('pid,') || t === 'index' || t === 'pid';
}

/** One line of the device query, or null when it is not one (a header, an error sentence). */
export function parseGpuLine(line: string): GpuRow | null {
  const cells = cellsOf(line);
  if (cells.length < 2) return null;
  const index = numberOf(cells[0]);
  if (index === undefined || !Number.isInteger(index) || !/^(GPU|MIG)-/.test(cells[1]!)) return null;
  const row: GpuRow = { index, uuid: cells[1]! };
  const util = numberOf(cells[2]);
  const memUtil = numberOf(cells[3]);
  const used = numberOf(cells[4]);
  const total = numberOf(cells[5]);
  if (util !== undefined) row.utilPercent = util;
  if (memUtil !== undefined) row.memUtilPercent = memUtil;
  if (used !== undefined) row.memUsedBytes = used * MIB;
  if (total !== undefined) row.memTotalBytes = total * MIB;
  if (cells[6] && !cells[6].startsWith('[')) row.name = cells[6];
  if (cells[7] && !cells[7].startsWith('[')) row.driverVersion = cells[7];
  return row;
}

/** One line of the per-process query, or null when it is not one. */
export function parseAppLine(line: string): AppRow | null {
  const cells = cellsOf(line);
  if (cells.length < 2) return null;
  const pid = numberOf(cells[0]);
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0 || !/^(GPU|MIG)-/.test(cells[1]!)) return null;
  const row: AppRow = { pid, gpuUuid: cells[1]! };
  const used = numberOf(cells[2]);
  if (used !== undefined) row.usedBytes = used * MIB;
  return row;
}

/**
 * Why an answer of nvidia-smi says there is nothing to measure, or null when it
 * lists at least one GPU. `text`: its stdout and stderr together.
 */
export function problemOf(text: string, exitCode: number | null): string | null {
  if (/No devices were found/i.test(text)) return 'nvidia-smi found no NVIDIA device ("No devices were found")';
  if (/version mismatch/i.test(text)) return `nvidia-smi cannot talk to the driver: ${firstLine(text.match(/^.*version mismatch.*$/im)![0])} (the loaded kernel module and the user-space library differ; a reboot or a driver reinstall fixes it)`;
  if (/Failed to initialize NVML|NVIDIA-SMI has failed/i.test(text)) return `nvidia-smi failed: ${firstLine(text.match(/^.*(Failed to initialize NVML|NVIDIA-SMI has failed).*$/im)![0])}`;
  const rows = text.split('\n').map(parseGpuLine).filter((r) => r !== null);
  if (rows.length > 0) return null;
  if (exitCode !== 0 && exitCode !== null) return `nvidia-smi exited with status ${exitCode}: ${firstLine(text) || 'no output'}`;
  return text.trim() === '' || text.split('\n').every((l) => l.trim() === '' || isHeaderLine(l)) ? 'nvidia-smi listed no GPU (its answer had no device line)' : `nvidia-smi gave no device line: ${firstLine(text)}`;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/** A device list of CUDA_VISIBLE_DEVICES and kin: indices and uuids; null for "all" (every device) or an unset/empty value. */
export function parseDeviceList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const t = value.trim();
  if (t === '' || t === 'all' || t === 'void') return null;
  if (t === 'none' || t === 'NoDevFiles') return [];
  return t.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
