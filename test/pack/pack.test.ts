/**
 * The packed package installs and runs in a clean project: `npm pack` (of the build `npm test`
 * made), `npm install ./netpolx-x.tgz` in a fresh folder (dependencies from the registry), then
 * `npx netpolx golden check` on golden cases copied there, whose SARIF validates against the
 * 2.1.0 schema and whose JUnit has one test case per case and target.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readJunit } from '../report/junit-reader.js'
import { sarifErrors } from '../report/sarif-schema.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const cases = ['calico-icmp', 'k8s-ipblock-except']
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'

/** The environment of a user's shell: no CI variables that would pick a report format. */
const userEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'GITHUB_ACTIONS' && !k.startsWith('npm_')) env[k] = v
  return env
}

describe('npm pack → npm install → npx netpolx', () => {
  let work = ''
  let project = ''
  let files: ReadonlyArray<string> = []

  beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js')), 'dist/ is built by `npm test` (pretest); run `npm run build` first').toBe(true)
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'netpolx-pack-'))
    // the build is already there: --ignore-scripts keeps `prepare` from rebuilding dist/ under the other tests' feet
    const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', env: userEnv() })) as ReadonlyArray<{
      filename: string
      files: ReadonlyArray<{ path: string }>
    }>
    const tarball = path.join(work, packed[0]?.filename ?? '')
    files = packed[0]?.files.map((f) => f.path) ?? []
    project = path.join(work, 'project')
    fs.mkdirSync(project)
    fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'policies', version: '1.0.0', private: true }, null, 2)}\n`)
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: project, encoding: 'utf8', env: userEnv(), stdio: 'pipe' })
    for (const c of cases) fs.cpSync(path.join(root, 'golden', c), path.join(project, 'golden', c), { recursive: true })
  }, 300_000)

  afterAll(() => {
    if (work !== '') fs.rmSync(work, { recursive: true, force: true })
  })

  it('packs what runs and nothing of the tests', () => {
    expect(files).toContain('bin/netpolx')
    expect(files).toContain('bin/kubectl-netpolx')
    expect(files).toContain('bin/kubectl_complete-netpolx')
    expect(files).toContain('dist/src/cli/main.js')
    expect(files).toContain('profiles/default-deny.yaml')
    expect(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('src/'))).toEqual([])
  })

  it('golden check writes SARIF that validates against the 2.1.0 schema', () => {
    const r = spawnSync(npx, ['netpolx', 'golden', 'check', 'golden', '--report', 'sarif', '--report-file', 'netpolx.sarif'], { cwd: project, encoding: 'utf8', env: userEnv() })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`netpolx golden check: 2 cases, 8 files checked: all match\n`)
    const log: unknown = JSON.parse(fs.readFileSync(path.join(project, 'netpolx.sarif'), 'utf8'))
    expect(sarifErrors(log)).toEqual([])
    expect((log as { runs: ReadonlyArray<{ tool: { driver: { name: string } } }> }).runs[0]?.tool.driver.name).toBe('netpolx')
  })

  it('golden check writes JUnit with one test case per case and target', () => {
    const r = spawnSync(npx, ['netpolx', 'golden', 'check', 'golden', '--report', 'junit'], { cwd: project, encoding: 'utf8', env: userEnv() })
    expect(r.status).toBe(0)
    const j = readJunit(r.stdout)
    expect(j.cases.map((c) => `${c.classname}:${c.name}`)).toEqual(cases.flatMap((c) => ['k8s', 'calico', 'cilium'].map((t) => `golden/${c}:${t}`)))
    expect([j.failures, j.errors]).toEqual([0, 0])
  })

  it('a stale expected file fails the check with the case and target named', () => {
    const k8s = path.join(project, 'golden', 'calico-icmp', 'expected', 'k8s.yaml')
    const before = fs.readFileSync(k8s, 'utf8')
    fs.writeFileSync(k8s, before.replace('namespace: dev', 'namespace: prod'))
    try {
      const r = spawnSync(npx, ['netpolx', 'golden', 'check', 'golden', '--report', 'junit'], { cwd: project, encoding: 'utf8', env: userEnv() })
      expect(r.status).toBe(1)
      expect(readJunit(r.stdout).cases.filter((c) => c.failure !== undefined).map((c) => `${c.classname}:${c.name}`)).toEqual(['golden/calico-icmp:k8s'])
    } finally {
      fs.writeFileSync(k8s, before)
    }
  })

  it('the kubectl plugin entry runs the same CLI', () => {
    const bin = path.join(project, 'node_modules', '.bin', 'kubectl-netpolx')
    expect(execFileSync(bin, ['version'], { encoding: 'utf8', env: userEnv() })).toBe(`${(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`)
    expect(execFileSync(bin, ['--help'], { encoding: 'utf8', env: userEnv() })).toMatch(/^Usage: kubectl netpolx /)
    const complete = path.join(project, 'node_modules', '.bin', 'kubectl_complete-netpolx')
    expect(execFileSync(complete, ['golden', 'ch'], { encoding: 'utf8', env: userEnv() })).toMatch(/^check\t.*\n:4\n$/)
  })
})
