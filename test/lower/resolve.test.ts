/**
 * What a NetworkPolicy cannot say, said with the inventory (src/lower/resolve.ts, expand.ts): each
 * case translates to k8s with `--cluster`, must be faithful (exact-for-inventory), and must keep the
 * source model's truth table on that cluster.
 */
import { describe, expect, it } from 'vitest'
import type { Inventory } from '../../src/cluster/inventory.js'
import { load } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { serialise } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import { dialectByName, parseDocs, translate } from '../../src/pipeline.js'
import { modelByName } from '../../src/semantics/models.js'
import { tableDifferences } from '../equal-tables.js'

const clusterYaml = `apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web-frontend}}
spec: {serviceAccountName: frontend, containers: [{name: c}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api}}
spec: {serviceAccountName: backend, containers: [{name: c}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: dev, labels: {app: web-frontend}}
spec: {serviceAccountName: frontend, containers: [{name: c}]}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: dev, labels: {app: tool}}
spec: {serviceAccountName: backend, containers: [{name: c}]}
status: {podIP: 10.0.1.2}
`

const inventory = (extra = ''): Inventory => {
  const r = load(parseText('cluster.yaml', clusterYaml + extra).docs)
  return { ...r.inventory, externals: [{ text: '203.0.113.9', ip: { family: 4, value: (203n << 24n) + (113n << 8n) + 9n } }] }
}

const check = (policies: string, inv: Inventory = inventory()): { readonly fidelity: D.RunFidelity; readonly codes: ReadonlyArray<string>; readonly text: string } => {
  const parsed = parseDocs(parseText('p.yaml', policies).docs)
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const k8s = dialectByName('k8s')
  const source = modelByName(parsed.dialects[0] ?? 'k8s')
  const target = modelByName('k8s')
  if (k8s === undefined || source === undefined || target === undefined) throw new Error('missing dialect or model')
  const t = translate(parsed, k8s, inv)
  const text = serialise(t.objects, 'yaml')
  const again = parseDocs(parseText('out.yaml', text).docs)
  expect(tableDifferences(parsed.set, again.set, inv, source, target)).toEqual([])
  return { fidelity: t.fidelity, codes: [...new Set(t.diagnostics.map((d) => d.code))].sort(), text }
}

describe('resolving with the inventory for Kubernetes', () => {
  it('a GlobalNetworkPolicy whose subject tests namespace labels is written for the namespaces that pass', () => {
    const out = check(
      "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: prod-only}\nspec:\n  namespaceSelector: env == 'prod'\n  selector: all()\n  types: [Ingress]\n  ingress:\n  - action: Allow\n    source: {selector: app == 'api'}\n"
    )
    expect(out.fidelity).toBe('exact-for-inventory')
    expect(out.text).toContain('namespace: prod')
    expect(out.text).not.toContain('namespace: dev')
  })

  it("Calico's starts with becomes the values the inventory has", () => {
    const out = check("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: app starts with 'web'\n  ingress:\n  - action: Allow\n    source: {selector: app == 'api'}\n")
    expect(out.fidelity).toBe('exact-for-inventory')
    expect(out.codes).toContain('string-test-expanded')
    expect(out.text).toContain('app: web-frontend')
  })

  it('service accounts become the labels of the pods that run as them', () => {
    const out = check(
      "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: api, namespace: prod}\nspec:\n  selector: app == 'api'\n  ingress:\n  - action: Allow\n    source: {serviceAccounts: {names: [frontend]}}\n"
    )
    expect(out.fidelity).toBe('exact-for-inventory')
    expect(out.codes).toContain('service-account-expanded')
  })

  it('pods that share labels but not service accounts cannot be told apart: reported, never silent', () => {
    const twin = '---\napiVersion: v1\nkind: Pod\nmetadata: {name: web2, namespace: prod, labels: {app: web-frontend}}\nspec: {serviceAccountName: other, containers: [{name: c}]}\nstatus: {podIP: 10.0.0.3}\n'
    const parsed = parseDocs(
      parseText('p.yaml', "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: api, namespace: prod}\nspec:\n  selector: app == 'api'\n  ingress:\n  - action: Allow\n    source: {serviceAccounts: {names: [frontend]}}\n").docs
    )
    const k8s = dialectByName('k8s')
    if (k8s === undefined) throw new Error('k8s')
    const t = translate(parsed, k8s, inventory(twin))
    expect(t.fidelity).toBe('narrower')
    expect(t.diagnostics.map(D.render)).toContain(
      "p.yaml:7:5: warning service-account-expanded: service account frontend: pods with the same labels run as other accounts too (prod/{app=web-frontend}); no label selector tells them apart, so they are left out"
    )
  })

  it('the complement of a denied namespace is split into pods by selector and other addresses by block', () => {
    const out = check(
      "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: no-dev, namespace: prod}\nspec:\n  endpointSelector: {}\n  ingressDeny:\n  - fromEndpoints: [{matchLabels: {'k8s:io.kubernetes.pod.namespace': dev}}]\n  enableDefaultDeny: {ingress: false}\n"
    )
    expect(out.codes).toContain('peer-kinds-split')
    expect(out.text).toContain('ipBlock')
  })
})
