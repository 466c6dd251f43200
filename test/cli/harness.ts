/** Runs the CLI in-process with captured streams (the same code path `bin/netpolx` runs). */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { run } from '../../src/cli/main.js'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const runCli = async (args: ReadonlyArray<string>, stdin = ''): Promise<CliResult> => {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stdin: async () => Buffer.from(stdin)
  })
  return { code, stdout, stderr }
}

/** A fresh temporary directory with the given files written into it. */
export const tempFiles = (files: Readonly<Record<string, string | Buffer>>): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpolx-test-'))
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name)
    fs.mkdirSync(path.dirname(p), { recursive: true })
    fs.writeFileSync(p, content)
  }
  return dir
}
