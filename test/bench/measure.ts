/**
 * Measuring for the bench: CPU time (user + system of this process, robust to other processes
 * sharing the machine) and wall time of a function, best of n, with garbage collected before each
 * run when node runs with --expose-gc; peak resident memory of the process so far.
 */
import { performance } from 'node:perf_hooks'

export interface Timing {
  /** CPU milliseconds (user + system). */
  readonly cpu: number
  /** Wall-clock milliseconds. */
  readonly wall: number
}

export const collectGarbage = (): void => {
  const gc: unknown = (globalThis as Record<string, unknown>).gc
  if (typeof gc === 'function') gc()
}

const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export const timeAsync = async <A>(f: () => Promise<A> | A): Promise<Timing & { readonly value: A }> => {
  collectGarbage()
  const c0 = cpuNow()
  const t0 = performance.now()
  const value = await f()
  return { cpu: cpuNow() - c0, wall: performance.now() - t0, value }
}

/** Best (least CPU) of `n` runs; the first also warms the JIT. */
export const bestOf = async <A>(n: number, f: () => Promise<A> | A): Promise<Timing & { readonly value: A }> => {
  let r = await timeAsync(f)
  for (let i = 1; i < n; i++) {
    const s = await timeAsync(f)
    if (s.cpu < r.cpu) r = s
  }
  return r
}

/** Runs `a` and `b` alternately `n` times and keeps each one's best, so drift in the machine's speed hits both alike. */
export const interleaved = async (n: number, a: () => unknown, b: () => unknown): Promise<readonly [Timing, Timing]> => {
  let ba: Timing = { cpu: Infinity, wall: Infinity }
  let bb: Timing = { cpu: Infinity, wall: Infinity }
  for (let i = 0; i < n; i++) {
    const x = await timeAsync(a)
    if (x.cpu < ba.cpu) ba = x
    const y = await timeAsync(b)
    if (y.cpu < bb.cpu) bb = y
  }
  return [ba, bb]
}

/** Peak resident set size of this process so far, in MiB. */
export const peakMiB = (): number => process.resourceUsage().maxRSS / 1024

export const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)

export const ratio = (a: Timing, b: Timing): string => (a.cpu / b.cpu).toFixed(2)
