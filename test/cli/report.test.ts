/** `--report sarif|junit|github` and `--report-file` through the CLI, on golden cases and policy files. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { readJunit } from '../report/junit-reader.js'
import { sarifErrors } from '../report/sarif-schema.js'
import type { CliResult } from './harness.js'
import { tempFiles } from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Runs in-process in a working directory (vitest runs each test file in a process of its own), with an environment. */
const runIn = async (cwd: string, args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Promise<CliResult> => {
  let stdout = ''
  let stderr = ''
  const before = process.cwd()
  process.chdir(cwd)
  try {
    const code = await run(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdin: async () => Buffer.from(''), env })
    return { code, stdout, stderr }
  } finally {
    process.chdir(before)
  }
}

/** A temporary repository (`.git` folder) with two golden cases under golden/, one of them stale. */
const goldenRepo = (): string => {
  const dir = tempFiles({ '.git/HEAD': 'ref: refs/heads/main\n' })
  for (const c of ['calico-icmp', 'k8s-ipblock-except']) fs.cpSync(path.join(root, 'golden', c), path.join(dir, 'golden', c), { recursive: true })
  const k8s = path.join(dir, 'golden', 'calico-icmp', 'expected', 'k8s.yaml')
  fs.writeFileSync(k8s, fs.readFileSync(k8s, 'utf8').replace('namespace: ingress-nginx', 'namespace: ingress'))
  const report = path.join(dir, 'golden', 'calico-icmp', 'expected', 'report.json')
  const entries = JSON.parse(fs.readFileSync(report, 'utf8')) as Record<string, { fidelity: string }>
  if (entries.cilium !== undefined) entries.cilium.fidelity = 'exact'
  fs.writeFileSync(report, `${JSON.stringify(entries, null, 2)}\n`)
  return dir
}

