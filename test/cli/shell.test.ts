/** Shell conventions: help with no arguments, version, global -v, examples in every help, completion scripts, progress only on terminals. */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Io } from '../../src/cli/common.js'
import { cobraComplete, completion, fish, specOf, zsh } from '../../src/cli/completion.js'
import { program } from '../../src/cli/main.js'
import { progressWanted, startProgress } from '../../src/cli/progress.js'
import { runCli, tempFiles } from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const pkgVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version

const quiet: Io = { stdout: () => undefined, stderr: () => undefined, stdin: async () => Buffer.from('') }

describe('help and version', () => {
  it('netpolx alone prints the help on standard output and exits 0', async () => {
    for (const args of [[], ['-v']]) {
      const r = await runCli(args)
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      expect(r.stdout).toMatch(/^Usage: netpolx \[options\] \[command\]\n/)
      expect(r.stdout).toContain('  completion')
    }
  })

  it('--version and version print the package version', async () => {
    for (const args of [['--version'], ['version']]) {
      const r = await runCli(args)
      expect(r).toEqual({ code: 0, stdout: `${pkgVersion}\n`, stderr: '' })
    }
  })

  it('every command help ends with examples', async () => {
    const paths: Array<ReadonlyArray<string>> = []
    const walk = (c: ReturnType<typeof program>, at: ReadonlyArray<string>): void => {
      paths.push(at)
      for (const s of c.commands) walk(s, [...at, s.name()])
    }
    walk(program(quiet), [])
    expect(paths.length).toBeGreaterThan(9)
    for (const p of paths) {
      const r = await runCli([...p, '--help'])
      expect(r.code, p.join(' ')).toBe(0)
      expect(r.stdout, p.join(' ')).toMatch(/\nExamples?:\n( {2}\S.*\n?)+$/)
    }
  })
})

describe('global -v', () => {
  const file = tempFiles({
    'p.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\nspec:\n  podSelector: {}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n'
  })

  it('before the command it acts as after it', async () => {
    const quietRun = await runCli(['validate', '-f', path.join(file, 'p.yaml')])
    expect(quietRun.stderr).not.toContain('unknown-kind')
    const before = await runCli(['-v', 'validate', '-f', path.join(file, 'p.yaml')])
    const after = await runCli(['validate', '-f', path.join(file, 'p.yaml'), '-v'])
    expect(before.stderr).toContain('info unknown-kind')
    expect(before).toEqual(after)
  })
})

/** Runs the bash completion function for a command line ending at the cursor; the candidates. */
const bashComplete = (script: string, line: string): ReadonlyArray<string> => {
  const words = line.split(' ')
  const prog = [
    script,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_netpolx',
    'printf "%s\\n" "${COMPREPLY[@]}"'
  ].join('\n')
  return execFileSync('bash', ['-c', prog], { encoding: 'utf8' }).split('\n').filter((l) => l !== '')
}

describe('completion', () => {
  it('prints a script for each shell and refuses others', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(completion(shell as 'bash' | 'zsh' | 'fish', specOf(program(quiet))))
    }
    const bad = await runCli(['completion', 'powershell'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('powershell')
  })

  it('bash completes commands, subcommands, options and their values', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout
    execFileSync('bash', ['-n', '-c', script])
    expect(bashComplete(script, 'netpolx go')).toEqual(['golden'])
    expect(bashComplete(script, 'netpolx golden ')).toEqual(['check', 'update'])
    expect(bashComplete(script, 'netpolx golden check --rep')).toEqual(['--report', '--report-file'])
    expect(bashComplete(script, 'netpolx golden check --report ')).toEqual(['text', 'sarif', 'junit', 'github'])
    expect(bashComplete(script, 'netpolx translate -f x.yaml --to c')).toEqual(['calico', 'cilium', 'cnp'])
    expect(bashComplete(script, 'netpolx completion ')).toEqual(['bash', 'zsh', 'fish'])
    expect(bashComplete(script, 'netpolx -')).toEqual(['--version', '-v', '--verbose', '-h', '--help'])
  })

  it('zsh and fish scripts cover every command and choice', () => {
    const spec = specOf(program(quiet))
    const z = zsh(spec)
    const f = fish(spec)
    expect(z.startsWith('#compdef netpolx\n')).toBe(true)
    expect(z).toContain("'translate|--to') compadd -- 'k8s' 'calico' 'cilium' 'cnp' 'anp'; return ;;")
    expect(z).toContain("'golden:check') key='golden check' ;;")
    expect(f).toContain("complete -c netpolx -n '__fish_seen_subcommand_from golden; and not __fish_seen_subcommand_from check update' -f -a 'check'")
    expect(f).toContain("complete -c netpolx -n '__fish_seen_subcommand_from translate' -l to -r -f -a 'k8s calico cilium cnp anp'")
    expect(f).toContain("complete -c netpolx -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'")
    for (const c of spec.commands) {
      expect(z).toContain(`'${c.name}:`)
      expect(f).toContain(`-a '${c.name}'`)
    }
  })
})

