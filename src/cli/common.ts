/**
 * What every command shares: reading `-f` inputs, printing diagnostics, exit codes. This folder is
 * the only code that prints or sets the exit code.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import * as D from '../diagnostics.js'
import type { Commented, Format } from '../io/serialise.js'
import { serialise } from '../io/serialise.js'
import { fileNames, writeDirectory } from '../io/outdir.js'
import { writeFileAtomic } from '../io/write.js'
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
  /** The stream behind `stdout`, when there is one: streamed output waits for it to drain (src/cli/output/sink.ts). */
  readonly stdoutStream?: NodeJS.WritableStream
}

/**
 * The exit code when standard output (or error) is a pipe whose reader has gone
 * (`netpolx translate … | head -c 10`): 128 + SIGPIPE, what the shell reports for a Unix tool the
 * closed pipe ended. Nothing is printed: the reader asked for no more.
 */
export const closedPipeExitCode = 141

let pipesGuarded = false

/** Ends the process quietly on EPIPE instead of Node's unhandled 'error' event and its stack trace. */
const guardPipes = (): void => {
  if (pipesGuarded) return
  pipesGuarded = true
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: unknown) => {
      if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'EPIPE') process.exit(closedPipeExitCode)
      if (stream === process.stdout) process.stderr.write(`netpolx: error write-failed: standard output: ${e instanceof Error ? e.message : String(e)}\n`)
      process.exit(exitCodes.usage)
    })
}

export const nodeIo: Io = {
  stdout: (s) => {
    guardPipes()
    process.stdout.write(s)
  },
  stderr: (s) => {
    guardPipes()
    process.stderr.write(s)
  },
  stdin: async () => {
    const chunks: Array<Buffer> = []
    for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)))
    return Buffer.concat(chunks)
  },
  stdoutStream: process.stdout,
  env: process.env,
  progress: process.stderr
}

export const collect = (value: string, previous: ReadonlyArray<string> | undefined): ReadonlyArray<string> => [...(previous ?? []), value]

/** Prints diagnostics on stderr, sorted; info-level ones only when verbose or listed in `always`. */
export const printDiagnostics = (io: Io, ds: ReadonlyArray<D.Diagnostic>, verbose: boolean, always: ReadonlyArray<D.Diagnostic> = []): void => {
  const shown = D.sort(ds.filter((d) => verbose || d.severity !== 'info' || always.includes(d)))
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

/** What an empty output is: a `kind: List` with no items, which every reader of netpolx output (and kubectl) takes as zero objects. */
export const emptyList: Commented = { object: { apiVersion: 'v1', kind: 'List', items: [] }, comments: [] }

/**
 * Writes emitted objects to standard output, or with `--out` to a file, or to a directory (an
 * existing one, or a path ending in `/`) as one file per object (names and ownership:
 * src/io/outdir.ts); atomically, so a failed run leaves no partial file. Zero objects are written
 * as an empty `kind: List` (in a directory: no object file, only the manifest). `perFile` adjusts
 * each object written to a file of its own (e.g. to repeat a header comment).
 */
export const writeOutput = async (
  io: Io,
  docs: ReadonlyArray<Commented>,
  format: Format,
  out: string | undefined,
  perFile: (d: Commented) => Commented = (d) => d
): Promise<void> => {
  const whole = docs.length === 0 ? [emptyList] : docs
  if (out === undefined) {
    io.stdout(serialise(whole, format))
    return
  }
  const isDir = out.endsWith('/') || out.endsWith(path.sep) || (await fs.stat(out).then((st) => st.isDirectory(), () => false))
  const ext = format === 'json' ? 'json' : 'yaml'
  const fail = (message: string): Exit => {
    io.stderr(`netpolx: error write-failed: ${message}\n`)
    return new Exit(exitCodes.usage)
  }
  if (!isDir) {
    const written = await writeFileAtomic(out, serialise(whole, format))
    if (written._tag === 'Left') throw fail(written.left)
    return
  }
  const names = fileNames(docs.map((d) => d.object), ext)
  if (names._tag === 'Left') throw fail(`cannot write to ${out}: ${names.left}`)
  const written = await writeDirectory(
    out,
    docs.map((d, i) => ({ name: names.right[i] ?? '', content: serialise([perFile(d)], format) }))
  )
  if (written._tag === 'Left') throw fail(written.left)
}
