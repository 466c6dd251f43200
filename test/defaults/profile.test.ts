/**
 * Profile files: the built-in ones decode and use what they declare; user-written ones are
 * checked with every problem reported at its `file:line:col` (document, parameters, templates,
 * policies after substitution, overlapping allow and deny rules), and command-line values are
 * checked by type.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { builtinProfiles, profilesOfText } from '../../src/defaults/builtin.js'
import { generate } from '../../src/defaults/generate.js'
import { valueFromCli } from '../../src/defaults/params.js'
import type { Profile } from '../../src/defaults/profile.js'
import { references } from '../../src/defaults/template.js'
import * as D from '../../src/diagnostics.js'
import { dialectByName } from '../../src/pipeline.js'

const cilium = dialectByName('cilium')
if (cilium === undefined) throw new Error('no cilium dialect')

const header = (name: string, rest: string): string => `apiVersion: netpolx.io/v1alpha1
kind: DefaultsProfile
metadata:
  name: ${name}
spec:
${rest}`

/** Decodes one profile file; Left: the rendered diagnostics. */
const decodeText = (text: string): E.Either<ReadonlyArray<string>, Profile> => {
  const r = profilesOfText('p.yaml', text)
  const first = r.profiles[0]
  return r.diagnostics.length > 0 || first === undefined ? E.left(r.diagnostics.map(D.render)) : E.right(first)
}

/** Generates for cilium from one profile file; the rendered errors, or [] on success. */
const errorsOf = (text: string, values: ReadonlyMap<string, ReadonlyArray<string>> = new Map()): ReadonlyArray<string> => {
  const p = decodeText(text)
  if (E.isLeft(p)) return p.left
  const g = generate({ profiles: [p.right], values, target: cilium, inventory: undefined, namespaces: undefined })
  return E.isLeft(g) ? g.left.map(D.render) : []
}

describe('built-in profiles', () => {
  it('decode without findings', () => {
    const b = builtinProfiles()
    expect(b.diagnostics.map(D.render)).toEqual([])
    expect(b.profiles.length).toBe(6)
  })

  it('refer to exactly the parameters they declare, and describe each', () => {
    for (const p of builtinProfiles().profiles) {
      expect([p.name, [...references(p.policies)].sort()]).toEqual([p.name, p.parameters.map((x) => x.name).sort()])
      expect([p.name, p.description !== undefined && p.example !== undefined && p.parameters.every((x) => x.description !== undefined)]).toEqual([p.name, true])
      expect(p.example?.startsWith(`netpolx defaults `) && p.example.includes(`--profile ${p.name}`)).toBe(true)
    }
  })
})

describe('profile documents', () => {
  it('reports a wrong apiVersion and an unknown field at their positions', () => {
    const text = `apiVersion: netpolx.io/v1
kind: DefaultsProfile
metadata:
  name: x
spec:
  policy: []
  policies: []
`
    expect(decodeText(text)).toEqual(
      E.left([
        'p.yaml:1:13: error invalid-field: apiVersion: invalid apiVersion "netpolx.io/v1": expected one of netpolx.io/v1alpha1',
        'p.yaml:6:11: error invalid-field: spec.policy: unknown field "policy" in DefaultsProfile spec'
      ])
    )
  })

  it('reports bad parameter types, defaults and duplicates', () => {
    const text = header(
      'x',
      `  parameters:
    - name: a
      type: number
    - name: b
      type: port
      default: 70000
    - name: c
      type: cidrs
      default: [10.0.0.0/33]
    - name: d
      type: labels
      default: {"bad key!": v}
    - name: a
      type: string
  policies: []
`
    )
    expect(decodeText(text)).toEqual(
      E.left(['p.yaml:8:13: error invalid-field: spec.parameters[0].type: invalid parameter type "number": expected one of direction, namespace, namespaces, labels, port, cidrs, string'])
    )
    const fixed = text.replace('type: number', 'type: string')
    expect(decodeText(fixed)).toEqual(
      E.left([
        'p.yaml:11:16: error invalid-field: spec.parameters[1].default: expected a port number from 1 to 65535, got 70000',
        'p.yaml:14:16: error invalid-field: spec.parameters[2].default: invalid CIDR "10.0.0.0/33": prefix length must be 0-32',
        'p.yaml:17:16: error invalid-field: spec.parameters[3].default: invalid label key "bad key!": the name must be at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
        'p.yaml:18:13: error invalid-field: spec.parameters[4].name: parameter "a" is declared twice'
      ])
    )
  })
})

