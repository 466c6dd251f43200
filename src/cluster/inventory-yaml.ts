/**
 * An inventory written back as manifests `load` reads (Namespaces, Nodes, Pods, Services), for
 * counterexamples a user can pass to `--cluster`. External addresses are no manifest: they are
 * given with `--external`, so they are left out here. Deterministic: inventory order, keys in a
 * fixed order. The `kubernetes.io/metadata.name` label is left to the API server (and `load`).
 */
import { stringify } from 'yaml'
import * as C from '../ir/cidr.js'
import * as P from '../ir/ports.js'
import type { Inventory, Labels } from './inventory.js'
import { namespaceNameLabel } from './inventory.js'

const sortedLabels = (l: Labels, drop?: string): Record<string, string> | undefined => {
  const entries = Object.entries(l)
    .filter(([k]) => k !== drop)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries.length === 0 ? undefined : Object.fromEntries(entries)
}

const meta = (name: string, namespace: string | undefined, labels: Record<string, string> | undefined): Record<string, unknown> => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  ...(labels === undefined ? {} : { labels })
})

const protocolText = (p: number): string => (p === P.UDP ? 'UDP' : p === P.SCTP ? 'SCTP' : 'TCP')

/** The inventory as one multi-document YAML text (module comment). */
export const inventoryYaml = (inv: Inventory): string => {
  const docs: Array<unknown> = [
    ...inv.namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(n.name, undefined, sortedLabels(n.labels, namespaceNameLabel)) })),
    ...inv.nodes.map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta(n.name, undefined, sortedLabels(n.labels)),
      ...(n.ips.length === 0 ? {} : { status: { addresses: n.ips.map((ip) => ({ type: 'InternalIP', address: C.formatIp(ip) })) } })
    })),
    ...inv.pods.map((p) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(p.name, p.namespace, sortedLabels(p.labels)),
      spec: {
        ...(p.node === undefined ? {} : { nodeName: p.node }),
        serviceAccountName: p.serviceAccount,
        ...(p.hostNetwork ? { hostNetwork: true } : {}),
        containers: [
          {
            name: 'main',
            image: 'registry.k8s.io/pause:3.9',
            ...(p.ports.length === 0
              ? {}
              : { ports: p.ports.map((cp) => ({ ...(cp.name === undefined ? {} : { name: cp.name }), containerPort: cp.port, protocol: protocolText(cp.protocol) })) })
          }
        ]
      },
      ...(p.ip === undefined ? {} : { status: { podIP: C.formatIp(p.ip) } })
    })),
    ...inv.services.map((s) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(s.name, s.namespace, sortedLabels(s.labels)),
      ...(s.selector === undefined ? {} : { spec: { selector: sortedLabels(s.selector) ?? {} } })
    }))
  ]
  return docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('')
}
