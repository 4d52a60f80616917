import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanizeInfo, humanizeUsageRecord } from '../../src/view/pretty.js';

test('info.json figures are humanized by their recorded unit; counts and tallies stay numbers', () => {
  const out = humanizeInfo({
    wall_clock_time: 3725.5,
    exit_code: 0,
    system: { memory_total_bytes: 34359738368, logical_cores: 8 },
    cgroup: { memory_limit_bytes: 8589934592 },
    measurements: { units: { proc_rss_total: 'bytes' }, sample_interval: 1, report_interval: 60 },
    execution_summary: {
      proc_rss_total: { unit: 'bytes', peak: 1610612736, mean: 1048576 },
      proc_pdcpu_total: { unit: 'percent', peak: 390.5 },
      proc_cpu_seconds: { unit: 'seconds', total: 18.75 },
      proc_nproc: { unit: 'count', peak: 5 },
      proc_stat: { unit: 'state', tally: { R: 10 } },
    },
  }) as Record<string, Record<string, unknown>>;
  assert.equal(out.wall_clock_time, '1h 2m 5.5s');
  assert.equal(out.exit_code, 0);
  assert.deepEqual(out.system, { memory_total_bytes: '32.00 GiB', logical_cores: 8 });
  assert.deepEqual(out.cgroup, { memory_limit_bytes: '8.00 GiB' });
  assert.deepEqual(out.measurements, { units: { proc_rss_total: 'bytes' }, sample_interval: '1s', report_interval: '1m' });
  assert.deepEqual(out.execution_summary, {
    proc_rss_total: { unit: 'bytes', peak: '1.50 GiB', mean: '1.00 MiB' },
    proc_pdcpu_total: { unit: 'percent', peak: '390.50%' },
    proc_cpu_seconds: { unit: 'seconds', total: '18.75s' },
    proc_nproc: { unit: 'count', peak: 5 },
    proc_stat: { unit: 'state', tally: { R: 10 } },
  });
});

test('con-duct names are humanized too', () => {
  const out = humanizeInfo({ execution_summary: { peak_rss: 2048, average_pcpu: 12.5, num_samples: 4 } }) as Record<string, Record<string, unknown>>;
  assert.deepEqual(out.execution_summary, { peak_rss: '2.00 KiB', average_pcpu: '12.50%', num_samples: 4 });
});

test('usage records: per-pid maps humanized value by value; tallies and counts left alone', () => {
  const out = humanizeUsageRecord(
    {
      timestamp: '2026-11-20T10:00:02Z',
      num_samples: 2,
      measurements: { proc_rss: { '1': 1024, '2': 2048 }, proc_pdcpu_total: 150, proc_stat: { '1': { R: 2 } }, proc_nproc: 2, proc_io_read_rate: 1048576 },
    },
    { proc_rss: 'bytes', proc_stat: 'state' },
  );
  assert.deepEqual(out, {
    timestamp: '2026-11-20T10:00:02Z',
    num_samples: 2,
    measurements: { proc_rss: { '1': '1.00 KiB', '2': '2.00 KiB' }, proc_pdcpu_total: '150.00%', proc_stat: { '1': { R: 2 } }, proc_nproc: 2, proc_io_read_rate: '1.00 MiB/s' },
  });
});