describe('policy templates', () => {
  const withPolicies = (policies: string, parameters = ''): string => header('mine', `${parameters}  policies:\n${policies}`)

  it('reports a reference to an undeclared parameter where it is written', () => {
    const text = withPolicies(`    - name: p
      directions: '\${dir}'
`)
    expect(errorsOf(text)).toEqual(['p.yaml:8:19: error invalid-template: spec.policies[0].directions: ${dir} names no parameter of this profile'])
  })

  it('reports a substituted value of the wrong type at the reference', () => {
    const text = withPolicies(
      `    - name: p
      directions: egress
      rules:
        - action: allow
          peers:
            - pods:
                namespaces: '\${port}'
`,
      `  parameters:
    - name: port
      type: port
      default: 53
`
    )
    expect(errorsOf(text)).toEqual(['p.yaml:17:29: error invalid-field: spec.policies[0].rules[0].peers[0].pods.namespaces: expected a list of namespace name, got 53'])
  })

  it('reports peers that are both pods and external, and rules for a direction the policy does not govern', () => {
    const text = withPolicies(`    - name: p
      directions: ingress
      rules:
        - action: allow
          peers:
            - pods: {}
              external: {}
        - action: deny
          direction: egress
`)
    expect(errorsOf(text)).toEqual([
      'p.yaml:12:15: error invalid-field: spec.policies[0].rules[0].peers[0]: a peer is exactly one of pods or external, got both (write two peers for both)'
    ])
    expect(errorsOf(text.replace('              external: {}\n', ''))).toEqual([
      'p.yaml:14:22: error invalid-field: spec.policies[0].rules[1].direction: policy p governs ingress only, not egress'
    ])
  })

  it('refuses allow and deny rules that overlap, at the deny rule', () => {
    const text = withPolicies(`    - name: open
      directions: egress
      rules:
        - action: allow
          peers:
            - external: {cidrs: [10.0.0.0/8]}
    - name: closed
      directions: egress
      isolate: false
      rules:
        - action: deny
          peers:
            - external: {}
          ports:
            - {port: 443}
`)
    const errors = errorsOf(text)
    expect(errors.length).toBe(1)
    expect(errors[0]).toMatch(/^p\.yaml:17:11: error defaults-overlap: the egress deny rule of closed and an allow rule of open \(p\.yaml:10:11\) can match the same connection/)
    // apart, they are fine
    expect(errorsOf(text.replace('            - external: {}', '            - external: {except: [10.0.0.0/8]}'))).toEqual([])
  })

  it('needs required parameters and checks command-line values by type', () => {
    const text = withPolicies(
      `    - name: p
      directions: egress
      rules:
        - action: allow
          peers:
            - external: {cidrs: '\${cidrs}'}
`,
      `  parameters:
    - name: cidrs
      type: cidrs
      description: where to
`
    )
    expect(errorsOf(text)).toEqual(['p.yaml:7:7: error missing-parameter: profile mine needs cidrs (where to): give --cidr'])
    expect(errorsOf(text, new Map([['cidrs', ['10.0.0.0/8', 'nonsense']]]))).toEqual([
      'netpolx: error invalid-parameter: --cidr (parameter cidrs of profile mine): invalid CIDR "nonsense": expected ADDRESS/PREFIX'
    ])
    expect(errorsOf(text, new Map([['cidrs', ['10.0.0.0/8,192.0.2.0/24']]]))).toEqual([])
    expect(errorsOf(text, new Map([['cidrs', ['10.0.0.0/8']], ['dnsPort', ['53']]]))).toEqual([
      'netpolx: error unused-parameter: --dns-port is given, but no chosen profile (mine) has a parameter dnsPort'
    ])
  })
})

describe('command-line values', () => {
  it('parses each type', () => {
    expect(valueFromCli('labels', ['k8s-app=kube-dns,tier=dns'])).toEqual(E.right({ 'k8s-app': 'kube-dns', tier: 'dns' }))
    expect(valueFromCli('namespaces', ['a', 'b,c', ''])).toEqual(E.right(['a', 'b', 'c']))
    expect(valueFromCli('port', ['5353'])).toEqual(E.right(5353))
    expect(valueFromCli('port', ['0'])).toEqual(E.left('expected a port number from 1 to 65535, got 0'))
    expect(valueFromCli('direction', ['ingress', 'both'])).toEqual(E.right('both'))
    expect(E.isLeft(valueFromCli('direction', ['in']))).toBe(true)
    expect(E.isLeft(valueFromCli('namespaces', ['Bad_NS']))).toBe(true)
    expect(valueFromCli('labels', ['a=1', 'a=2'])).toEqual(E.left('label "a" given twice with different values'))
  })
})
