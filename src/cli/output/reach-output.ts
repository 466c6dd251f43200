/**
 * How `reach` writes its result: the format asked for, or, when `-o` is not given and the pod-by-pod
 * table would have more than `classDefaultCells` cells, the class-level form (said on stderr).
 * A pod-by-pod form larger than `maxPodLevelCells` is refused before anything is written: exit 2
 * with a message naming the class-level form and the filters.
 */
import { behaviours } from '../../semantics/behaviour.js'
import type { Reach } from '../../semantics/table.js'
import type { Io } from '../common.js'
import { Exit, exitCodes } from '../common.js'
import { classesJsonChunks, classesTextChunks } from './reach-classes.js'
import { maxPodLevelCells, podLevelCells, reachJsonChunks, reachTableChunks } from './reach-pods.js'
import { writeStreamed } from './sink.js'

export const reachFormats = ['table', 'json', 'classes', 'classes-json'] as const
export type ReachFormat = (typeof reachFormats)[number]

/**
 * Above this many cells (endpoints² × ports; e.g. 1,000 endpoints on one port, 354 on eight), a
 * `reach` without `-o` prints the class-level form instead of the pod-by-pod table.
 */
export const classDefaultCells = 1_000_000

const count = (n: number): string => n.toLocaleString('en-US')

/** Chunks of `r` in `format`. */
export const reachChunks = (r: Reach, format: ReachFormat): Iterable<string> => {
  switch (format) {
    case 'table':
      return reachTableChunks(r)
    case 'json':
      return reachJsonChunks(r)
    case 'classes':
      return classesTextChunks(r, behaviours(r))
    case 'classes-json':
      return classesJsonChunks(r, behaviours(r))
  }
}

/** Writes `r` as `format` (`explicit`: the user chose it) to standard output, streamed. */
export const writeReach = async (io: Io, r: Reach, format: ReachFormat, explicit: boolean): Promise<void> => {
  const cells = podLevelCells(r)
  const size = `${count(r.classes.endpoints.length)} endpoints × ${count(r.classes.endpoints.length)} × ${count(r.tables.length)} ${r.tables.length === 1 ? 'port' : 'ports'} = ${count(cells)} cells`
  let chosen = format
  if (!explicit && format === 'table' && cells > classDefaultCells) {
    io.stderr(`netpolx: note: the pod-by-pod table would have ${size}; printing endpoints in groups that behave alike instead (-o table or -o json for pod by pod)\n`)
    chosen = 'classes'
  }
  if ((chosen === 'table' || chosen === 'json') && cells > maxPodLevelCells) {
    io.stderr(
      `netpolx: error too-large: the pod-by-pod ${chosen === 'json' ? 'JSON' : 'table'} would have ${size}, more than the ${count(maxPodLevelCells)} netpolx writes; ` +
        'use -o classes (or -o classes-json) for endpoints in groups that behave alike, or probe fewer ports with --port\n'
    )
    throw new Exit(exitCodes.usage)
  }
  await writeStreamed(io, reachChunks(r, chosen))
}
