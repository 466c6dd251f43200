/**
 * What every command shares: reading `-f` inputs, printing diagnostics, exit codes. This folder is
 * the only code that prints or sets the exit code.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { Commented, Format } from '../io/serialise.js'
import { serialise } from '../io/serialise.js'
import { writeFileAtomic, writeFilesAtomic } from '../io/write.js'
import { readInputs } from '../io/read.js'
import type { SourceDoc } from '../io/source.js'

export const exitCodes = {
  ok: 0,
  /** a finding: lossy translation, tables differ, golden mismatch, invalid policies under `validate` */
  finding: 1,
  /** bad invocation or unreadable input */
  usage: 2
} as const

export class Exit {
  constructor(readonly code: number) {}
}

export interface Io {
  readonly stdout: (s: string) => void
  readonly stderr: (s: string) => void
  readonly stdin: () => Promise<Buffer>
  /** The environment (`GITHUB_ACTIONS`, `CI`, …); absent: an empty one (tests). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Standard error as a stream, for progress bars (`progress.ts` decides); absent: never any. */
  readonly progress?: NodeJS.WriteStream
}

export const nodeIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stdin: async () => {
    const chunks: Array<Buffer> = []
    for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)))
    return Buffer.concat(chunks)
  },
  env: process.env,
  progress: process.stderr
}

export const collect = (value: string, previous: ReadonlyArray<string> | undefined): ReadonlyArray<string> => [...(previous ?? []), value]

/** Prints diagnostics on stderr, sorted; info-level ones only when verbose. */
export const printDiagnostics = (io: Io, ds: ReadonlyArray<D.Diagnostic>, verbose: boolean): void => {
  const shown = D.sort(ds.filter((d) => verbose || d.severity !== 'info'))
  if (shown.length > 0) io.stderr(`${shown.map(D.render).join('\n')}\n`)
}

/**
 * Reads every `-f` path; unreadable input ends the command with exit code 2, after `onError`
 * (e.g. a CI report) has seen the diagnostics.
 */
export const readOrExit = async (
  io: Io,
  paths: ReadonlyArray<string>,
  verbose: boolean,
  onError?: (ds: ReadonlyArray<D.Diagnostic>) => Promise<void>
): Promise<ReadonlyArray<SourceDoc>> => {
  if (paths.length === 0) {
    io.stderr('netpolx: error no-input: no input given; use -f FILE, -f DIR or -f - for standard input\n')
    throw new Exit(exitCodes.usage)
  }
  const r = await readInputs(paths, io.stdin)
  if (D.hasErrors(r.diagnostics)) {
    if (onError !== undefined) await onError(r.diagnostics)
    else printDiagnostics(io, r.diagnostics, verbose)
    throw new Exit(exitCodes.usage)
  }
  printDiagnostics(io, r.diagnostics, verbose)
  return r.docs
}

export const usageError = (io: Io, message: string): Exit => {
  io.stderr(`netpolx: error usage: ${message}\n`)
  return new Exit(exitCodes.usage)
}

/**
 * Writes emitted objects to standard output, or with `--out` to a file, or to a directory (an
 * existing one, or a path ending in `/`) as one file per object named `kind_namespace_name`;
 * atomically, so a failed run leaves no partial file. `perFile` adjusts each object written to a
 * file of its own (e.g. to repeat a header comment).
 */
export const writeOutput = async (
  io: Io,
  docs: ReadonlyArray<Commented>,
  format: Format,
  out: string | undefined,
  perFile: (d: Commented) => Commented = (d) => d
): Promise<void> => {
  if (out === undefined) {
    io.stdout(serialise(docs, format))
    return
  }
  const isDir = out.endsWith('/') || (await fs.stat(out).then((st) => st.isDirectory(), () => false))
  const ext = format === 'json' ? 'json' : 'yaml'
  const written = isDir
    ? await writeFilesAtomic(
        docs.map((d, i) => {
          const o = d.object as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }
          const parts = [String(o.kind ?? 'object'), String(o.metadata?.namespace ?? '_cluster'), String(o.metadata?.name ?? i)]
          return { path: path.join(out, `${parts.join('_').toLowerCase()}.${ext}`), content: serialise([perFile(d)], format) }
        })
      )
    : await writeFileAtomic(out, serialise(docs, format))
  if (written._tag === 'Left') {
    io.stderr(`netpolx: error write-failed: ${written.left}\n`)
    throw new Exit(exitCodes.usage)
  }
}
