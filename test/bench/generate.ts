/**
 * Synthetic but realistic inputs for the benchmarks: namespaces of a few deployments each (pods of
 * one deployment share labels, as in real clusters), a default deny per namespace and allow rules
 * between apps, across namespaces, and to address blocks.
 */

export interface Synthetic {
  readonly cluster: string
  readonly policies: string
}

const appsPerNamespace = 5

export const clusterYaml = (pods: number, namespaces: number): string => {
  const out: Array<string> = []
  for (let n = 0; n < namespaces; n++)
    out.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-${n}\n  labels:\n    team: team-${n % 20}\n    env: ${n % 3 === 0 ? 'prod' : 'dev'}\n`)
  for (let i = 0; i < pods; i++) {
    const n = i % namespaces
    const app = Math.floor(i / namespaces) % appsPerNamespace
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
    out.push(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${i}\n  namespace: ns-${n}\n  labels:\n    app: app-${app}\n    tier: ${app < 2 ? 'front' : 'back'}\nspec:\n  containers:\n  - name: main\n    ports:\n    - name: http\n      containerPort: 8080\nstatus:\n  podIP: ${ip}\n`
    )
  }
  return out.join('---\n')
}

export const policiesYaml = (count: number, namespaces: number): string => {
  const out: Array<string> = []
  for (let k = 0; k < count; k++) {
    const n = k % namespaces
    const app = k % appsPerNamespace
    const head = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: policy-${k}\n  namespace: ns-${n}\nspec:\n`
    switch (Math.floor(k / namespaces) % 4) {
      case 0:
        out.push(`${head}  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n    ports:\n    - protocol: UDP\n      port: 53\n`)
        break
      case 1:
        out.push(
          `${head}  podSelector:\n    matchLabels:\n      app: app-${app}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          tier: front\n    - namespaceSelector:\n        matchLabels:\n          team: team-${(n + 1) % 20}\n      podSelector:\n        matchExpressions:\n        - key: app\n          operator: In\n          values: [app-0, app-1]\n    ports:\n    - port: http\n`
        )
        break
      case 2:
        out.push(
          `${head}  podSelector:\n    matchLabels:\n      tier: back\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector: {}\n  - to:\n    - ipBlock:\n        cidr: 10.${n % 8}.0.0/16\n        except:\n        - 10.${n % 8}.1.0/24\n    ports:\n    - port: 8080\n      endPort: 8090\n`
        )
        break
      default:
        out.push(
          `${head}  podSelector:\n    matchExpressions:\n    - key: app\n      operator: NotIn\n      values: [app-${app}]\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - key: env\n          operator: In\n          values: [prod]\n    ports:\n    - protocol: TCP\n      port: 8080\n`
        )
    }
  }
  return out.join('---\n')
}
