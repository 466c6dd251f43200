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

/**
 * Calico policies over `clusterYaml`'s namespaces: two tiers before the default one (security at
 * order 100, platform at 200) holding GlobalNetworkPolicies with Deny and Pass (one in 50
 * policies), and namespaced Calico policies in the default tier with Allow and Deny rules, port
 * ranges, and nets.
 */
export const calicoPoliciesYaml = (count: number, namespaces: number): string => {
  const out: Array<string> = [
    'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n',
    'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: platform\nspec:\n  order: 200\n'
  ]
  for (let k = 0; k < count; k++) {
    const n = k % namespaces
    const app = k % appsPerNamespace
    if (k % 50 === 0) {
      const tier = k % 100 === 0 ? 'security' : 'platform'
      out.push(
        tier === 'security'
          ? `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: security.block-${k}\nspec:\n  tier: security\n  order: ${k}\n  selector: all()\n  types:\n  - Egress\n  egress:\n  - action: Deny\n    destination:\n      nets:\n      - 169.254.169.254/32\n      - 192.0.${k % 250}.0/24\n  - action: Pass\n`
          : `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: platform.isolate-${k}\nspec:\n  tier: platform\n  order: ${k}\n  selector: tier == 'back'\n  namespaceSelector: team == 'team-${k % 20}'\n  types:\n  - Ingress\n  ingress:\n  - action: Deny\n    source:\n      namespaceSelector: env == 'dev'\n  - action: Pass\n`
      )
      continue
    }
    const head = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: default.policy-${k}\n  namespace: ns-${n}\nspec:\n  tier: default\n  order: ${100 + (k % 7)}\n`
    out.push(
      k % 2 === 0
        ? `${head}  selector: app == 'app-${app}'\n  types:\n  - Ingress\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      selector: tier == 'front'\n    destination:\n      ports:\n      - 8080\n      - '9000:9010'\n  - action: Deny\n    protocol: TCP\n    source:\n      nets:\n      - 10.${n % 8}.0.0/16\n`
        : `${head}  selector: tier == 'back'\n  types:\n  - Egress\n  egress:\n  - action: Deny\n    destination:\n      nets:\n      - 10.${(n + 1) % 8}.128.0/17\n  - action: Allow\n    protocol: TCP\n    destination:\n      selector: app in {'app-${app}', 'app-${(app + 1) % appsPerNamespace}'}\n      ports:\n      - 5432\n  - action: Allow\n    protocol: UDP\n    destination:\n      ports:\n      - 53\n`
    )
  }
  return out.join('---\n')
}

/**
 * Cilium policies over `clusterYaml`'s namespaces: CiliumNetworkPolicies with ingress from
 * endpoints, ingressDeny from the world entity, egress to CIDR sets with exceptions and to the
 * cluster entity, egressDeny to a CIDR; one in 50 a CiliumClusterwideNetworkPolicy.
 */
export const ciliumPoliciesYaml = (count: number, namespaces: number): string => {
  const out: Array<string> = []
  for (let k = 0; k < count; k++) {
    const n = k % namespaces
    const app = k % appsPerNamespace
    if (k % 50 === 0) {
      out.push(
        `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ccnp-${k}\nspec:\n  endpointSelector:\n    matchLabels:\n      tier: back\n  ingressDeny:\n  - fromEntities:\n    - world\n  egressDeny:\n  - toCIDR:\n    - 169.254.169.254/32\n`
      )
      continue
    }
    const head = `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: policy-${k}\n  namespace: ns-${n}\nspec:\n  endpointSelector:\n    matchLabels:\n      app: app-${app}\n`
    out.push(
      k % 2 === 0
        ? `${head}  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        tier: front\n    toPorts:\n    - ports:\n      - port: "8080"\n        protocol: TCP\n  ingressDeny:\n  - fromEntities:\n    - world\n`
        : `${head}  egress:\n  - toCIDRSet:\n    - cidr: 10.${n % 8}.0.0/16\n      except:\n      - 10.${n % 8}.1.0/24\n    toPorts:\n    - ports:\n      - port: "5432"\n        protocol: TCP\n  - toEntities:\n    - cluster\n    toPorts:\n    - ports:\n      - port: "53"\n        protocol: UDP\n  egressDeny:\n  - toCIDR:\n    - 10.${(n + 1) % 8}.2.0/24\n`
    )
  }
  return out.join('---\n')
}
