/**
 * The golden cases of `golden/`, through the code path of `netpolx golden check golden/`: one test
 * per case and target; a failure shows the unified diff the command would print.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as D from '../../src/diagnostics.js'
import { discover, reportFile, targetFile } from '../../src/golden/cases.js'
import { checkCase, diffOf, mismatches } from '../../src/golden/check.js'
import { dialectNames } from '../../src/ir/policy.js'
import { runCli } from '../cli/harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const golden = path.join(root, 'golden')
const found = await discover([golden])

describe('golden/', () => {
  it('holds at least 40 cases, each with its report and at least one expected translation', () => {
    expect(found.diagnostics.map(D.render)).toEqual([])
    expect(found.cases.length).toBeGreaterThanOrEqual(40)
    for (const c of found.cases) {
      const files = fs.readdirSync(path.join(c.dir, 'expected'))
      expect(files, c.dir).toContain(reportFile)
      expect(dialectNames.filter((t) => files.includes(targetFile(t))).length, c.dir).toBeGreaterThan(0)
    }
  })

  it('`netpolx golden check golden/` passes', async () => {
    const r = await runCli(['golden', 'check', golden])
    expect(r.stderr).toBe('')
    expect(r.stdout).toMatch(new RegExp(`^netpolx golden check: ${found.cases.length} cases, \\d+ files checked: all match\\n$`))
    expect(r.code).toBe(0)
  })

  it('the README demo translates one of the cases', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    const used = [...readme.matchAll(/golden\/([a-z0-9-]+)\//g)].map((m) => m[1] ?? '')
    expect(used.length).toBeGreaterThan(0)
    for (const u of used) expect(fs.existsSync(path.join(golden, u, 'input.yaml')), u).toBe(true)
  })

  for (const c of found.cases) {
    const name = path.relative(golden, c.dir)
    const targets = dialectNames.filter((t) => fs.existsSync(path.join(c.dir, 'expected', targetFile(t))))
    describe(name, () => {
      for (const t of targets)
        it(`→ ${t}`, async () => {
          const r = await checkCase(c, [t])
          expect(r.errors.map(D.render)).toEqual([])
          expect(r.files.map((f) => path.basename(f.file))).toEqual([targetFile(t), reportFile])
          expect(mismatches(r).map(diffOf).join('')).toBe('')
        })
    })
  }
})