describe('kubectl plugin completion', () => {
  const spec = specOf(program(quiet))
  it('answers in Cobra __complete format', () => {
    expect(cobraComplete(spec, ['golden', ''])).toBe(
      'check\tTranslate every golden case and compare with its expected files; print a unified diff per mismatch.\nupdate\tRewrite the expected files of every golden case from its input.\n:4\n'
    )
    expect(cobraComplete(spec, ['translate', '--to', 'c'])).toBe('calico\ttarget dialect\ncilium\ttarget dialect\ncnp\ttarget dialect\n:4\n')
    expect(cobraComplete(spec, ['translate', '-f', ''])).toBe(':0\n')
    expect(cobraComplete(spec, ['completion', 'z'])).toBe('zsh\n:4\n')
    expect(cobraComplete(spec, ['golden', 'check', 'golden/'])).toBe(':0\n')
    expect(cobraComplete(spec, ['validate', '--report-f'])).toBe('--report-file\twrite the --report there (atomically) and keep the usual output\n:4\n')
  })
})

/** A stream that says it is a terminal and keeps what is written. */
const fakeTty = (): { readonly stream: NodeJS.WriteStream; readonly text: () => string } => {
  const s = new PassThrough()
  let out = ''
  s.on('data', (c: Buffer) => void (out += c.toString()))
  Object.assign(s, { isTTY: true, columns: 100, rows: 30, cursorTo: () => true, clearLine: () => true, moveCursor: () => true })
  return { stream: s as unknown as NodeJS.WriteStream, text: () => out }
}

describe('progress', () => {
  it('is wanted only on a terminal outside CI', () => {
    const tty = fakeTty().stream
    expect(progressWanted({ ...quiet, progress: tty, env: {} })).toBe(true)
    expect(progressWanted({ ...quiet, progress: tty, env: { CI: 'true' } })).toBe(false)
    expect(progressWanted({ ...quiet, progress: tty, env: { GITHUB_ACTIONS: 'true' } })).toBe(false)
    expect(progressWanted({ ...quiet, progress: new PassThrough() as unknown as NodeJS.WriteStream, env: {} })).toBe(false)
    expect(progressWanted({ ...quiet, env: {} })).toBe(false)
  })

  it('draws a bar only once a run has lasted a second', async () => {
    const tty = fakeTty()
    let t = 0
    const p = startProgress({ ...quiet, progress: tty.stream, env: {} }, 'golden check', 4, () => t)
    t = 500
    p.tick()
    await new Promise((r) => setImmediate(r))
    expect(tty.text()).toBe('')
    t = 1200
    p.tick()
    await new Promise((r) => setImmediate(r))
    expect(tty.text()).toContain('golden check [')
    expect(tty.text()).toContain('2/4')
    p.stop()
  })

  it('the built CLI writes nothing progress-like when standard error is a pipe', () => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI' && k !== 'GITHUB_ACTIONS') env[k] = v
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'netpolx'), 'golden', 'check', path.join(root, 'golden')], { encoding: 'utf8', env })
    expect(r.status).toBe(0)
    expect(r.stderr).not.toMatch(/[\r\u001b]|golden check \[/)
    expect(r.stdout).not.toMatch(/[\r\u001b]/)
  })
})
