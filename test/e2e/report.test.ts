/**
 * The HTML report in a real browser: `reach -o html` of the demo case (golden/calico-tiers-deny-to-
 * cilium) opened from a file:// URL in headless Chromium (the system package, driven by
 * playwright-core): clicking a cell shows the explanation of that flow, the page requests nothing
 * but itself, and a screenshot is saved (dist/report-e2e.png).
 *
 * Without Chromium the test does not run and says so loudly (README: "HTML reports").
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli, tempFiles } from '../cli/harness.js'
import { browserPath, launch } from './browser.js'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const demo = path.join(root, 'golden', 'calico-tiers-deny-to-cilium')
const chromium = browserPath()

if (chromium === undefined)
  process.stderr.write(
    '\n*** netpolx: the browser test of the HTML report DID NOT RUN: no Chromium at /usr/bin/chromium.\n*** Install it (Debian/Ubuntu: apt-get install -y chromium) or set NETPOLX_CHROMIUM; see README "HTML reports".\n\n'
  )

describe.runIf(chromium !== undefined)('HTML report in headless Chromium', () => {
  it('clicking a cell explains the flow; nothing external is requested', async () => {
    const r = await runCli([
      'reach', '-f', path.join(demo, 'input.yaml'), '--cluster', path.join(demo, 'cluster.yaml'), '--cni', 'calico',
      '--port', '80/TCP', '--port', '5432/TCP', '--external', '169.254.169.254', '-o', 'html'
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const file = path.join(tempFiles({ 'report.html': r.stdout }), 'report.html')
    const { context, close } = await launch(chromium ?? '')
    try {
      const page = await context.newPage()
      const requests: Array<string> = []
      const errors: Array<string> = []
      page.on('request', (q) => requests.push(q.url()))
      page.on('pageerror', (e) => errors.push(e.message))
      await page.setViewportSize({ width: 1400, height: 900 })
      const url = pathToFileURL(file).href
      await page.goto(url)
      // the page's own hook: the centre of the cell (source row, destination column)
      const at: unknown = await page.evaluate("window.netpolxCell('shop/frontend-7d9f8b', '169.254.169.254')")
      const point = typeof at === 'object' && at !== null && 'x' in at && 'y' in at && typeof at.x === 'number' && typeof at.y === 'number' ? { x: at.x, y: at.y } : undefined
      expect(point).toBeDefined()
      await page.mouse.click(point?.x ?? 0, point?.y ?? 0)
      const text = (await page.textContent('#explain')) ?? ''
      expect(text).toContain('shop/frontend-7d9f8b → 169.254.169.254 on 80/TCP')
      expect(text).toContain('calico: DENIED')
      expect(text).toContain('egress of shop/frontend-7d9f8b: denied')
      expect(text).toContain(`rule 1 of security.block-metadata-and-bad-ranges (deny ip in {169.254.169.254/32, 203.0.113.0/24}, ports any) at ${path.join(demo, 'input.yaml')}:23:5 denies`)
      expect(errors).toEqual([])
      expect(requests).toEqual([url])
      fs.mkdirSync(path.join(root, 'dist'), { recursive: true })
      await page.screenshot({ path: path.join(root, 'dist', 'report-e2e.png'), fullPage: true })
      expect(fs.statSync(path.join(root, 'dist', 'report-e2e.png')).size).toBeGreaterThan(1000)
    } finally {
      await close()
    }
  }, 60_000)
})
