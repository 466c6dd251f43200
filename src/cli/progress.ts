/**
 * A progress bar on standard error for runs that take more than a second — only when standard
 * error is a terminal and the run is not in CI (`CI` or `GITHUB_ACTIONS` set), so logs and pipes
 * never carry one. Drawn by cli-progress (terminal width, redraw throttling, clearing the line on
 * stop) — code we would otherwise have to get right for every terminal ourselves.
 */
import cliProgress from 'cli-progress'
import type { Io } from './common.js'

export interface Progress {
  /** One more item done. */
  readonly tick: () => void
  /** Clears the bar, if one was drawn. */
  readonly stop: () => void
}

/** Whether a bar may ever be drawn: a terminal on standard error, and not CI. */
export const progressWanted = (io: Io): boolean => {
  const env = io.env ?? {}
  const ci = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== 'false' && v !== '0'
  return io.progress?.isTTY === true && !ci(env.CI) && !ci(env.GITHUB_ACTIONS)
}

/** Delay before the bar appears: shorter runs show nothing. */
export const progressDelayMs = 1000

/** A progress over `total` items labelled `label`; a no-op where `progressWanted` says no. */
export const startProgress = (io: Io, label: string, total: number, now: () => number = Date.now): Progress => {
  const stream = io.progress
  if (!progressWanted(io) || stream === undefined) return { tick: () => undefined, stop: () => undefined }
  const started = now()
  let done = 0
  let bar: cliProgress.SingleBar | undefined
  return {
    tick: () => {
      done += 1
      if (bar === undefined && now() - started >= progressDelayMs && done < total) {
        bar = new cliProgress.SingleBar({ stream, format: `${label} [{bar}] {value}/{total}`, clearOnComplete: true, hideCursor: false }, cliProgress.Presets.shades_classic)
        bar.start(total, done)
      } else bar?.update(done)
    },
    stop: () => bar?.stop()
  }
}
