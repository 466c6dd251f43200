/** The CI report formats on hand-made findings: SARIF against the 2.1.0 schema, JUnit as readers read it, GitHub workflow commands. */
import { describe, expect, it } from 'vitest'
import * as D from '../../src/diagnostics.js'
import type { Findings } from '../../src/report/findings.js'
import { perFile } from '../../src/report/findings.js'
import { annotation, github } from '../../src/report/github.js'
import { junit } from '../../src/report/junit.js'
import { helpOf } from '../../src/report/rules.js'
import { artifactOf, sarif, sarifLog } from '../../src/report/sarif.js'
import { readJunit } from './junit-reader.js'
import { sarifErrors } from './sarif-schema.js'

const at = (file: string, line: number, col: number): D.Location => ({ file, line, col })

const diagnostics: ReadonlyArray<D.Diagnostic> = [
  D.loss('broader', 'l7-dropped', 'the HTTP rule is kept at L4 only', at('policies/cilium.yaml', 12, 9)),
  D.error('yaml-syntax', 'unexpected end of the stream within a flow collection', at('policies/bad file#1.yaml', 3, 1)),
  D.loss('narrower', 'unsupported-fqdn', 'toFQDNs has no Kubernetes equivalent; left out', at('policies/cilium.yaml', 20, 5)),
  D.info('namespace-defaulted', 'no metadata.namespace: "default" assumed', at('<stdin>', 1, 1)),
  D.warning('some-new-code', 'a code without help of its own'),
  D.loss('exact-for-inventory', 'cluster-scope-expanded', 'written once per namespace', at('/elsewhere/gnp.yaml', 2, 1))
]

const files = ['policies/cilium.yaml', 'policies/bad file#1.yaml', '<stdin>', '/elsewhere/gnp.yaml', 'policies/clean.yaml']

const findings: Findings = {
  command: 'translate',
  diagnostics,
  checks: perFile('translate', files, diagnostics, (d) => d.severity === 'error' || (d.fidelity !== undefined && !D.isFaithful(d.fidelity))),
  fidelity: 'narrower'
}

const options = { toolVersion: '0.1.0', cwd: '/repo/sub', root: '/repo' }

interface Result {
  readonly ruleId: string
  readonly ruleIndex: number
  readonly level: string
  readonly message: { readonly text: string }
  readonly locations?: ReadonlyArray<{ readonly physicalLocation: { readonly artifactLocation: { readonly uri: string; readonly uriBaseId?: string }; readonly region: { readonly startLine: number; readonly startColumn: number } } }>
  readonly properties?: { readonly fidelity: string }
}
interface Log {
  readonly runs: ReadonlyArray<{
    readonly tool: { readonly driver: { readonly rules: ReadonlyArray<{ readonly id: string; readonly help: { readonly text: string }; readonly shortDescription: { readonly text: string } }> } }
    readonly results: ReadonlyArray<Result>
    readonly properties?: { readonly fidelity: string }
  }>
}

