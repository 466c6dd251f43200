/**
 * The readable outputs through the CLI: `reach --from/--to`, `-o csv`, `-o html`; `equiv -o html`;
 * `translate --report html`; and the usage errors of bad selectors.
 */
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from './harness.js'

const demo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'golden', 'calico-tiers-deny-to-cilium')
const input = path.join(demo, 'input.yaml')
const cluster = path.join(demo, 'cluster.yaml')

/** A self-contained page: no reference to anything outside it. */
const selfContained = (html: string): boolean => html.startsWith('<!DOCTYPE html>') && !/(src|href)\s*=|https?:\/\/|@import|url\(/.test(html)

describe('reach, cut and written for people', () => {
  it('--from/--to cut the table; -o csv writes one line per flow', async () => {
    const r = await runCli(['reach', '-f', input, '--cluster', cluster, '--cni', 'calico', '--port', '5432/TCP', '--from', 'shop', '--to', 'app=db'])
    expect(r).toEqual({ code: 0, stderr: '', stdout: '5432/TCP\n-                     shop/db-0\nshop/cart-5c4d7       .\nshop/db-0             X\nshop/frontend-7d9f8b  X\n' })
    const csv = await runCli(['reach', '-f', input, '--cluster', cluster, '--cni', 'calico', '--port', '5432/TCP', '--from', 'shop/f*', '--to', 'shop/db-0', '-o', 'csv'])
    expect(csv).toEqual({ code: 0, stderr: '', stdout: 'source,destination,port,protocol,allowed\nshop/frontend-7d9f8b,shop/db-0,5432,TCP,false\n' })
  })

  it('a bad selector is a usage error', async () => {
    const r = await runCli(['reach', '-f', input, '--cluster', cluster, '--from', '=db'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('netpolx: error usage: --from: invalid label selector "=db": expected key=value, key!=value, key or !key, separated by commas\n')
  })

  it('-o html is one self-contained page', async () => {
    const r = await runCli(['reach', '-f', input, '--cluster', cluster, '--port', '80/TCP', '-o', 'html'])
    expect(r.code).toBe(0)
    expect(selfContained(r.stdout)).toBe(true)
    expect(r.stdout).toContain('<title>netpolx reach — calico</title>')
  })
})

describe('equiv -o html and translate --report html', () => {
  it('equiv lists the counterexamples with their deciding rules', async () => {
    // the Kubernetes translation read under cilium: its ipBlock rules match no pod there
    const k8s = path.join(demo, 'expected', 'k8s.yaml')
    const r = await runCli(['equiv', '--left', input, '--right', k8s, '--right-cni', 'cilium', '--cluster', cluster, '--port', '80/TCP', '--external', '169.254.169.254', '-o', 'html'])
    expect(r.code).toBe(1)
    expect(selfContained(r.stdout)).toBe(true)
    expect(r.stdout).toContain('<h2>72 differing flow(s)</h2>')
    expect(r.stdout).toContain(
      '<tr><td><code>shop/frontend-7d9f8b -&gt; shop/frontend-7d9f8b 80/TCP</code></td><td>allows: egress of shop/frontend-7d9f8b by security.block-metadata-and-bad-ranges, security.pass-everything-else: every tier passed: the profile allows; ingress of shop/frontend-7d9f8b by security.pass-everything-else: every tier passed: the profile allows</td><td>denies: egress of shop/frontend-7d9f8b by shop/security.block-metadata-and-bad-ranges-egress-2: no rule matches: default deny</td></tr>'
    )
  })

  it('translate --report html lists each finding with its fidelity and source lines', async () => {
    const r = await runCli(['translate', '-f', input, '--cluster', cluster, '--to', 'k8s', '--allow-lossy', '--report', 'html'])
    expect(selfContained(r.stderr)).toBe(true)
    expect(r.stderr).toContain('<h1>netpolx translate --to k8s</h1>')
    expect(r.stderr).toMatch(/<td class="fid-[a-z-]+">[a-z-]+<\/td>/)
    expect(r.stderr).toMatch(/<pre class="src">[^<]*<b>\s*\d+ \| /)
  })
})
