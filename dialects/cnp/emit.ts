import type { EmitOutput } from '../dialect.js'
export const emit = (): EmitOutput => ({ objects: [], diagnostics: [] })
