/**
 * The check every corpus translation test shares: translate a parsed file to a target on an
 * inventory generated to exercise it, re-parse the output, and hold the reported fidelity to the
 * truth tables — faithful ⇒ equal tables; only `narrower` ⇒ the output allows no flow the input
 * denies; only `broader` ⇒ the output denies no flow the input allows.
 */
import { expect } from 'vitest'
import type { Dialect } from '../../dialects/dialect.js'
import type { Inventory } from '../../src/cluster/inventory.js'
import * as D from '../../src/diagnostics.js'
import { toYaml } from '../../src/io/serialise.js'
import { parseText } from '../../src/io/source.js'
import type { Parsed } from '../../src/pipeline.js'
import { parseDocs, translate } from '../../src/pipeline.js'
import type { Model } from '../../src/semantics/model.js'
import { tableRelation } from '../equal-tables.js'
import { inventoryFor } from '../inventory-gen.js'

const external: Inventory['externals'][number] = { text: '203.0.113.9', ip: { family: 4, value: (203n << 24n) + (113n << 8n) + 9n } }

export const checkHonest = (file: string, parsed: Parsed, target: Dialect, sourceModel: Model, targetModel: Model): D.RunFidelity => {
  const gen = inventoryFor(parsed.set)
  const inv: Inventory = { ...gen, externals: [...gen.externals, external] }
  const t = translate(parsed, target, inv)
  for (const d of t.diagnostics) if (d.location !== undefined) expect(d.location.file).toBe(file)
  const again = parseDocs(parseText('translated.yaml', toYaml(t.objects)).docs)
  expect(again.diagnostics.filter((d) => d.severity === 'error').map(D.render)).toEqual([])
  const rel = tableRelation(parsed.set, again.set, inv, sourceModel, targetModel)
  const losses = new Set([...parsed.diagnostics, ...t.diagnostics].flatMap((d) => (d.fidelity === undefined || D.isFaithful(d.fidelity) ? [] : [d.fidelity])))
  if (losses.size === 0) expect(rel).toEqual({ leftOnly: 0, rightOnly: 0 })
  else if (losses.size === 1 && losses.has('narrower')) expect(rel.rightOnly).toBe(0)
  else if (losses.size === 1 && losses.has('broader')) expect(rel.leftOnly).toBe(0)
  else expect(t.fidelity === 'unsupported' || losses.size > 1).toBe(true)
  return t.fidelity
}
