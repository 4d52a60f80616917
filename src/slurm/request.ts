/**
 * What a SLURM job asked for, read from the environment SLURM gives the job
 * (never from squeue/scontrol: duct must not depend on the controller being reachable).
 * SLURM's memory variables are in MiB ("MB" in its docs means 2^20 bytes).
 */

const MIB = 1024 * 1024;

/** The job's request as duct records it in info.json (`slurm_request`). */
export interface SlurmRequest {
  job_id: string;
  /** memory the job may use on this node (its job cgroup limit), bytes; null when not in the environment. */
  mem_bytes: number | null;
  /** which variable the memory came from: SLURM_MEM_PER_NODE, or SLURM_MEM_PER_CPU × CPUs on the node. */
  mem_source: 'SLURM_MEM_PER_NODE' | 'SLURM_MEM_PER_CPU' | null;
  /** CPUs per task (--cpus-per-task), else the CPUs allocated on this node; null when unknown. */
  cpus: number | null;
  cpus_source: 'SLURM_CPUS_PER_TASK' | 'SLURM_CPUS_ON_NODE' | 'SLURM_JOB_CPUS_PER_NODE' | null;
  /** time limit in seconds; null when unknown or unlimited (SLURM does not always export it). */
  time_limit_seconds: number | null;
  time_source: 'SLURM_TIMELIMIT' | 'SBATCH_TIMELIMIT' | 'SLURM_JOB_END_TIME' | null;
}

type Env = Record<string, string | undefined>;

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}

/** "4", "4(x3)", "4(x2),2" → CPUs on the first node listed (the one a single-node job runs on). */
export function parseJobCpusPerNode(text: string): number | null {
  const m = /^\s*(\d+)(?:\(x\d+\))?(?:,|$)/.exec(text);
  return m ? positiveInt(m[1]) : null;
}

/**
 * A SLURM time limit as sbatch accepts it: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM",
 * "D-HH:MM:SS" → seconds; "UNLIMITED"/"INFINITE" and anything else → null.
 */
export function parseSlurmTime(text: string): number | null {
  const t = text.trim();
  const day = /^(\d+)-(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (day) {
    const [, d, h, m, s] = day;
    return Number(d) * 86400 + Number(h) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
  }
  if (!/^\d+(?::\d+){0,2}$/.test(t)) return null;
  const parts = t.split(':').map(Number);
  if (parts.length === 1) return parts[0]! * 60;
  if (parts.length === 2) return parts[0]! * 60 + parts[1]!;
  return parts[0]! * 3600 + parts[1]! * 60 + parts[2]!;
}

/** The time limit, from the first source that has one: SLURM_TIMELIMIT, the job's end − start time, SBATCH_TIMELIMIT. */
function timeLimit(env: Env): { seconds: number; source: NonNullable<SlurmRequest['time_source']> } | null {
  const exported = env.SLURM_TIMELIMIT !== undefined ? parseSlurmTime(env.SLURM_TIMELIMIT) : null;
  if (exported !== null) return { seconds: exported, source: 'SLURM_TIMELIMIT' };
  const start = positiveInt(env.SLURM_JOB_START_TIME);
  const end = positiveInt(env.SLURM_JOB_END_TIME);
  if (start !== null && end !== null && end > start) return { seconds: end - start, source: 'SLURM_JOB_END_TIME' };
  const submitted = env.SBATCH_TIMELIMIT !== undefined ? parseSlurmTime(env.SBATCH_TIMELIMIT) : null;
  return submitted !== null ? { seconds: submitted, source: 'SBATCH_TIMELIMIT' } : null;
}

/** The job's request from its environment, or null outside a SLURM job (no SLURM_JOB_ID). */
export function slurmRequest(env: Env): SlurmRequest | null {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (jobId === undefined || jobId === '') return null;

  const perTask = positiveInt(env.SLURM_CPUS_PER_TASK);
  const onNode = positiveInt(env.SLURM_CPUS_ON_NODE);
  const jobPerNode = env.SLURM_JOB_CPUS_PER_NODE !== undefined ? parseJobCpusPerNode(env.SLURM_JOB_CPUS_PER_NODE) : null;
  const nodeCpus = onNode ?? jobPerNode;

  let cpus: number | null = null;
  let cpusSource: SlurmRequest['cpus_source'] = null;
  if (perTask !== null) [cpus, cpusSource] = [perTask, 'SLURM_CPUS_PER_TASK'];
  else if (onNode !== null) [cpus, cpusSource] = [onNode, 'SLURM_CPUS_ON_NODE'];
  else if (jobPerNode !== null) [cpus, cpusSource] = [jobPerNode, 'SLURM_JOB_CPUS_PER_NODE'];

  let memBytes: number | null = null;
  let memSource: SlurmRequest['mem_source'] = null;
  const perNode = positiveInt(env.SLURM_MEM_PER_NODE);
  const perCpu = positiveInt(env.SLURM_MEM_PER_CPU);
  if (perNode !== null) [memBytes, memSource] = [perNode * MIB, 'SLURM_MEM_PER_NODE'];
  else if (perCpu !== null && (nodeCpus ?? cpus) !== null) {
    // --mem-per-cpu limits the job on this node to that much per CPU allocated here
    [memBytes, memSource] = [perCpu * MIB * (nodeCpus ?? cpus ?? 0), 'SLURM_MEM_PER_CPU'];
  }

  const time = timeLimit(env);
  return {
    job_id: jobId,
    mem_bytes: memBytes,
    mem_source: memSource,
    cpus,
    cpus_source: cpusSource,
    time_limit_seconds: time?.seconds ?? null,
    time_source: time?.source ?? null,
  };
}
