import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocSizeToBytes, parseCudaOom } from '../../src/detectors/cuda-oom.js';
import { classifyLine } from '../../src/detectors/classify.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

// whole × unit + hundredths × ⌊unit / 100⌋, the values worked out by hand.
const sizes: [string, string | undefined, string, number | null][] = [
  ['512', undefined, 'bytes', 512],
  ['1024', undefined, 'bytes', 1024],
  ['7', '99', 'bytes', 7], // ⌊1 / 100⌋ = 0: a fraction of a byte adds nothing
  ['1', '50', 'KiB', 1024 + 50 * 10], // ⌊1024 / 100⌋ = 10
  ['512', '00', 'KiB', 524288],
  ['20', '00', 'MiB', 20 * MiB],
  ['20', '50', 'MiB', 20 * MiB + 50 * 10485], // ⌊1048576 / 100⌋ = 10485
  ['3', '5', 'MiB', 3 * MiB + 50 * 10485], // one digit is tenths
  ['2', '00', 'GiB', 2 * GiB],
  ['1', '50', 'GiB', GiB + 50 * 10737418], // ⌊1073741824 / 100⌋ = 10737418, so 1610612724, not 1610612736
  ['1', '999', 'GiB', GiB + 99 * 10737418], // digits past the second are dropped
  ['1', '01', 'TiB', 1024 ** 4 + 10995116277], // ⌊1099511627776 / 100⌋
  ['2', '00', 'PiB', null],
  ['9999999', '00', 'TiB', null], // past 2^53
];

for (const [whole, frac, unit, bytes] of sizes) {
  test(`allocSizeToBytes ${whole}${frac === undefined ? '' : `.${frac}`} ${unit} = ${bytes}`, () => {
    assert.equal(allocSizeToBytes(whole, frac, unit), bytes);
  });
}

test('1.50 GiB is 1610612724 bytes by the integer-division rule', () => {
  assert.equal(parseCudaOom('CUDA out of memory. Tried to allocate 1.50 GiB (GPU 0; 1 GiB total capacity)').tried_alloc_bytes, 1610612724);
});

/** One line per PyTorch message generation, built from the documented formats. */
const generations: { name: string; line: string; bytes: number; gpu: number; exception: string | null }[] = [
  {
    name: '1.x RuntimeError',
    line: 'RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.78 GiB total capacity; 14.56 GiB already allocated; 16.88 MiB free; 14.63 GiB reserved in total by PyTorch)',
    bytes: 20 * MiB,
    gpu: 0,
    exception: 'RuntimeError',
  },
  {
    name: '1.10+ RuntimeError with the max_split_size_mb advice',
    line: 'RuntimeError: CUDA out of memory. Tried to allocate 1.50 GiB (GPU 3; 39.59 GiB total capacity; 36.12 GiB already allocated; 1.02 GiB free; 37.20 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    bytes: 1610612724,
    gpu: 3,
    exception: 'RuntimeError',
  },
  {
    name: '1.13 torch.cuda.OutOfMemoryError',
    line: 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 KiB (GPU 1; 10.76 GiB total capacity; 9.87 GiB already allocated; 256.00 KiB free; 9.90 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    bytes: 524288,
    gpu: 1,
    exception: 'torch.cuda.OutOfMemoryError',
  },
  {
    name: "2.1 with the 'capacty' typo",
    line: 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacty of 79.15 GiB of which 1.23 GiB is free. Process 98765 has 77.91 GiB memory in use. Of the allocated memory 76.50 GiB is allocated by PyTorch, and 1.01 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF',
    bytes: 2 * GiB,
    gpu: 0,
    exception: 'torch.cuda.OutOfMemoryError',
  },
  {
    name: '2.2 total capacity, this process',
    line: 'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 128.00 MiB. GPU 7 has a total capacity of 23.69 GiB of which 20.81 MiB is free. Including non-PyTorch memory, this process has 23.66 GiB memory in use. Of the allocated memory 22.90 GiB is allocated by PyTorch, and 512.35 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)',
    bytes: 128 * MiB,
    gpu: 7,
    exception: 'torch.cuda.OutOfMemoryError',
  },
  {
    name: '2.4+ torch.OutOfMemoryError, whole bytes',
    line: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 256 bytes. GPU 2 has a total capacity of 79.25 GiB of which 3.50 MiB is free. Process 12345 has 79.24 GiB memory in use. Of the allocated memory 78.10 GiB is allocated by PyTorch, and 1.02 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)',
    bytes: 256,
    gpu: 2,
    exception: 'torch.OutOfMemoryError',
  },
  {
    name: '2.4+ with a TiB request',
    line: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.01 TiB. GPU 0 has a total capacity of 79.25 GiB of which 78.00 GiB is free.',
    bytes: 1024 ** 4 + 10995116277,
    gpu: 0,
    exception: 'torch.OutOfMemoryError',
  },
];

