// Resident memory of a process, from /proc/<pid>/status (Linux), and a sampler that records it
// while something else runs. The parser is pure; the sampler owns one interval timer.

import { readFileSync } from 'node:fs';

/** A "Name:   123 kB" field of /proc/<pid>/status in kB; null when absent. */
export function statusFieldKb(status: string, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) : null;
}

/** VmRSS (current) and VmHWM (peak since start) in kB; null when the process is gone or off Linux. */
export function readRss(pid: number): { rssKb: number; peakKb: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const rssKb = statusFieldKb(status, 'VmRSS');
  const peakKb = statusFieldKb(status, 'VmHWM');
  return rssKb === null || peakKb === null ? null : { rssKb, peakKb };
}

/** Samples VmRSS every intervalMs until stop(), which returns the samples in kB. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number[] } {
  const samples: number[] = [];
  const take = (): void => {
    const r = readRss(pid);
    if (r) samples.push(r.rssKb);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
