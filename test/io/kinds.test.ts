import { describe, expect, it } from 'vitest'
import { editDistance, probableKind, suspiciousKind } from '../../src/io/kinds.js'

describe('kinds that look like policies', () => {
  it('edit distance, cut off', () => {
    expect(editDistance('networkpolicy', 'networkpolicy', 2)).toBe(0)
    expect(editDistance('networkpolcy', 'networkpolicy', 2)).toBe(1)
    expect(editDistance('abc', 'xyz', 1)).toBe(2)
  })

  it('case and small typos name the probable kind; unrelated kinds none', () => {
    expect(probableKind('Networkpolicy')).toBe('NetworkPolicy')
    expect(probableKind('networkpolicy')).toBe('NetworkPolicy')
    expect(probableKind('NetworkPolicies')).toBe('NetworkPolicy')
    expect(probableKind('GlobalNetworkPolcy')).toBe('GlobalNetworkPolicy')
    expect(probableKind('CiliumClusterWideNetworkPolicy')).toBe('CiliumClusterwideNetworkPolicy')
    for (const k of ['Deployment', 'ConfigMap', 'Service', 'Namespace', 'Pod', 'Ingress', 'NetworkAttachmentDefinition']) expect(probableKind(k)).toBeUndefined()
  })

  it('extensions/v1beta1 and known kinds under a wrong apiVersion are errors; other kinds pass', () => {
    expect(suspiciousKind('extensions/v1beta1', 'NetworkPolicy')).toContain('removed in Kubernetes 1.16')
    expect(suspiciousKind('v1', 'NetworkPolicy')).toBe('apiVersion "v1" does not serve kind NetworkPolicy: expected networking.k8s.io/v1 or projectcalico.org/v3 or crd.projectcalico.org/v1')
    expect(suspiciousKind('apps/v1', 'Deployment')).toBeUndefined()
    expect(suspiciousKind('policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy')).toBeUndefined()
  })
})
