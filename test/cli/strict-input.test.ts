/**
 * Strict input through the CLI (issue 13 §1, issue 14 items 4, 6, 7, 8): each case is the issue's
 * reproducer or a smaller one, checked as the user sees it — the rendered diagnostic, the exit code,
 * and no output written.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CliResult } from './harness.js'
import { runCli, tempFiles } from './harness.js'

/** stderr with the temporary directory stripped from file names. */
const errs = (r: CliResult, dir: string): ReadonlyArray<string> =>
  r.stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(`${dir}${path.sep}`).join(''))

const np = (meta: string, spec = 'spec:\n  podSelector: {}\n'): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n${meta}${spec}`

/** Runs `translate --to cilium --out DIR/out.yaml` on one file; asserts exit 2 and nothing written. */
const refused = async (content: string, extra: ReadonlyArray<string> = []): Promise<ReadonlyArray<string>> => {
  const dir = tempFiles({ 'in.yaml': content })
  const out = path.join(dir, 'out.yaml')
  const r = await runCli(['translate', '-f', path.join(dir, 'in.yaml'), '--to', 'cilium', '--out', out, ...extra])
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  expect(fs.existsSync(out)).toBe(false)
  expect(r.stderr).not.toMatch(/\n\s+at |TypeError|RangeError|Maximum call stack|NaN|ReadonlyArray|undefined/)
  return errs(r, dir)
}

describe('metadata is decoded strictly (issue 13 §1)', () => {
  const tutorial = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: allow-dns-for-my-app',
    '  podSelector:',
    '    matchLabels: {app: web}',
    '  policyTypes: [Egress]',
    '  egress:',
    '  - to: [{namespaceSelector: {matchLabels: {name: kube-system}}}]',
    '    ports: [{protocol: UDP, port: 53}]',
    ''
  ].join('\n')

  it("the tutorial's spec indented under metadata: exit 2, every field positioned, nothing written", async () => {
    expect(await refused(tutorial)).toEqual([
      'in.yaml:6:5: error invalid-field: metadata.podSelector: unknown field "metadata.podSelector": podSelector belongs under spec; check the indentation',
      'in.yaml:7:16: error invalid-field: metadata.policyTypes: unknown field "metadata.policyTypes": policyTypes belongs under spec; check the indentation',
      'in.yaml:9:3: error invalid-field: metadata.egress: unknown field "metadata.egress": egress belongs under spec; check the indentation'
    ])
  })

  it('validate reports it too (exit 1), and never says the policy is valid', async () => {
    const dir = tempFiles({ 'in.yaml': tutorial })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(errs(r, dir)[0]).toContain('unknown field "metadata.podSelector"')
  })

  it('what kubectl get adds to metadata is accepted', async () => {
    const dir = tempFiles({
      'in.yaml': np(
        '  name: p\n  namespace: x\n  uid: 0b6f\n  resourceVersion: "12"\n  generation: 1\n  creationTimestamp: "2024-01-01T00:00:00Z"\n  managedFields: [{manager: kubectl}]\n  annotations: {a: b}\n  finalizers: [x]\n  ownerReferences: []\n'
      )
    })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('1 policy valid\n')
  })
})

describe('names, namespaces and labels as the API server checks them (issue 13 §1, issue 14 item 6)', () => {
  it('upper case names, placeholders and clock times as label values are errors', async () => {
    expect(await refused(np('  name: Allow-Web\n  namespace: prod\n  labels: {time: "12:30:00", owner: <name>}\n'))).toEqual([
      "in.yaml:4:9: error invalid-field: metadata.name: invalid name \"Allow-Web\": it must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
      "in.yaml:6:18: error invalid-field: metadata.labels.time: invalid label value \"12:30:00\": a label value must be empty or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
      'in.yaml:6:37: error invalid-field: metadata.labels.owner: invalid label value "<name>": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
    ])
  })

  it('template placeholders anywhere say "fill templates first"', async () => {
    const lines = await refused(np('  name: p\n  namespace: ${NAMESPACE}\n', 'spec:\n  podSelector: {matchLabels: {app: "{{ .Values.app }}"}}\n'))
    expect(lines).toEqual([
      'in.yaml:5:14: error invalid-field: metadata.namespace: invalid namespace "${NAMESPACE}": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result',
      'in.yaml:7:36: error invalid-field: spec.podSelector.matchLabels.app: invalid label value "{{ .Values.app }}": it looks like a template placeholder: fill templates first (helm template, envsubst, kustomize build) and check the result'
    ])
  })

  it('label keys and values longer than the API allows', async () => {
    const lines = await refused(np(`  name: p\n  namespace: x\n  labels: {${'k'.repeat(64)}: a, b: ${'v'.repeat(64)}}\n`))
    expect(lines).toEqual([
      `in.yaml:6:78: error invalid-field: metadata.labels.${'k'.repeat(64)}: invalid label key "${'k'.repeat(57)}...": the name part is 64 characters long; at most 63 are allowed`,
      `in.yaml:6:84: error invalid-field: metadata.labels.b: invalid label value "${'v'.repeat(57)}...": it is 64 characters long; at most 63 are allowed`
    ])
  })

  it('control and bidirectional characters in names and labels are named, never printed raw', async () => {
    const lines = await refused(np('  name: "web\\u202Eevil"\n  namespace: x\n  labels: {"a\\u2028b": x}\n'))
    expect(lines).toEqual([
      'in.yaml:4:9: error invalid-field: metadata.name: invalid name "web\\u202eevil": it contains the invisible control or bidirectional-text character U+202E',
      'in.yaml:6:24: error invalid-field: metadata.labels.a\\u2028b: invalid label key "a\\u2028b": it contains the invisible control or bidirectional-text character U+2028'
    ])
    for (const l of lines) expect(l).not.toMatch(/[\u2028\u202e]/)
  })

  it('a mapping used as a label key', async () => {
    expect(await refused(np('  name: p\n  namespace: x\n  labels:\n    ? {app: web}\n    : x\n'))).toEqual([
      'in.yaml:7:7: error collection-key: a mapping or sequence used as a key: the keys of a Kubernetes object are strings'
    ])
  })
})

describe('spec where the CRD needs it (issue 13 §1)', () => {
  it('a Calico NetworkPolicy without spec: exit 2, not a deny-all', async () => {
    expect(await refused('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: allow-tcp-6379\n  namespace: production\n')).toEqual([
      'in.yaml:1:1: error invalid-field: spec: missing required field "spec": a projectcalico.org/v3 NetworkPolicy needs one (its CRD requires it); without it nothing says what the NetworkPolicy does'
    ])
  })

  it('a CiliumNetworkPolicy without spec or specs', async () => {
    expect(await refused('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: x\n')).toEqual([
      'in.yaml:1:1: error invalid-policy: Invalid CiliumNetworkPolicy spec(s): empty policy'
    ])
  })
})

describe('Calico Enterprise fields (issue 13 §4)', () => {
  it('allowedEgressDomains in a GlobalNetworkSet and domains in an EntityRule are not Calico Open Source', async () => {
    const gns = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\nspec:\n  allowedEgressDomains: [example.com]\n'
    expect(await refused(gns)).toEqual([
      'in.yaml:6:25: error invalid-field: spec.allowedEgressDomains: allowedEgressDomains is a Calico Enterprise / Calico Cloud field of GlobalNetworkSet; it is not in Calico Open Source, whose policies netpolx reads (https://docs.tigera.io/calico/latest/reference/resources/)'
    ])
    const gnp =
      'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\nspec:\n  selector: all()\n  egress:\n  - action: Allow\n    destination:\n      domains: [example.com]\n'
    expect(await refused(gnp)).toEqual([
      'in.yaml:10:16: error invalid-field: spec.egress[0].destination.domains: domains is a Calico Enterprise / Calico Cloud field of EntityRule; it is not in Calico Open Source, whose policies netpolx reads (https://docs.tigera.io/calico/latest/reference/resources/)'
    ])
  })
})

describe('kinds that look like policies (issue 13 §1)', () => {
  it('a near-miss kind names the probable kind', async () => {
    const lines = await refused(np('  name: p\n  namespace: x\n').replace('kind: NetworkPolicy', 'kind: Networkpolicy'))
    expect(lines).toEqual(['in.yaml:2:7: error unknown-kind: unknown kind "Networkpolicy": did you mean NetworkPolicy? (kinds are case-sensitive)'])
    const typo = await refused('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolcy\nmetadata: {name: p, namespace: x}\nspec: {endpointSelector: {}}\n')
    expect(typo).toEqual(['in.yaml:2:7: error unknown-kind: unknown kind "CiliumNetworkPolcy": did you mean CiliumNetworkPolicy? (kinds are case-sensitive)'])
  })

  it('extensions/v1beta1 NetworkPolicy is refused with what to write instead', async () => {
    const lines = await refused(np('  name: p\n  namespace: x\n').replace('networking.k8s.io/v1', 'extensions/v1beta1'))
    expect(lines).toEqual([
      'in.yaml:2:7: error unknown-kind: extensions/v1beta1 NetworkPolicy was removed in Kubernetes 1.16 and no cluster serves it any more; write apiVersion: networking.k8s.io/v1 (the fields are the same) and check the result'
    ])
  })

  it('a known kind under an apiVersion that does not serve it', async () => {
    expect(await refused('apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {endpointSelector: {}}\n')).toEqual([
      'in.yaml:2:7: error unknown-kind: apiVersion "cilium.io/v1" does not serve kind CiliumNetworkPolicy: expected cilium.io/v2'
    ])
  })

  it('other kinds still pass through', async () => {
    const dir = tempFiles({ 'in.yaml': `${np('  name: p\n  namespace: x\n')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n` })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('1 policy valid\n')
  })
})

describe('an input without any policy (issue 13 §1)', () => {
  it('validate says so and exits 2, instead of "0 policies valid"', async () => {
    const dir = tempFiles({ 'in.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('netpolx: error no-policies: no network policy in the input (2 documents, none a NetworkPolicy, Calico or Cilium policy resource)\n')
  })
})

describe('-n/--namespace as kubectl (issue 13 §1)', () => {
  const noNs = np('  name: p\n')

  it('without -n, defaulting to "default" is a warning', async () => {
    const dir = tempFiles({ 'in.yaml': noNs })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.code).toBe(0)
    expect(errs(r, dir)).toEqual(['in.yaml:4:3: warning namespace-defaulted: metadata.namespace is not set; using "default" (give -n NAMESPACE to choose)'])
  })

  it('with -n, a document without a namespace goes there', async () => {
    const dir = tempFiles({ 'in.yaml': noNs })
    const r = await runCli(['translate', '-f', path.join(dir, 'in.yaml'), '--to', 'k8s', '-n', 'prod'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('namespace: prod')
  })

  it('a document whose namespace differs from -n is an error', async () => {
    const lines = await refused(np('  name: p\n  namespace: dev\n'), ['-n', 'prod'])
    expect(lines).toEqual([
      'in.yaml:5:14: error namespace-mismatch: the namespace from the provided object "dev" does not match the namespace "prod" given with -n (as kubectl refuses it); remove -n or the object\'s metadata.namespace'
    ])
  })

  it('an invalid -n is a usage error', async () => {
    const dir = tempFiles({ 'in.yaml': noNs })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml'), '--namespace', 'Prod'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('netpolx: error usage: invalid -n/--namespace "Prod": it must be a DNS-1123 label')
  })
})

describe('reading (issue 14 items 6, 8)', () => {
  it('a .yaml file that starts with a JSON object followed by --- is YAML', async () => {
    const json = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'x' }, spec: { podSelector: {} } })
    const dir = tempFiles({ 'in.yaml': `${json}\n---\n${np('  name: b\n  namespace: x\n')}` })
    const r = await runCli(['validate', '-f', path.join(dir, 'in.yaml')])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('2 policies valid\n')
  })

  it('kind: List whose items is not a list', async () => {
    expect(await refused('apiVersion: v1\nkind: List\nitems:\n  apiVersion: v1\n  kind: ConfigMap\n')).toEqual([
      'in.yaml:4:3: error invalid-field: items: expected a list of Kubernetes objects in a List, got a mapping'
    ])
  })

  it('validate --bogus names the unknown option', async () => {
    const r = await runCli(['validate', '--bogus', '-f', 'x.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("error: unknown option '--bogus'")
  })

  it('wrong types are described in Kubernetes terms, .nan is not NaN', async () => {
    const lines = await refused(np('  name: p\n  namespace: x\n', 'spec:\n  podSelector: {}\n  egress:\n  - to: {}\n    ports: [{port: .nan}]\n'))
    expect(lines).toEqual([
      'in.yaml:9:9: error invalid-field: spec.egress[0].to: expected a list of NetworkPolicyPeer, got a mapping',
      'in.yaml:10:20: error invalid-field: spec.egress[0].ports[0].port: invalid port .nan (not a number): expected a number from 1 to 65535 or a port name'
    ])
  })
})
