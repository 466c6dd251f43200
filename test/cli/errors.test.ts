/**
 * Bad input gets `file:line:col` errors and exit code 2, never a stack trace, and never a partial
 * output file — through the CLI.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from './harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const np = (spec: string, meta = '  name: p\n  namespace: x\n'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n${meta}spec:\n${spec}`

const cases: ReadonlyArray<readonly [string, string | Buffer, string]> = [
  ['malformed YAML', np('  podSelector: {\n  ingress: [\n'), 'bad.yaml:8:3: error yaml-syntax: Flow map in block collection must be sufficiently indented and end with a }'],
  ['wrong field type', np('  podSelector: []\n'), 'bad.yaml:7:16: error invalid-field: spec.podSelector: expected LabelSelector (a mapping), got a sequence'],
  [
    'unknown operator',
    np('  podSelector:\n    matchExpressions:\n    - key: app\n      operator: Like\n      values: [a]\n'),
    'bad.yaml:10:17: error invalid-field: spec.podSelector.matchExpressions[0].operator: invalid operator "Like": expected one of In, NotIn, Exists, DoesNotExist'
  ],
  [
    'invalid CIDR',
    np('  podSelector: {}\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 10.0.0.0/33\n'),
    'bad.yaml:11:15: error invalid-field: spec.egress[0].to[0].ipBlock.cidr: invalid CIDR "10.0.0.0/33": prefix length must be 0-32'
  ],
  [
    'port 70000',
    np('  podSelector: {}\n  ingress:\n  - ports:\n    - port: 70000\n'),
    'bad.yaml:10:13: error invalid-field: spec.ingress[0].ports[0].port: invalid port 70000: expected a number from 1 to 65535 or a port name'
  ],
  ['missing metadata.name', np('  podSelector: {}\n', '  namespace: x\n'), 'bad.yaml:4:3: error invalid-field: metadata.name: missing required field "name"'],
  ['empty file', '', 'bad.yaml:1:1: error empty-input: no documents in file'],
  ['binary file', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xff, 0xfe]), 'bad.yaml:1:1: error binary-input:']
]

describe('bad input', () => {
  for (const [title, content, message] of cases) {
    it(`${title}: exit 2 with a positioned error and no output file`, async () => {
      const dir = tempFiles({ 'bad.yaml': content })
      const out = path.join(dir, 'out.yaml')
      const r = await runCli(['translate', '-f', path.join(dir, 'bad.yaml'), '--to', 'k8s', '--out', out])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      const first = r.stderr.split('\n')[0] ?? ''
      expect(first.replace(`${dir}${path.sep}`, '')).toContain(message)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(fs.existsSync(out)).toBe(false)
      expect(fs.readdirSync(dir)).toEqual(['bad.yaml'])
    })
  }

  it('a missing file is exit 2 with its name', async () => {
    const r = await runCli(['validate', '-f', '/nonexistent/policies.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('/nonexistent/policies.yaml:1:1: error no-such-file: no such file or directory\n')
  })

  it('an unknown flag or a missing required flag is exit 2', async () => {
    expect((await runCli(['translate', '-f', 'x.yaml', '--to', 'k8s', '--bogus'])).code).toBe(2)
    const r = await runCli(['translate', '-f', 'x.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error: required option '--to <dialect>' not specified")
  })

  it('an invalid --port is exit 2', async () => {
    const dir = tempFiles({ 'p.yaml': np('  podSelector: {}\n') })
    const r = await runCli(['reach', '-f', path.join(dir, 'p.yaml'), '--cluster', path.join(dir, 'p.yaml'), '--port', '80/ICMP'])
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'netpolx: error usage: invalid --port "80/ICMP": protocol must be TCP, UDP or SCTP (ICMP and ICMPv6 probes are written ICMP/TYPE[/CODE])\n' })
  })

  it('the installed binary prints no stack trace on a binary file', () => {
    const dir = tempFiles({ 'bin.yaml': Buffer.from([0, 1, 2, 3, 0xff]) })
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'netpolx'), 'validate', '-f', path.join(dir, 'bin.yaml')], { encoding: 'utf8', env: { ...process.env, GITHUB_ACTIONS: undefined } }) // text diagnostics even under GitHub Actions
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`${path.join(dir, 'bin.yaml')}:1:1: error binary-input: not a text file: it is not valid UTF-8\n`)
  })
})

describe('help and version', () => {
  it('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    for (const c of ['validate', 'translate', 'reach']) expect(r.stdout).toContain(c)
  })
  it('every command has help text for every flag', async () => {
    for (const c of ['validate', 'translate', 'reach']) {
      const r = await runCli([c, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('-f, --filename <path>')
      expect(r.stdout).toContain('Exit codes:')
    }
  })
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
    const r = await runCli(['--version'])
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })
})
