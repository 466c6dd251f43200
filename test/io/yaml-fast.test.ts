/**
 * The fast YAML writer gives the bytes the `yaml` package gives, wherever it applies: on every
 * object of the golden cases (inputs and expected outputs), on generated JSON-like values with
 * strings that YAML 1.1 reads as other types, and it declines (undefined) what it cannot write.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import * as YAML from 'yaml'
import { describe, expect, it } from 'vitest'
import { yamlDocument } from '../../src/io/serialise.js'
import { fastYaml, isPlain } from '../../src/io/yaml-fast.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const reference = (object: unknown): string => yamlDocument({ object, comments: [] })

const yamlFiles = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []))

const runs = Number(process.env.NETPOLX_PROPERTY_RUNS ?? 300)

describe('fast YAML writer', () => {
  it('writes every golden object byte for byte as yaml does, and takes most of them', () => {
    const objects = yamlFiles(path.join(root, 'golden')).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS() as unknown))
    expect(objects.length).toBeGreaterThan(100)
    let fast = 0
    for (const o of objects) {
      const f = fastYaml(o)
      if (f === undefined) continue
      fast++
      expect(f).toBe(reference(o))
    }
    expect(fast).toBeGreaterThan(objects.length / 2)
  })

  it('declines strings that YAML 1.1 reads as something else, or that yaml quotes', () => {
    for (const s of ['yes', 'on', 'Off', 'y', 'N', 'null', '~', '1:30', '0x1F', '017', '1_000', '.5', '1e3', '-1', '2001-12-14', '', ' a', 'a ', 'a: b', 'a #b', '#a', '-', '- a', '@x', "'q", 'x:', '---', '...', 'é', 'a\nb'])
      expect([s, isPlain(s)]).toEqual([s, false])
    for (const s of ['app', 'k8s:io.kubernetes.pod.namespace', "app == 'web'", 'a#b', 'x/y', '10.0.0.0/16', 'TCP', 'all()', 'has(app) && tier in {"a", "b"}', '-a'])
      expect([s, isPlain(s)]).toEqual([s, true])
    expect(fastYaml({ a: 'yes' })).toBeUndefined()
    expect(fastYaml({ a: 1.5 })).toBeUndefined()
    expect(fastYaml({ a: new Date(0) })).toBeUndefined()
  })

  it('gives the bytes of yaml on generated values', () => {
    const str = fc.oneof(
      fc.constantFrom('a', 'app', 'yes', 'no', 'on', '1:30', '0', '12', '-3', '1.5', 'null', '~', 'true', 'a b', 'a: b', 'a #c', "x == 'y'", '-x', '- x', '?', '? x', 'k:', '%x', '---x', '...', 'a,b', '[x]', '{x}', 'a"b', "a'b", ' lead', 'trail ', 'é', 'a\tb', 'line\nbreak', ''),
      fc.string({ maxLength: 6 })
    )
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        str,
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(str, tie('v'), { maxKeys: 3 })
      )
    })).v
    fc.assert(
      fc.property(value, (v) => {
        const f = fastYaml(v)
        if (f !== undefined) expect(f).toBe(reference(v))
      }),
      { numRuns: runs }
    )
  })
})
