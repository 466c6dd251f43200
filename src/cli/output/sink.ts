/**
 * Streamed writing to standard output: output is produced as a sequence of string chunks (rows,
 * lines) and written as it is produced, in pieces of about 64 KiB, waiting for the stream to drain
 * when it asks (backpressure). No output is ever held whole in memory, so its size is bounded by
 * the destination, not by the longest string V8 can build.
 *
 * With `Io.stdoutStream` (the real process), writes wait for `drain`; a closed pipe (EPIPE: the
 * reader went away, e.g. `| head`) ends the writing quietly with exit code 0, as other Unix tools
 * do. Without it (tests, embedding), chunks go to `Io.stdout`.
 */
import type { Io } from '../common.js'
import { Exit, exitCodes } from '../common.js'

/** Bytes (UTF-16 units) gathered before a write. */
export const chunkSize = 1 << 16

const waitDrainOrError = (s: NodeJS.WritableStream, failed: () => unknown): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      s.removeListener('drain', done)
      s.removeListener('error', done)
      resolve()
    }
    s.on('drain', done)
    s.on('error', done)
    if (failed() !== undefined) done()
  })

/** Writes every chunk of `chunks` to standard output as it is produced. */
export const writeStreamed = async (io: Io, chunks: Iterable<string>): Promise<void> => {
  const stream = io.stdoutStream
  let failure: (Error & { code?: unknown }) | undefined
  const onError = (e: Error) => {
    failure = e
  }
  stream?.on('error', onError)
  const check = () => {
    if (failure === undefined) return
    if (failure.code === 'EPIPE') throw new Exit(exitCodes.ok)
    io.stderr(`netpolx: error write-failed: standard output: ${failure.message}\n`)
    throw new Exit(exitCodes.usage)
  }
  const flush = async (s: string): Promise<void> => {
    check()
    if (stream === undefined) {
      io.stdout(s)
      return
    }
    if (!stream.write(s)) await waitDrainOrError(stream, () => failure)
    check()
  }
  try {
    let buffer: Array<string> = []
    let size = 0
    for (const c of chunks) {
      buffer.push(c)
      size += c.length
      if (size >= chunkSize) {
        const s = buffer.join('')
        buffer = []
        size = 0
        await flush(s)
      }
    }
    if (size > 0) await flush(buffer.join(''))
  } finally {
    stream?.removeListener('error', onError)
  }
}

/** Everything `chunks` produces as one string (for small results and tests). */
export const collectChunks = (chunks: Iterable<string>): string => [...chunks].join('')