const prefixes = ['', '[rank0]: ', '[rank0]:', '[1,0]<stderr>:', '[default0]:', '0: ', '[rank5]:[W1122 05:00:00.000] '];

for (const g of generations) {
  for (const p of prefixes) {
    test(`CUDA OOM ${g.name}${p ? ` behind ${JSON.stringify(p)}` : ''}`, () => {
      const c = classifyLine(p + g.line);
      assert.deepEqual(c, { kind: 'cuda_oom', tried_alloc_bytes: g.bytes, gpu_index: g.gpu, exception: g.exception });
    });
  }
}

test('the 2.4+ "Process N has" pid is not taken for a worker pid or a GPU', () => {
  const c = classifyLine(generations[5]!.line);
  assert.equal(c?.kind, 'cuda_oom');
  assert.ok(c && !('capture' in c));
});

test('a CUDA OOM line without the details still counts, with null fields', () => {
  assert.deepEqual(classifyLine('WARNING: caught CUDA out of memory, halving the batch size'), {
    kind: 'cuda_oom',
    tried_alloc_bytes: null,
    gpu_index: null,
    exception: null,
  });
});

const notCudaOom: [string, string][] = [
  ['illegal memory access', 'RuntimeError: CUDA error: an illegal memory access was encountered'],
  ['bare CUDA error: out of memory', 'RuntimeError: CUDA error: out of memory'],
  ['CUDA error hint', 'CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.'],
  ['cuBLAS alloc failure', 'RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`'],
  [
    'NCCL watchdog',
    '[rank0]:[E ProcessGroupNCCL.cpp:563] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1234, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600082 milliseconds before timing out.',
  ],
  ['kernel OOM killer', 'Out of memory: Killed process 4242 (python) total-vm:123456kB, anon-rss:120000kB, file-rss:0kB, shmem-rss:0kB, UID:1000'],
  ['memory cgroup OOM', 'Memory cgroup out of memory: Killed process 4242 (python) total-vm:123456kB, anon-rss:120000kB'],
  ['oom-kill line', 'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,task=python,pid=4242,uid=1000'],
  ["pip's Killed", 'Killed'],
  ['Tried to allocate alone', 'Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)'],
  ['an except clause in a traceback', '    except torch.OutOfMemoryError:'],
];

for (const [name, line] of notCudaOom) {
  test(`not CUDA OOM: ${name}`, () => {
    assert.equal(classifyLine(line), null);
  });
}

const otherDevices: [string, string][] = [
  ['HIP', 'torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 63.98 GiB of which 0 bytes is free.'],
  ['XPU', 'torch.OutOfMemoryError: XPU out of memory. Tried to allocate 1.00 GiB. GPU 0 has a total capacity of 48.00 GiB of which 10.00 MiB is free.'],
  ['MPS', 'RuntimeError: MPS backend out of memory (MPS allocated: 18.13 GB, other allocations: 1.20 MB, max allowed: 18.13 GB). Tried to allocate 256 bytes on shared pool.'],
  ['NPU', 'RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated)'],
];

for (const [device, line] of otherDevices) {
  test(`${device} out of memory is its own class, never CUDA OOM`, () => {
    assert.deepEqual(classifyLine(`[rank0]: ${line}`), { kind: 'device_oom', device });
  });
}