describe('sarif', () => {
  const text = sarif(findings, options)
  const log = JSON.parse(text) as Log
  const run = log.runs[0]

  it('validates against the official SARIF 2.1.0 schema', () => {
    expect(sarifErrors(JSON.parse(text))).toEqual([])
  })

  it('the schema validator does reject a broken log', () => {
    const broken = JSON.parse(text) as { runs: Array<{ results: Array<{ level: string }> }> }
    const first = broken.runs[0]?.results[0]
    if (first !== undefined) first.level = 'fatal'
    expect(sarifErrors(broken).length).toBeGreaterThan(0)
  })

  it('has one rule per code, sorted, each with help text, and results pointing at them', () => {
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(['cluster-scope-expanded', 'l7-dropped', 'namespace-defaulted', 'some-new-code', 'unsupported-fqdn', 'yaml-syntax'])
    for (const r of run?.tool.driver.rules ?? []) expect(r.help.text.length).toBeGreaterThan(40)
    for (const r of run?.results ?? []) expect(run?.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId)
  })

  it('locates results relative to the root, with the fidelity as a property', () => {
    const l7 = run?.results.find((r) => r.ruleId === 'l7-dropped')
    expect(l7?.level).toBe('warning')
    expect(l7?.properties).toEqual({ fidelity: 'broader' })
    expect(l7?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'sub/policies/cilium.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 9 } })
    expect(run?.results.find((r) => r.ruleId === 'yaml-syntax')?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe('sub/policies/bad%20file%231.yaml')
    expect(run?.results.find((r) => r.ruleId === 'cluster-scope-expanded')?.locations?.[0]?.physicalLocation.artifactLocation).toEqual({ uri: 'file:///elsewhere/gnp.yaml' })
    expect(run?.properties).toEqual({ fidelity: 'narrower' })
  })

  it('without an anchor, keeps standard input and unlocated findings without a location; info as note', () => {
    const stdin = run?.results.find((r) => r.ruleId === 'namespace-defaulted')
    expect(stdin?.level).toBe('note')
    expect(stdin?.locations).toBeUndefined()
    expect(stdin?.message.text).toBe('<stdin>:1:1: no metadata.namespace: "default" assumed')
    expect(run?.results.find((r) => r.ruleId === 'some-new-code')?.locations).toBeUndefined()
  })

  it('with an anchor, every result has a location: GitHub code scanning rejects an upload with one that has none', () => {
    const anchored = JSON.parse(sarif({ ...findings, anchor: 'policies/cilium.yaml' }, options)) as Log
    const results = anchored.runs[0]?.results ?? []
    expect(results.every((r) => r.locations?.length === 1)).toBe(true)
    const at = (code: string) => results.find((r) => r.ruleId === code)
    expect(at('some-new-code')?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'sub/policies/cilium.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 1 } })
    expect(at('namespace-defaulted')?.message.text).toBe('<stdin>:1:1: no metadata.namespace: "default" assumed')
    expect(at('namespace-defaulted')?.locations?.[0]?.physicalLocation.artifactLocation.uri).toBe('sub/policies/cilium.yaml')
    expect(at('l7-dropped')?.locations?.[0]?.physicalLocation.region).toEqual({ startLine: 12, startColumn: 9 })
    expect(sarifErrors(anchored)).toEqual([])
  })

  it('is deterministic: the same findings in another order give the same text', () => {
    expect(sarif({ ...findings, diagnostics: [...diagnostics].reverse() }, options)).toBe(text)
  })

  it('an empty run validates too', () => {
    expect(sarifErrors(sarifLog({ command: 'golden check', diagnostics: [], checks: [] }, options))).toEqual([])
  })

  it('artifactOf: the root itself and parents stay absolute', () => {
    expect(artifactOf('../../x.yaml', options)).toEqual({ uri: 'file:///x.yaml' })
    expect(artifactOf('a/b.yaml', { cwd: '/repo', root: '/repo' })).toEqual({ uri: 'a/b.yaml', uriBaseId: '%SRCROOT%' })
  })
})

describe('rule help', () => {
  it('has texts of its own, by family, and by fidelity for codes it does not know', () => {
    expect(helpOf('golden-mismatch', 'error', undefined).help).toContain('netpolx golden update')
    expect(helpOf('invalid-port', 'error', undefined).short).toBe('A resource does not decode.')
    expect(helpOf('unsupported-l7proto', 'warning', 'unsupported').help).toContain('--allow-lossy')
    expect(helpOf('brand-new', 'warning', 'broader').short).toBe('The target allows more than the source here.')
  })
})

describe('junit', () => {
  const xml = junit(findings)
  const j = readJunit(xml)

  it('has one test case per input file, failing on its lossy findings and errors', () => {
    expect(j.cases.map((c) => [c.name, c.failure === undefined ? 'pass' : 'fail'])).toEqual([
      ['policies/cilium.yaml', 'fail'],
      ['policies/bad file#1.yaml', 'fail'],
      ['<stdin>', 'pass'],
      ['/elsewhere/gnp.yaml', 'pass'],
      ['policies/clean.yaml', 'pass']
    ])
    expect([j.tests, j.failures, j.errors]).toEqual([5, 2, 0])
    expect(j.cases.every((c) => c.classname === 'netpolx.translate' && c.suite === 'netpolx translate')).toBe(true)
    const cilium = j.cases[0]?.failure
    expect(cilium?.message).toBe('2 findings; the first: l7-dropped: the HTTP rule is kept at L4 only')
    expect(cilium?.type).toBe('l7-dropped')
    expect(cilium?.text).toBe(
      'policies/cilium.yaml:12:9: warning l7-dropped: the HTTP rule is kept at L4 only\npolicies/cilium.yaml:20:5: warning unsupported-fqdn: toFQDNs has no Kubernetes equivalent; left out\n'
    )
  })

  it('escapes what XML cannot carry as is', () => {
    const nasty: Findings = {
      command: 'validate',
      diagnostics: [],
      checks: [{ suite: 's<&>"', classname: 'c', name: 'n]]>', outcome: { kind: 'error', message: 'a "quoted" <tag> & \u0001', type: 't', body: 'line ]]> \u0007 end\r\n' } }]
    }
    const r = readJunit(junit(nasty))
    expect(r.cases).toEqual([{ suite: 's<&>"', name: 'n]]>', classname: 'c', error: { message: 'a "quoted" <tag> & \\u{1}', type: 't', text: 'line ]]> \\u{7} end\r\n' } }])
  })

  it('the reader rejects counts that do not match', () => {
    expect(() => readJunit(xml.replace('tests="5"', 'tests="4"'))).toThrow(/tests=4/)
  })
})

describe('github', () => {
  it('writes one workflow command per finding, escaped, notices only when verbose', () => {
    expect(github(findings, false)).toBe(
      [
        '::warning title=netpolx some-new-code::a code without help of its own',
        '::error file=policies/bad file#1.yaml,line=3,col=1,title=netpolx yaml-syntax::unexpected end of the stream within a flow collection',
        '::warning file=policies/cilium.yaml,line=12,col=9,title=netpolx l7-dropped (broader)::the HTTP rule is kept at L4 only',
        '::warning file=policies/cilium.yaml,line=20,col=5,title=netpolx unsupported-fqdn (narrower)::toFQDNs has no Kubernetes equivalent; left out',
        ''
      ].join('\n')
    )
    const verbose = github(findings, true)
    expect(verbose).toContain('::notice title=netpolx namespace-defaulted::<stdin>:1:1: no metadata.namespace: "default" assumed\n')
    expect(verbose).toContain('::notice file=/elsewhere/gnp.yaml,line=2,col=1,title=netpolx cluster-scope-expanded (exact-for-inventory)::written once per namespace\n')
  })

  it('escapes %, CR, LF, and : , in properties', () => {
    expect(annotation(D.error('x', '50% done\r\nnext', at('a:b,c.yaml', 1, 2)))).toBe('::error file=a%3Ab%2Cc.yaml,line=1,col=2,title=netpolx x::50%25 done%0D%0Anext')
  })
})