describe('golden check --report', () => {
  it('junit: one test case per case and target, the diff in the failure', async () => {
    const dir = goldenRepo()
    const r = await runIn(dir, ['golden', 'check', 'golden', '--report', 'junit'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('netpolx golden check: 2 cases, 8 files checked: 2 differ in 1 case\n')
    const j = readJunit(r.stdout)
    expect(j.cases.map((c) => [c.classname, c.name, c.failure === undefined ? 'pass' : 'fail'])).toEqual([
      ['golden/calico-icmp', 'k8s', 'fail'],
      ['golden/calico-icmp', 'calico', 'pass'],
      ['golden/calico-icmp', 'cilium', 'fail'],
      ['golden/k8s-ipblock-except', 'k8s', 'pass'],
      ['golden/k8s-ipblock-except', 'calico', 'pass'],
      ['golden/k8s-ipblock-except', 'cilium', 'pass']
    ])
    const k8s = j.cases[0]?.failure
    expect(k8s?.type).toBe('golden-mismatch')
    expect(k8s?.text).toContain('--- golden/calico-icmp/expected/k8s.yaml (expected)\n+++ golden/calico-icmp/expected/k8s.yaml (actual)\n')
    expect(k8s?.text).toContain('-  namespace: ingress\n+  namespace: ingress-nginx\n')
    expect(k8s?.text).not.toContain('report.json')
    const cilium = j.cases[2]?.failure
    expect(cilium?.message).toBe("the cilium entry of report.json differs from the translation of the case's input (see the diff; run netpolx golden update if the change is intended)")
    expect(cilium?.text).toContain('+++ golden/calico-icmp/expected/report.json (actual)')
  })

  it('sarif: validates, mismatches located at the first differing line relative to the repository root', async () => {
    const dir = goldenRepo()
    const sub = path.join(dir, 'golden')
    const r = await runIn(sub, ['golden', 'check', '.', '--report', 'sarif', '--report-file', path.join(dir, 'out.sarif')])
    expect(r.code).toBe(1)
    // the usual output stays: diffs and the summary
    expect(r.stdout).toContain('+  namespace: ingress-nginx')
    const log: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'out.sarif'), 'utf8'))
    expect(sarifErrors(log)).toEqual([])
    const results = (log as { runs: ReadonlyArray<{ results: ReadonlyArray<{ ruleId: string; locations: ReadonlyArray<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> }).runs[0]?.results ?? []
    const mismatches = results.filter((x) => x.ruleId === 'golden-mismatch').map((x) => [x.locations[0]?.physicalLocation.artifactLocation.uri, x.locations[0]?.physicalLocation.region.startLine])
    const k8sLine = fs.readFileSync(path.join(dir, 'golden', 'calico-icmp', 'expected', 'k8s.yaml'), 'utf8').split('\n').indexOf('  namespace: ingress') + 1
    const reportLine = fs.readFileSync(path.join(dir, 'golden', 'calico-icmp', 'expected', 'report.json'), 'utf8').split('\n').indexOf('  "cilium": {') + 1
    expect(mismatches).toEqual([
      ['golden/calico-icmp/expected/k8s.yaml', k8sLine],
      ['golden/calico-icmp/expected/report.json', reportLine]
    ])
  })

  it('github: chosen by GITHUB_ACTIONS=true, annotations on stderr, diffs still on stdout', async () => {
    const dir = goldenRepo()
    const r = await runIn(dir, ['golden', 'check', 'golden'], { GITHUB_ACTIONS: 'true' })
    expect(r.code).toBe(1)
    expect(r.stderr.split('\n').filter((l) => l.startsWith('::error '))).toEqual([
      expect.stringMatching(/^::error file=golden\/calico-icmp\/expected\/k8s\.yaml,line=\d+,col=1,title=netpolx golden-mismatch::k8s\.yaml differs/),
      expect.stringMatching(/^::error file=golden\/calico-icmp\/expected\/report\.json,line=\d+,col=1,title=netpolx golden-mismatch::the cilium entry/)
    ])
    expect(r.stdout).toContain('+  namespace: ingress-nginx')
    // --report text wins over the environment
    const text = await runIn(dir, ['golden', 'check', 'golden', '--report', 'text'], { GITHUB_ACTIONS: 'true' })
    expect(text.stderr).not.toContain('::error')
  })

  it('a folder without cases is reported too, as an error, with exit code 2', async () => {
    const dir = tempFiles({ 'empty/README.md': 'nothing here\n' })
    const r = await runIn(dir, ['golden', 'check', 'empty', '--report', 'junit', '--report-file', 'junit.xml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('empty:1:1: error golden-no-cases: no golden cases (folders with input.yaml or defaults.yaml) here\n')
    expect(readJunit(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).cases.map((c) => [c.name, c.error?.type])).toEqual([['empty', 'golden-no-cases']])
  })

  it('a clean run: every case passes and the SARIF has no result', async () => {
    const dir = tempFiles({})
    fs.cpSync(path.join(root, 'golden', 'k8s-ipblock-except'), path.join(dir, 'case'), { recursive: true })
    const r = await runIn(dir, ['golden', 'check', 'case', '--report', 'sarif'])
    expect(r.code).toBe(0)
    const log = JSON.parse(r.stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<unknown> }> }
    expect(sarifErrors(log)).toEqual([])
    expect(log.runs[0]?.results).toEqual([])
  })
})

const policy = (name: string, extra = ''): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n${extra}`

describe('validate --report', () => {
  it('junit: one test case per input file; sarif locates the error', async () => {
    const dir = tempFiles({
      'p/good.yaml': policy('good'),
      'p/bad.yaml': policy('bad', '  ingress:\n  - ports:\n    - port: 70000\n')
    })
    const j = await runIn(dir, ['validate', '-f', 'p', '--report', 'junit'])
    expect(j.code).toBe(1)
    const cases = readJunit(j.stdout).cases
    expect(cases.map((c) => [c.name, c.failure?.type ?? 'pass'])).toEqual([
      ['p/bad.yaml', expect.stringMatching(/^invalid-/)],
      ['p/good.yaml', 'pass']
    ])
    const s = await runIn(dir, ['validate', '-f', 'p', '--report', 'sarif'])
    const log = JSON.parse(s.stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ level: string; locations: ReadonlyArray<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> }
    expect(sarifErrors(log)).toEqual([])
    const err = log.runs[0]?.results.find((x) => x.level === 'error')
    expect(err?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: 'p/bad.yaml' }, region: { startLine: 11 } })
  })

  it('unreadable input is reported too, as errors, with exit code 2', async () => {
    const dir = tempFiles({ 'broken.yaml': 'kind: [\n' })
    const r = await runIn(dir, ['validate', '-f', 'broken.yaml', '--report', 'junit'])
    expect(r.code).toBe(2)
    const j = readJunit(r.stdout)
    expect(j.cases.map((c) => [c.name, c.error?.type])).toEqual([['broken.yaml', 'yaml-syntax']])
    expect(r.stderr).toMatch(/^broken\.yaml:\d+:\d+: error yaml-syntax: /)
  })

  it('--report-file needs a CI format', async () => {
    const dir = tempFiles({ 'p.yaml': policy('good') })
    const r = await runIn(dir, ['validate', '-f', 'p.yaml', '--report-file', 'x.sarif'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('netpolx: error usage: --report-file needs --report sarif, junit or github\n')
  })
})

describe('translate --report', () => {
  it('sarif needs --out or --report-file, its standard output being the translation', async () => {
    const dir = tempFiles({ 'p.yaml': policy('good') })
    const r = await runIn(dir, ['translate', '-f', 'p.yaml', '--to', 'cilium', '--report', 'sarif'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('--report sarif needs --report-file or --out')
  })

  it('sarif with --report-file: the translation on stdout, the lossy findings with their fidelity in the file', async () => {
    const dir = tempFiles({})
    fs.cpSync(path.join(root, 'golden', 'calico-icmp', 'input.yaml'), path.join(dir, 'input.yaml'))
    fs.cpSync(path.join(root, 'golden', 'calico-icmp', 'cluster.yaml'), path.join(dir, 'cluster.yaml'))
    const r = await runIn(dir, ['translate', '-f', 'input.yaml', '--cluster', 'cluster.yaml', '--to', 'k8s', '--allow-lossy', '--report', 'sarif', '--report-file', 'out.sarif'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('kind: NetworkPolicy')
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'out.sarif'), 'utf8')) as { runs: ReadonlyArray<{ properties: { fidelity: string }; results: ReadonlyArray<{ properties?: { fidelity: string } }> }> }
    expect(sarifErrors(log)).toEqual([])
    expect(log.runs[0]?.properties.fidelity).toBe('narrower')
    expect(log.runs[0]?.results.some((x) => x.properties?.fidelity === 'narrower')).toBe(true)
    const j = await runIn(dir, ['translate', '-f', 'input.yaml', '--cluster', 'cluster.yaml', '--to', 'k8s', '--report', 'junit', '--report-file', 'out.xml'])
    expect(j.code).toBe(1)
    expect(readJunit(fs.readFileSync(path.join(dir, 'out.xml'), 'utf8')).cases.map((c) => [c.name, c.failure === undefined])).toEqual([['input.yaml', false]])
  })
})

describe('equiv --report', () => {
  it('junit: one test case, failing with the differing flows', async () => {
    const shop = path.join(root, 'examples', 'shop')
    const dir = tempFiles({ 'none.yaml': policy('allow-nothing-else').replace('name: allow-nothing-else', 'name: deny-all') })
    const r = await runIn(dir, ['equiv', '--left', path.join(shop, 'policies.yaml'), '--right', 'none.yaml', '--cluster', path.join(shop, 'cluster.yaml'), '--port', '8080', '--report', 'junit'])
    expect(r.code).toBe(1)
    const j = readJunit(r.stdout)
    expect(j.cases).toHaveLength(1)
    expect(j.cases[0]?.failure?.type).toBe('equiv-differs')
    expect(j.cases[0]?.failure?.text).toMatch(/differing flows? \(left allows/)
    const s = await runIn(dir, ['equiv', '--left', path.join(shop, 'policies.yaml'), '--right', 'none.yaml', '--cluster', path.join(shop, 'cluster.yaml'), '--port', '8080', '--report', 'sarif'])
    const log = JSON.parse(s.stdout) as { runs: ReadonlyArray<{ results: ReadonlyArray<{ ruleId: string; locations?: ReadonlyArray<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> }
    expect(sarifErrors(log)).toEqual([])
    const results = log.runs[0]?.results ?? []
    expect(results.length).toBeGreaterThan(0)
    // the flows have no file: shown at the left input, so that GitHub code scanning takes the upload
    expect(results.every((x) => x.ruleId === 'equiv-differs' && x.locations?.[0]?.physicalLocation.artifactLocation.uri === 'file://' + path.join(shop, 'policies.yaml'))).toBe(true)
  })
})
