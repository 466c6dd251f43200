/** `netpolx golden check|update` as a user runs it: output as text, exit codes, what is (not) written. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'

const denyAll = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: default-deny-all',
  '  namespace: payments',
  'spec:',
  '  podSelector: {}',
  '  policyTypes: [Ingress, Egress]',
  ''
].join('\n')

const allowDns = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: allow-dns',
  '  namespace: payments',
  'spec:',
  '  podSelector: {}',
  '  policyTypes: [Egress]',
  '  egress:',
  '  - ports:',
  '    - {protocol: UDP, port: 53}',
  ''
].join('\n')

const read = (...p: ReadonlyArray<string>): string => fs.readFileSync(path.join(...p), 'utf8')
const exists = (...p: ReadonlyArray<string>): boolean => fs.existsSync(path.join(...p))

/** A golden folder with the given cases' inputs, expectations written by `golden update` (over `to`, default all). */
const updated = async (inputs: Readonly<Record<string, string>>, to?: string): Promise<string> => {
  const dir = tempFiles(Object.fromEntries(Object.entries(inputs).map(([c, text]) => [`${c}/input.yaml`, text])))
  const r = await runCli(['golden', 'update', dir, ...(to === undefined ? [] : ['--to', to])])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return dir
}

describe('golden update', () => {
  it('writes one expected file per target and the report, then nothing when up to date', async () => {
    const dir = tempFiles({ 'deny/input.yaml': denyAll })
    const r = await runCli(['golden', 'update', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const e = (f: string) => path.join(dir, 'deny', 'expected', f)
    expect(r.stdout).toBe(
      [`updated ${e('k8s.yaml')}`, `updated ${e('calico.yaml')}`, `updated ${e('cilium.yaml')}`, `updated ${e('report.json')}`, 'netpolx golden update: 1 case, 4 files written', ''].join('\n')
    )
    expect(fs.readdirSync(path.join(dir, 'deny', 'expected')).sort()).toEqual(['calico.yaml', 'cilium.yaml', 'k8s.yaml', 'report.json'])
    // the k8s expectation is what `translate --to k8s --allow-lossy` prints
    const t = await runCli(['translate', '-f', path.join(dir, 'deny', 'input.yaml'), '--to', 'k8s', '--allow-lossy'])
    expect(read(e('k8s.yaml'))).toBe(t.stdout)
    const again = await runCli(['golden', 'update', dir])
    expect(again.stdout).toBe('netpolx golden update: 1 case, 0 files written\n')
    expect(again.code).toBe(0)
  })

  it('each report.json entry is what `translate --report json` prints, located relative to the case', async () => {
    const internet = allowDns.replace('  - ports:', '  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n    ports:')
    const dir = await updated({ net: internet })
    const input = path.join(dir, 'net', 'input.yaml')
    const report = JSON.parse(read(dir, 'net', 'expected', 'report.json')) as Record<string, { fidelity: string; findings: ReadonlyArray<{ file?: string }> }>
    expect(report.cilium?.fidelity).toBe('narrower')
    for (const t of ['k8s', 'calico', 'cilium']) {
      const r = await runCli(['translate', '-f', input, '--to', t, '--allow-lossy', '--report', 'json'])
      const printed = JSON.parse(r.stderr) as { fidelity: string; findings: ReadonlyArray<{ file?: string }> }
      expect({ ...printed, findings: printed.findings.map((f) => ({ ...f, ...(f.file === undefined ? {} : { file: path.relative(path.join(dir, 'net'), f.file) }) })) }).toEqual(report[t])
      expect(read(dir, 'net', 'expected', `${t}.yaml`)).toBe(r.stdout)
    }
  })

  it('--to limits the targets; report.json keeps the entries of the others', async () => {
    const dir = await updated({ deny: denyAll })
    const report = JSON.parse(read(dir, 'deny', 'expected', 'report.json')) as Record<string, unknown>
    expect(Object.keys(report)).toEqual(['k8s', 'calico', 'cilium'])
    fs.writeFileSync(path.join(dir, 'deny', 'expected', 'cilium.yaml'), 'stale\n')
    const r = await runCli(['golden', 'update', dir, '--to', 'k8s'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('netpolx golden update: 1 case, 0 files written\n')
    expect(read(dir, 'deny', 'expected', 'cilium.yaml')).toBe('stale\n')
    const only = await updated({ dns: allowDns }, 'calico,k8s')
    expect(fs.readdirSync(path.join(only, 'dns', 'expected')).sort()).toEqual(['calico.yaml', 'k8s.yaml', 'report.json'])
    expect(Object.keys(JSON.parse(read(only, 'dns', 'expected', 'report.json')) as object)).toEqual(['k8s', 'calico'])
  })

  it('refuses a case whose input does not parse and writes nothing for it; the others are updated', async () => {
    const dir = tempFiles({
      'a-bad/input.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x\n',
      'a-bad/expected/k8s.yaml': 'kept as it is\n',
      'b-invalid/input.yaml': denyAll.replace('podSelector: {}', 'podSelector: {}\n  ingress: [{ports: [{port: 0}]}]'),
      'c-good/input.yaml': denyAll
    })
    const r = await runCli(['golden', 'update', dir])
    expect(r.code).toBe(2)
    const bad = path.join(dir, 'a-bad')
    const invalid = path.join(dir, 'b-invalid')
    const lines = r.stderr.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^${path.join(bad, 'input.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: error yaml-syntax: `))
    expect(r.stderr).toContain(`netpolx: error golden-refused: ${bad}: the input does not parse; nothing written\n`)
    expect(r.stderr).toContain(`${path.join(invalid, 'input.yaml')}:8:29: error invalid-field: `)
    expect(r.stderr).toContain(`netpolx: error golden-refused: ${invalid}: the input does not parse; nothing written\n`)
    expect(fs.readdirSync(path.join(bad, 'expected'))).toEqual(['k8s.yaml'])
    expect(read(bad, 'expected', 'k8s.yaml')).toBe('kept as it is\n')
    expect(exists(invalid, 'expected')).toBe(false)
    expect(exists(dir, 'c-good', 'expected', 'k8s.yaml')).toBe(true)
    expect(r.stdout.split('\n').slice(-2)).toEqual(['netpolx golden update: 3 cases, 4 files written, 2 cases refused (input does not parse)', ''])
  })

  it('expectations do not depend on where the case lies (locations are relative to the case)', async () => {
    const a = await updated({ 'x/y/dns': allowDns + '---\n' + denyAll })
    const b = await updated({ dns: allowDns + '---\n' + denyAll })
    for (const f of ['k8s.yaml', 'calico.yaml', 'cilium.yaml', 'report.json']) expect(read(a, 'x', 'y', 'dns', 'expected', f)).toBe(read(b, 'dns', 'expected', f))
    expect(read(b, 'dns', 'expected', 'report.json')).not.toContain(b)
  })
})

describe('golden check', () => {
  it('passes when every expected file matches', async () => {
    const dir = await updated({ deny: denyAll, dns: allowDns })
    const r = await runCli(['golden', 'check', dir])
    expect(r).toEqual({ code: 0, stdout: 'netpolx golden check: 2 cases, 8 files checked: all match\n', stderr: '' })
  })

  it('fails with a unified diff per mismatching file and a summary line', async () => {
    const dir = await updated({ deny: denyAll, dns: allowDns }, 'k8s')
    const k8s = path.join(dir, 'deny', 'expected', 'k8s.yaml')
    fs.writeFileSync(k8s, read(k8s).replace('namespace: payments', 'namespace: billing'))
    const r = await runCli(['golden', 'check', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      [
        `--- ${k8s} (expected)`,
        `+++ ${k8s} (actual)`,
        '@@ -2,7 +2,7 @@',
        ' kind: NetworkPolicy',
        ' metadata:',
        '   name: default-deny-all',
        '-  namespace: billing',
        '+  namespace: payments',
        ' spec:',
        '   podSelector: {}',
        '   policyTypes:',
        'netpolx golden check: 2 cases, 4 files checked: 1 differs in 1 case',
        ''
      ].join('\n')
    )
  })

  it('reports a missing report.json as a diff from /dev/null', async () => {
    const dir = await updated({ deny: denyAll }, 'k8s')
    const report = path.join(dir, 'deny', 'expected', 'report.json')
    const text = read(report)
    fs.rmSync(report)
    const r = await runCli(['golden', 'check', dir])
    expect(r.code).toBe(1)
    const added = text.split('\n').slice(0, -1)
    expect(r.stdout).toBe(
      [`--- /dev/null`, `+++ ${report} (actual)`, `@@ -0,0 +1,${added.length} @@`, ...added.map((l) => `+${l}`), 'netpolx golden check: 1 case, 2 files checked: 1 differs in 1 case', ''].join('\n')
    )
  })

  it('says so when only line ends differ (a CRLF checkout)', async () => {
    const dir = await updated({ deny: denyAll }, 'k8s')
    const k8s = path.join(dir, 'deny', 'expected', 'k8s.yaml')
    fs.writeFileSync(k8s, read(k8s).replace(/\n/g, '\r\n'))
    const r = await runCli(['golden', 'check', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      [
        `--- ${k8s} (expected)`,
        `+++ ${k8s} (actual)`,
        '(only line ends differ: the expected file has CRLF, netpolx writes LF; check it out with eol=lf)',
        'netpolx golden check: 1 case, 2 files checked: 1 differs in 1 case',
        ''
      ].join('\n')
    )
  })

  it('checks only the targets with an expected file, limited by --to', async () => {
    const dir = await updated({ deny: denyAll })
    const cilium = path.join(dir, 'deny', 'expected', 'cilium.yaml')
    fs.writeFileSync(cilium, `${read(cilium)}# edited\n`)
    const all = await runCli(['golden', 'check', dir])
    expect(all.code).toBe(1)
    expect(all.stdout).toContain(`+++ ${cilium} (actual)`)
    expect(all.stdout).toContain('\n-# edited\n')
    const limited = await runCli(['golden', 'check', dir, '--to', 'k8s', '--to', 'calico'])
    expect(limited).toEqual({ code: 0, stdout: 'netpolx golden check: 1 case, 3 files checked: all match\n', stderr: '' })
    // no longer tracking a target: its report entry goes too, through `update`
    fs.rmSync(cilium)
    const stale = await runCli(['golden', 'check', dir])
    expect(stale.code).toBe(1)
    expect(stale.stdout).toContain('-  "cilium": {\n')
    expect((await runCli(['golden', 'update', dir, '--to', 'k8s,calico'])).code).toBe(0)
    expect(fs.existsSync(cilium)).toBe(false)
    expect((await runCli(['golden', 'check', dir])).stdout).toBe('netpolx golden check: 1 case, 3 files checked: all match\n')
  })

  it('fails a case that has no expected files yet', async () => {
    const dir = tempFiles({ 'new/input.yaml': denyAll })
    const r = await runCli(['golden', 'check', dir, '--to', 'k8s'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`--- /dev/null\n+++ ${path.join(dir, 'new', 'expected', 'k8s.yaml')} (actual)\n`)
    expect(r.stdout.endsWith('netpolx golden check: 1 case, 2 files checked: 2 differ in 1 case\n')).toBe(true)
  })

  it('exits 2 when an input does not parse, after checking the other cases', async () => {
    const dir = await updated({ good: denyAll })
    fs.mkdirSync(path.join(dir, 'bad'))
    fs.writeFileSync(path.join(dir, 'bad', 'input.yaml'), 'kind: [\n')
    const r = await runCli(['golden', 'check', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^${path.join(dir, 'bad', 'input.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: error yaml-syntax: `))
    expect(r.stdout).toBe('netpolx golden check: 2 cases, 4 files checked: 1 case could not run\n')
  })

  it('exits 2 on a missing folder, a folder without cases, or expected/ without input.yaml', async () => {
    const missing = await runCli(['golden', 'check', '/nonexistent/golden'])
    expect(missing).toEqual({ code: 2, stdout: '', stderr: '/nonexistent/golden:1:1: error no-such-file: no such file or directory\n' })
    const empty = tempFiles({ 'README.md': '# nothing here\n' })
    expect(await runCli(['golden', 'check', empty])).toEqual({
      code: 2,
      stdout: '',
      stderr: `${empty}:1:1: error golden-no-cases: no golden cases (folders with input.yaml or defaults.yaml) here\n`
    })
    const orphan = tempFiles({ 'x/expected/k8s.yaml': '' })
    expect((await runCli(['golden', 'update', orphan])).stderr).toBe(
      `${path.join(orphan, 'x', 'expected')}:1:1: error golden-no-input: expected/ without input.yaml or defaults.yaml: not a golden case\n`
    )
  })

  it('warns about unknown files in expected/ and ignores them', async () => {
    const dir = await updated({ deny: denyAll })
    fs.writeFileSync(path.join(dir, 'deny', 'expected', 'notes.txt'), 'mine\n')
    const r = await runCli(['golden', 'check', dir])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(
      `${path.join(dir, 'deny', 'expected', 'notes.txt')}:1:1: warning golden-unknown-file: not an expected file of a golden case (k8s.yaml, calico.yaml, cilium.yaml, cnp.yaml, report.json); ignored\n`
    )
  })

  it('bad invocations exit 2', async () => {
    const dir = await updated({ deny: denyAll })
    const bad = await runCli(['golden', 'check', dir, '--to', 'k8s,antrea'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown dialect "antrea"; expected k8s, calico, cilium')
    expect((await runCli(['golden', 'check'])).code).toBe(2)
    const none = await runCli(['golden'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('golden needs a subcommand')
  })
})
